#!/usr/bin/env bash
# Runs the MQTT broker inside Payara Micro, with the light-switch sample, from a fresh clone:
#
#   bash server-config/run-micro.sh
#
# Needs only Java 17+ and Maven. It builds the RAR and the samples (mvn install, tests skipped), fetches
# Payara Micro from Maven Central through Maven, then replaces itself with Payara Micro (exec), so Ctrl-C
# (SIGINT) or SIGTERM stops the server cleanly. Running it again reuses the same data directory.
#
# Environment (all optional):
#   MQTT_PORT            MQTT listener port                           (default 1883)
#   MQTT_BIND_ADDRESS    MQTT listener address; loopback while no authentication is configured (default 127.0.0.1)
#   HTTP_PORT            Payara's HTTP port                           (default 8080)
#   HAZELCAST_PORT       first port of Payara's Hazelcast data grid  (default 6900; it counts up when taken)
#   MQTT_RA_DATA         data directory; under /tmp only for throwaway runs (default <repo>/data)
#   MQTT_RA_SKIP_BUILD   set to 1 to start the last build without running Maven
#   JAVA_OPTS            extra JVM options for Payara Micro
#   MQTT_RA_POST_BOOT    a file of asadmin commands run after boot, before the RAR deploys (e.g. the JDBC pool and
#                        resource of a PostgreSQL store, see docs/configuration.md#postgresql)
#   MQTT_CONSOLE_PASSWORD  creates the web console's administrator (http://localhost:HTTP_PORT/mqtt-console/,
#                        file-realm group mqtt-admin); without it nobody can log in to the console
#   MQTT_CONSOLE_USER    that administrator's name                    (default mqtt-admin)
# Extra arguments are passed to Payara Micro (e.g. --nocluster is already set; --logtofile ... works).
#
# Data directory layout ($MQTT_RA_DATA):
#   payara/   Payara Micro's root directory (--rootDir): domain configuration, deployed applications, logs
#   broker/   the broker's own data (system property mqtt.data.dir): its database lives here once persistence is on
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
micro_dir="$repo/server-config/target/micro"
commands_dir="$repo/server-config/payara"

mqtt_port="${MQTT_PORT:-1883}"
http_port="${HTTP_PORT:-8080}"
hazelcast_port="${HAZELCAST_PORT:-6900}"
data_dir="${MQTT_RA_DATA:-$repo/data}"

case "$(realpath -m "$data_dir")/" in
  /tmp/*)
    # Allowed (tests and throwaway runs live there), but the broker's store would not survive a wipe of /tmp.
    echo "run-micro.sh: warning: MQTT_RA_DATA=$data_dir is under /tmp, which may be wiped: the broker's data would go with it" >&2
    ;;
esac
mkdir -p "$data_dir/payara" "$data_dir/broker"
data_dir="$(cd "$data_dir" && pwd)"

if [[ "${MQTT_RA_SKIP_BUILD:-0}" != "1" ]]; then
  echo "run-micro.sh: building the resource adapter and the samples (mvn install, tests skipped)..."
  (cd "$repo" && mvn -B -q -DskipTests install -pl server-config -am)
fi
for f in payara-micro.jar mqtt-ra.rar mdb-samples.war mqtt-console.war; do
  if [[ ! -f "$micro_dir/$f" ]]; then
    echo "run-micro.sh: $micro_dir/$f is missing; run without MQTT_RA_SKIP_BUILD=1" >&2
    exit 1
  fi
done

# Hazelcast always starts, and --startport is ignored with --nocluster: move it with a pre-boot command.
preboot="$data_dir/payara/pre-boot.asadmin"
# Transaction recovery after a crash between prepare and commit (MQTT publishes in JTA transactions) runs only with
# automatic recovery on, which must be set before the transaction service starts.
printf '# Written by run-micro.sh on each start.\nset hazelcast-runtime-configuration.start-port=%s\nset configs.config.server-config.transaction-service.automatic-recovery=true\n' \
  "$hazelcast_port" > "$preboot"

# The orders sample's XA data source jdbc/orders: an H2 file database under the data directory, defined in the
# domain (not by the application) so that transaction recovery reaches it after a crash. WRITE_DELAY=0: a commit
# survives a process kill.
post_boot="$data_dir/payara/post-boot.asadmin"
mkdir -p "$data_dir/orders"
{ cat "$commands_dir/post-boot.asadmin"
  printf 'create-jdbc-connection-pool --datasourceclassname org.h2.jdbcx.JdbcDataSource --restype javax.sql.XADataSource --property url=jdbc\\:h2\\:file\\:%s\\;WRITE_DELAY\\=0:user=sa:password=sa orders-pool\n' "$data_dir/orders/orders"
  echo 'create-jdbc-resource --connectionpoolid orders-pool jdbc/orders'
  if [[ -n "${MQTT_RA_POST_BOOT:-}" ]]; then cat "$MQTT_RA_POST_BOOT"; fi
} > "$post_boot"

echo "run-micro.sh: MQTT on ${MQTT_BIND_ADDRESS:-127.0.0.1}:$mqtt_port, HTTP on $http_port, data in $data_dir"

# The console admits only the file realm's group mqtt-admin; its user is made only on request, with the
# password in a file readable by this user alone (asadmin reads passwords from files, never from arguments).
post_deploy="$commands_dir/post-deploy.asadmin"
if [[ -n "${MQTT_CONSOLE_PASSWORD:-}" ]]; then
  (umask 077 && printf 'AS_ADMIN_USERPASSWORD=%s\n' "$MQTT_CONSOLE_PASSWORD" > "$data_dir/console-password.txt")
  { cat "$post_deploy"
    echo "create-file-user --groups mqtt-admin --passwordfile $data_dir/console-password.txt ${MQTT_CONSOLE_USER:-mqtt-admin}"
  } > "$data_dir/post-deploy.asadmin"
  post_deploy="$data_dir/post-deploy.asadmin"
fi

# Deploy only what this root directory does not hold yet in the same build. Payara Micro deploys the applications
# its domain remembers at boot, and the transaction manager's startup recovery runs meanwhile; --deploy of an
# archive it already holds undeploys and redeploys it in the middle of that recovery, which then meets the MQTT
# connection pool of an adapter that is being replaced: "RAR7092 Incorrect transaction support level mqtt-pool"
# (no adapter descriptor registered at that moment) or a NoClassDefFoundError from the old adapter's closed class
# loader, and a transaction prepared before a crash stays in doubt. A new build of the adapter redeploys
# everything (its applications depend on it); transactions in doubt then wait for the next start without one.
deploy_args=()
rar_changed=0
for f in mqtt-ra.rar mdb-samples.war mqtt-console.war; do
  stamp="$data_dir/payara/deployed-${f}.sha256"
  sum="$(sha256sum "$micro_dir/$f" | cut -d' ' -f1)"
  if [[ "$rar_changed" == "1" || ! -d "$data_dir/payara/applications/${f%.*}" \
        || ! -f "$stamp" || "$(cat "$stamp")" != "$sum" ]]; then
    [[ "$f" == "mqtt-ra.rar" ]] && rar_changed=1
    deploy_args+=(--deploy "$micro_dir/$f")
    echo "$sum" > "$stamp"
  fi
done
if [[ "$rar_changed" == "1" && -d "$data_dir/payara/applications/mqtt-ra" ]]; then
  echo "run-micro.sh: a new build of mqtt-ra.rar is redeployed; MQTT transactions left in doubt by a crash are recovered at the next start" >&2
fi

# MQTT_PORT (and MQTT_BIND_ADDRESS, ...) reach the adapter through MicroProfile Config from the environment;
# the system property makes the port explicit in the process list as well.
export MQTT_PORT="$mqtt_port"
# deployment.resource.validation=false: Payara checks every @Resource lookup when an application deploys, but
# mqtt/ConnectionFactory can only be created after mqtt-ra.rar is deployed, i.e. from the post-deploy file, which
# runs after mdb-samples.war; the lookup itself happens when a bean instance is created, by then it exists.
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
exec java ${JAVA_OPTS:-} \
  -Ddeployment.resource.validation=false \
  -Dmqtt.port="$mqtt_port" \
  -Dmqtt.data.dir="$data_dir/broker" \
  -jar "$micro_dir/payara-micro.jar" \
  --rootDir "$data_dir/payara" \
  --port "$http_port" \
  --nocluster \
  --prebootcommandfile "$preboot" \
  --disablephonehome \
  --postbootcommandfile "$post_boot" \
  --postdeploycommandfile "$post_deploy" \
  ${deploy_args[@]+"${deploy_args[@]}"} \
  "$@"
