#!/usr/bin/env bash
# Sets up a Payara Server domain running the MQTT broker, from a fresh clone:
#
#   bash server-config/payara-server/setup-domain.sh        # then: bash server-config/payara-server/stop-domain.sh
#
# Needs only Java 17+ and Maven. It builds the RAR, the samples and the console EAR (mvn install, tests skipped),
# fetches the Payara Server distribution from Maven Central through Maven, then (re)creates the domain and
#   1. starts it,
#   2. creates the broker's thread pool and the resource adapter config (before the RAR deploys: the adapter reads
#      its port and thread pool when it starts),
#   3. deploys mqtt-ra.rar,
#   4. creates the connector pool, mqtt/ConnectionFactory and the admin object mqtt/Admin
#      (server-config/payara/post-deploy.asadmin, the same file Payara Micro uses) and the orders sample's XA JDBC
#      pool and jdbc/orders (an H2 file database),
#   5. deploys the console (mqtt-broker.ear) and the light-switch sample (mdb-samples.war).
# Running it again deletes and recreates the domain; the data (broker store, orders database) lives outside the
# domain and survives.
#
# Environment (all optional):
#   PAYARA_HOME          an unpacked Payara Server (the directory holding bin/asadmin)
#                        (default: server-config/target/payara-server/payara6, unpacked by Maven when missing)
#   MQTT_RA_DATA         data directory: broker/ holds the broker's store, orders/ the orders sample's database
#                        (default <repo>/data/payara-server)
#   DOMAIN_DIR           directory that holds the domain                 (default $MQTT_RA_DATA/domains)
#   DOMAIN_NAME          name of the domain                               (default mqtt)
#   ADMIN_PORT           admin console and REST/asadmin port              (default 4848)
#   HTTP_PORT            HTTP listener of the applications                (default 8080)
#   HTTPS_PORT, IIOP_PORT, IIOPS_PORT, IIOP_MUTUALAUTH_PORT, JMS_PORT, JMX_PORT, OSGI_PORT, DEBUG_PORT,
#   HAZELCAST_DAS_PORT, HAZELCAST_START_PORT
#                        the domain's other ports (defaults 8181, 3700, 3820, 3920, 7676, 8686, 6666, 9009, 4900, 5900)
#   MQTT_PORT            MQTT listener port                               (default 1883)
#   MQTT_BIND_ADDRESS    MQTT listener address; loopback while no authentication is configured (default 127.0.0.1)
#   MQTT_RA_SKIP_BUILD   set to 1 to use the last build without running Maven
#   MQTT_RA_RAR, MQTT_SAMPLES_WAR, MQTT_CONSOLE_EAR
#                        the archives to deploy (default: the build's target/ directories)
#   DEPLOY_SAMPLES       set to 0 to leave mdb-samples.war out        DEPLOY_CONSOLE  set to 0 to leave the EAR out
#   MQTT_CONSOLE_PASSWORD  creates the console's administrator (file realm, group mqtt-admin); without it nobody
#                        can log in to http://localhost:HTTP_PORT/mqtt-console/
#   MQTT_CONSOLE_USER    that administrator's name                       (default mqtt-admin)
#   MQTT_AUTH_MODE       none (default), realm or password-file: the adapter's authMode property; with realm, CONNECT
#                        user names and passwords are checked against the domain's file realm (group mqtt-users)
#   MQTT_USER, MQTT_USER_PASSWORD
#                        creates that MQTT user in the file realm (group mqtt-users); the password reaches asadmin
#                        through a password file only, never a command line or the server's environment
#   MQTT_TLS_PORT        port of the MQTT over TLS listener (default: none); it presents the domain's own certificate
#                        (config/keystore.p12, key s1as) unless the adapter is given a key store
#   ASADMIN_TIMEOUT      seconds any one asadmin command may take before the setup gives up (default 300)
#
# Every asadmin command is bounded in time. When one fails or times out, the script prints its output and the tail of
# the domain's server.log, stops the domain it started and exits non-zero.
#
# The admin console (http://localhost:ADMIN_PORT/) has no password (create-domain --nopassword) and, like every
# Payara domain made that way, accepts administration only from this machine.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

log() { echo "setup-domain.sh: $*" >&2; }
fail() { log "$*"; exit 1; }

# Secrets that must not reach the domain's environment (the server inherits the environment of start-domain).
secret_vars=(MQTT_CONSOLE_PASSWORD MQTT_USER_PASSWORD)
console_password="${MQTT_CONSOLE_PASSWORD:-}"
mqtt_user_password="${MQTT_USER_PASSWORD:-}"
unset "${secret_vars[@]}"

# Versions come from the parent pom, so that the script never drifts from the build.
pom_value() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$repo/pom.xml" | head -n 1; }
payara_version="$(pom_value payara.version)"

data_dir="${MQTT_RA_DATA:-$repo/data/payara-server}"
domain_dir="${DOMAIN_DIR:-$data_dir/domains}"
domain_name="${DOMAIN_NAME:-mqtt}"
admin_port="${ADMIN_PORT:-4848}"
http_port="${HTTP_PORT:-8080}"
mqtt_port="${MQTT_PORT:-1883}"
mqtt_bind_address="${MQTT_BIND_ADDRESS:-127.0.0.1}"
mqtt_auth_mode="${MQTT_AUTH_MODE:-none}"
asadmin_timeout="${ASADMIN_TIMEOUT:-300}"

if [[ "${MQTT_RA_SKIP_BUILD:-0}" != "1" ]]; then
  # mdb-samples depends on the RAR and the console EAR, so -am builds all three.
  log "building the resource adapter, the console EAR and the samples (mvn install, tests skipped)..."
  (cd "$repo" && mvn -B -q -DskipTests -Dit.server.skip=true install -pl mdb-samples -am)
fi

payara_home="${PAYARA_HOME:-$repo/server-config/target/payara-server/payara6}"
if [[ ! -x "$payara_home/bin/asadmin" ]]; then
  [[ -n "${PAYARA_HOME:-}" ]] && fail "PAYARA_HOME=$PAYARA_HOME has no bin/asadmin"
  log "unpacking Payara Server $payara_version (fish.payara.distributions:payara:zip from Maven Central)..."
  (cd "$repo" && mvn -B -q dependency:unpack -N \
      -Dartifact="fish.payara.distributions:payara:$payara_version:zip" \
      -DoutputDirectory="$repo/server-config/target/payara-server")
fi
asadmin="$payara_home/bin/asadmin"
command -v timeout >/dev/null || fail "the timeout command (coreutils) is needed"

rar="${MQTT_RA_RAR:-$repo/resource-adapter/rar/target/mqtt-ra.rar}"
samples_war="${MQTT_SAMPLES_WAR:-$repo/mdb-samples/target/mdb-samples.war}"
console_ear="${MQTT_CONSOLE_EAR:-$repo/broker-ear/ear/target/mqtt-broker.ear}"
[[ -f "$rar" ]] || fail "$rar is missing; run without MQTT_RA_SKIP_BUILD=1"

mkdir -p "$domain_dir" "$data_dir/broker" "$data_dir/orders"
domain_dir="$(cd "$domain_dir" && pwd)"
data_dir="$(cd "$data_dir" && pwd)"

server_log="$domain_dir/$domain_name/logs/server.log"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
domain_started=0

# stop-domain --kill finds the server by its pid file, which a server still booting (or one that failed to bind a
# port and lingers) has not written: such a JVM is found by its instance root, this domain's directory.
kill_domain_server() {
  timeout --kill-after=15 120 "$asadmin" stop-domain --domaindir "$domain_dir" --kill=true "$domain_name" \
    >/dev/null 2>&1 || true
  local proc
  for proc in /proc/[0-9]*; do
    if tr '\0' '\n' 2>/dev/null < "$proc/cmdline" \
        | grep -qxF -- "-Dcom.sun.aas.instanceRoot=$domain_dir/$domain_name"; then
      log "killing the domain's server process ${proc#/proc/}"
      kill -9 "${proc#/proc/}" 2>/dev/null || true
    fi
  done
}

# Runs one asadmin command line, bounded by ASADMIN_TIMEOUT (its own --timeout where it has one is set below that). Its
# output is kept and shown only when it fails: then the server log's tail follows, the domain is stopped, and the
# script exits non-zero instead of leaving a half-made domain (or a hung asadmin) behind.
asadmin_run() {
  local what="$1"; shift
  local out="$work/asadmin.out" status=0
  timeout --kill-after=15 "$asadmin_timeout" "$@" >"$out" 2>&1 || status=$?
  if (( status != 0 )); then
    if (( status == 124 || status == 137 )); then
      log "FAILED: $what: asadmin did not finish in ${asadmin_timeout} s"
    else
      log "FAILED: $what (asadmin exit $status):"
    fi
    sed 's/^/  asadmin: /' "$out" >&2
    if [[ -f "$server_log" ]]; then
      log "last lines of $server_log:"
      tail -n 40 "$server_log" | sed 's/^/  server.log: /' >&2
    fi
    if (( domain_started )); then
      log "stopping the domain"
      kill_domain_server
    fi
    exit 1
  fi
}

# Local commands (start, restart, stop) always name the domain and its directory: without them asadmin picks the
# installation's default domain (domain1), which is not this one. restart-domain without them once started domain1
# on the default ports instead of restarting this domain, and waited 600 s for it when those ports were taken.
local_domain() { asadmin_run "$1" "$asadmin" "${@:2}" --domaindir "$domain_dir" "$domain_name"; }

# The server inherits the environment of start-domain, and the adapter reads MQTT_* variables as overrides that
# beat its config. This script turns them into the adapter config instead, so the domain starts without them:
# otherwise a later change in the admin console or with asadmin set would be silently overridden.
mqtt_vars=()
while IFS= read -r name; do mqtt_vars+=(-u "$name"); done < <(compgen -e | grep '^MQTT_' || true)
server_domain() { asadmin_run "$1" env "${mqtt_vars[@]}" "$asadmin" "${@:2}" --domaindir "$domain_dir" "$domain_name"; }
remote() { asadmin_run "$1" "$asadmin" --interactive=false --host 127.0.0.1 --port "$admin_port" "${@:2}"; }

# Recreate rather than patch: a domain left by an earlier run (running or not) is stopped and deleted, so every
# run starts from the same configuration. The broker's data is outside the domain and is kept.
if [[ -d "$domain_dir/$domain_name" ]]; then
  log "recreating the existing domain $domain_dir/$domain_name"
  kill_domain_server
  # A domain whose creation was cut short has no admin port in domain.xml, and delete-domain refuses it.
  if ! timeout --kill-after=15 120 "$asadmin" delete-domain --domaindir "$domain_dir" "$domain_name" >/dev/null 2>&1; then
    log "delete-domain refused $domain_dir/$domain_name (left half-made?); removing the directory"
    rm -rf -- "${domain_dir:?}/${domain_name:?}"
  fi
fi

# Every port is explicit, so that a second domain (or a test) on this machine meets none of this one's ports.
properties="domain.jmxPort=${JMX_PORT:-8686}:http.ssl.port=${HTTPS_PORT:-8181}:java.debugger.port=${DEBUG_PORT:-9009}"
properties+=":jms.port=${JMS_PORT:-7676}:orb.listener.port=${IIOP_PORT:-3700}:orb.ssl.port=${IIOPS_PORT:-3820}"
properties+=":orb.mutualauth.port=${IIOP_MUTUALAUTH_PORT:-3920}:osgi.shell.telnet.port=${OSGI_PORT:-6666}"
properties+=":hazelcast.das.port=${HAZELCAST_DAS_PORT:-4900}:hazelcast.start.port=${HAZELCAST_START_PORT:-5900}"
log "creating domain $domain_name in $domain_dir (admin port $admin_port, HTTP port $http_port)"
local_domain "create the domain" create-domain --nopassword=true \
  --adminport "$admin_port" --instanceport "$http_port" --domainproperties "$properties"

start_timeout=$(( asadmin_timeout > 30 ? asadmin_timeout - 20 : asadmin_timeout ))
log "starting the domain..."
domain_started=1
server_domain "start the domain" start-domain --timeout "$start_timeout"

# asadmin needs ':' and '=' in property values escaped.
escape() { printf '%s' "$1" | sed -e 's/[\\:=]/\\&/g'; }

# Payara Server shows a standalone RAR's classes only to applications that reference one of its resources in a way
# the deployer sees ("derived"); the console looks mqtt/Admin up at run time. "global" is what Payara Micro does:
# every application sees io.mqttra.api.
remote "set the connector class-loading policy" set configs.config.server-config.connector-service.class-loading-policy=global

# The broker's threads (event loops and deliveries to message-driven beans) get a pool of their own, so that
# MQTT load cannot take the HTTP threads and HTTP load cannot starve the broker. The adapter config must exist
# before the RAR deploys; its properties override the adapter's @ConfigProperty defaults.
remote "create mqtt-thread-pool" \
  create-threadpool --minthreadpoolsize 4 --maxthreadpoolsize 64 --maxqueuesize 4096 mqtt-thread-pool
ra_properties="port=$mqtt_port:bindAddress=$(escape "$mqtt_bind_address"):dataDirectory=$(escape "$data_dir/broker")"
ra_properties+=":authMode=$(escape "$mqtt_auth_mode")"
# TLS: with no key store configured the adapter uses the domain's own (config/keystore.p12, key s1as).
if [[ -n "${MQTT_TLS_PORT:-}" ]]; then
  ra_properties+=":tlsPort=$MQTT_TLS_PORT"
fi
remote "create the resource adapter config" \
  create-resource-adapter-config --threadpoolid mqtt-thread-pool --property "$ra_properties" mqtt-ra

# File realm users: asadmin reads their passwords from a password file (AS_ADMIN_USERPASSWORD), so they appear on
# no command line and in no log.
create_file_user() {
  local user="$1" password="$2" group="$3" file="$work/user-password"
  (umask 077 && printf 'AS_ADMIN_USERPASSWORD=%s\n' "$password" > "$file")
  remote "create file realm user $user" --passwordfile "$file" create-file-user --groups "$group" "$user"
  rm -f "$file"
}
if [[ -n "${MQTT_USER:-}" ]]; then
  [[ -n "$mqtt_user_password" ]] || fail "MQTT_USER is set but MQTT_USER_PASSWORD is not"
  create_file_user "$MQTT_USER" "$mqtt_user_password" mqtt-users
fi
if [[ -n "$console_password" ]]; then
  create_file_user "${MQTT_CONSOLE_USER:-mqtt-admin}" "$console_password" mqtt-admin
fi

# The orders sample's XA data source: defined in the domain (not by the application) so that the transaction
# manager's recovery reaches it after a crash. WRITE_DELAY=0: a committed transaction survives a process kill.
remote "create orders-pool" \
  create-jdbc-connection-pool --datasourceclassname org.h2.jdbcx.JdbcDataSource --restype javax.sql.XADataSource \
  --property "url=jdbc\\:h2\\:file\\:$(escape "$data_dir/orders/orders")\\;WRITE_DELAY\\=0:user=sa:password=sa" \
  orders-pool
remote "create jdbc/orders" create-jdbc-resource --connectionpoolid orders-pool jdbc/orders

# Transactions that publish MQTT messages are recovered after a crash between prepare and commit only with
# automatic recovery on; the transaction service reads it when it starts, hence the restart (nothing is deployed
# yet, so it is quick).
remote "turn on automatic transaction recovery" \
  set configs.config.server-config.transaction-service.automatic-recovery=true
log "restarting the domain (automatic transaction recovery)..."
server_domain "restart the domain" restart-domain --timeout "$start_timeout"

log "deploying $rar"
remote "deploy $rar" deploy --force=true --name mqtt-ra "$rar"

# Connector pool, mqtt/ConnectionFactory and mqtt/Admin: the very commands Payara Micro runs after deployment.
remote "create the connector pool and resources" multimode --file "$repo/server-config/payara/post-deploy.asadmin"

if [[ "${DEPLOY_CONSOLE:-1}" != "0" ]]; then
  if [[ -f "$console_ear" ]]; then
    log "deploying $console_ear"
    remote "deploy $console_ear" deploy --force=true --name mqtt-broker "$console_ear"
  else
    log "WARNING: $console_ear is missing; the domain runs without the console"
  fi
fi
if [[ "${DEPLOY_SAMPLES:-1}" != "0" ]]; then
  [[ -f "$samples_war" ]] || fail "$samples_war is missing; run without MQTT_RA_SKIP_BUILD=1"
  log "deploying $samples_war"
  remote "deploy $samples_war" deploy --force=true --name mdb-samples "$samples_war"
fi

log "ready: MQTT on $mqtt_bind_address:$mqtt_port (authentication: $mqtt_auth_mode), applications on" \
  "http://localhost:$http_port/, admin console on http://localhost:$admin_port/, server log $server_log"
