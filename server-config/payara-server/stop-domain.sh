#!/usr/bin/env bash
# Stops the domain that setup-domain.sh made. Takes the same PAYARA_HOME, DOMAIN_DIR and DOMAIN_NAME.
#
#   bash server-config/payara-server/stop-domain.sh           # add --delete to remove the domain as well
#
# The broker's data directory (MQTT_RA_DATA) is never touched.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
payara_home="${PAYARA_HOME:-$repo/server-config/target/payara-server/payara6}"
domain_dir="${DOMAIN_DIR:-$repo/data/payara-server/domains}"
domain_name="${DOMAIN_NAME:-mqtt}"
asadmin="$payara_home/bin/asadmin"

[[ -x "$asadmin" ]] || { echo "stop-domain.sh: no asadmin in $payara_home (set PAYARA_HOME)" >&2; exit 1; }
[[ -d "$domain_dir/$domain_name" ]] || { echo "stop-domain.sh: no domain $domain_dir/$domain_name" >&2; exit 0; }

# --kill: a server that does not stop in time is killed rather than left holding its ports.
"$asadmin" stop-domain --domaindir "$domain_dir" --kill=false "$domain_name" \
  || "$asadmin" stop-domain --domaindir "$domain_dir" --kill=true "$domain_name"
if [[ "${1:-}" == "--delete" ]]; then
  "$asadmin" delete-domain --domaindir "$domain_dir" "$domain_name"
fi
