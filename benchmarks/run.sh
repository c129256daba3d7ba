#!/usr/bin/env bash
# Runs the benchmark scenarios against Debian's Mosquitto, the mqtt-ra broker engine alone and (when
# server-config/run-micro.sh exists) the broker inside Payara Micro, interleaved, on free loopback ports, and prints
# a markdown table. Every broker this script starts is stopped by its PID when it ends.
#
#   benchmarks/run.sh [--quick] [--protocol 5|3] [--no-payara] [--no-engine] [--deep-queues] [--only k1,k2]
#                     [--budget-seconds N]
#
# --quick: small counts, under 3 minutes. Default: the full profile, under about 15 minutes.
# --deep-queues: every broker keeps up to 1,000,000 queued messages per session instead of the default 1,000, to
#   separate the QoS flows from the drop policy of a full queue.
# --only store: only the store benchmark (JPA store on H2 and on a private PostgreSQL, alone and under the engine;
#   no broker is started). Without --only it runs first, before the brokers start.
# Results: benchmarks/target/bench-<time>/results.md (and stdout).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

QUICK=""
ENGINE_NOTE=""
PAYARA_NOTE=""
PROTOCOL=5
WITH_PAYARA=1
WITH_ENGINE=1
DEEP_QUEUES=0
ONLY=""
PASS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=--quick ;;
    --protocol) PROTOCOL=$2; shift ;;
    --no-payara) WITH_PAYARA=0 ;;
    --no-engine) WITH_ENGINE=0 ;;
    --deep-queues) DEEP_QUEUES=1 ;;
    --only) ONLY=$2; shift ;;
    --budget-seconds|--connections) PASS+=("$1" "$2"); shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

# The store benchmark runs in its own JVM with no broker; the other scenarios need the brokers.
RUN_STORE=1
RUN_BROKERS=1
if [ -n "$ONLY" ]; then
  case ",$ONLY," in *,store,*) ;; *) RUN_STORE=0 ;; esac
  BROKER_KEYS=$(echo "$ONLY" | tr ',' '\n' | { grep -vx store || true; } | paste -sd, -)
  if [ -z "$BROKER_KEYS" ]; then RUN_BROKERS=0; else PASS+=(--only "$BROKER_KEYS"); fi
fi

MOSQUITTO=$(command -v mosquitto || true)
[ -z "$MOSQUITTO" ] && [ -x /usr/sbin/mosquitto ] && MOSQUITTO=/usr/sbin/mosquitto
if [ -z "$MOSQUITTO" ] && [ "$RUN_BROKERS" = 1 ]; then
  echo "mosquitto is not installed. Install Debian's package first:" >&2
  echo "  sudo apt-get install -y mosquitto" >&2
  exit 1
fi

# The idle-connection scenario opens as many connections as the descriptor limit allows: raise the soft limit to
# the hard one (an unprivileged process may not go further) and leave room for the JVMs' own files.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
NOFILE=$(ulimit -n)
[ "$NOFILE" = unlimited ] && NOFILE=1048576
read -r PORT_LOW PORT_HIGH < /proc/sys/net/ipv4/ip_local_port_range
CONNECTIONS=$(( NOFILE - 500 ))
PORTS=$(( PORT_HIGH - PORT_LOW - 1000 ))
[ "$CONNECTIONS" -gt "$PORTS" ] && CONNECTIONS=$PORTS

RUN_DIR="$ROOT/benchmarks/target/bench-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RUN_DIR"
LOG="$RUN_DIR/build.log"

echo "building (log: $LOG)" >&2
build() {
  mvn -B -q "$@" -pl benchmarks -am install -DskipTests >>"$LOG" 2>&1 &&
  mvn -B -q "$@" -pl benchmarks dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$RUN_DIR/lib" >>"$LOG" 2>&1
}
if ! build -o; then
  # A compilation error will not go away online; anything else (a missing artifact) may.
  if grep -q "COMPILATION ERROR" "$LOG"; then false; else echo "offline build failed, trying online" >&2; build; fi ||
  {
    # While the engine is being changed its build may fail; the benchmarks can still measure the last installed one.
    echo "the build with the broker failed (see $LOG); trying the previously installed broker" >&2
    ENGINE_NOTE="The engine is the last one installed in the local Maven repository ($(ls -l --time-style=+%H:%M \
        ~/.m2/repository/io/mqttra/mqtt-ra-broker/0.1.0-SNAPSHOT/mqtt-ra-broker-0.1.0-SNAPSHOT.jar 2>/dev/null |
        awk '{print $6}') UTC): the current tree did not build." 
    mvn -B -q -o -pl benchmarks install -DskipTests >>"$LOG" 2>&1 &&
    mvn -B -q -o -pl benchmarks dependency:copy-dependencies -DincludeScope=runtime \
        -DoutputDirectory="$RUN_DIR/lib" >>"$LOG" 2>&1 ||
      { echo "build failed, see $LOG" >&2; tail -30 "$LOG" >&2; exit 1; }
  }
fi
# Copies, so that a later `mvn install` elsewhere cannot change jars under running JVMs.
cp benchmarks/target/mqtt-ra-benchmarks-*.jar "$RUN_DIR/lib/"
CP="$RUN_DIR/lib/*"

PIDS=()
GROUPS_TO_KILL=()
cleanup() {
  for pgid in "${GROUPS_TO_KILL[@]:-}"; do [ -n "$pgid" ] && kill -TERM -- "-$pgid" 2>/dev/null || true; done
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true; done
  sleep 2
  for pgid in "${GROUPS_TO_KILL[@]:-}"; do [ -n "$pgid" ] && kill -KILL -- "-$pgid" 2>/dev/null || true; done
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { java -cp "$CP" io.mqttra.benchmarks.FreePort 1; }

# Waits until something accepts TCP connections on 127.0.0.1:$1, for at most $2 seconds, while process $3 lives.
wait_for_port() {
  local port=$1 limit=$2 pid=$3 i
  for ((i = 0; i < limit * 4; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.25
  done
  return 1
}

# The PID of the process that listens on 127.0.0.1:$1 (the JVM, not a wrapper script).
listener_pid() {
  ss -ltnpH "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2
}

write_header() {
  {
  echo "Run of $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB RAM,"
  echo "$(java -version 2>&1 | head -1)${MOSQUITTO:+, mosquitto $("$MOSQUITTO" -h 2>/dev/null | head -1 | awk '{print $3}')},"
  echo "file descriptors $NOFILE, load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)."
  if [ -n "$ENGINE_NOTE" ]; then echo "$ENGINE_NOTE"; fi
  if [ -n "$PAYARA_NOTE" ]; then echo "$PAYARA_NOTE"; fi
  if [ "$DEEP_QUEUES" = 1 ]; then
    echo "Deep queues: Mosquitto (max_queued_messages), the engine and Payara (maxQueuedMessages) keep up to"
    echo "1,000,000 queued messages per session."
  fi
  echo
  } >"$RUN_DIR/header.md"
}

# --- The store benchmark: its own JVM, before any broker starts, so that nothing else of ours competes. -------------
: >"$RUN_DIR/store.md"
if [ "$RUN_STORE" = 1 ]; then
  echo "store benchmark (H2 file and PostgreSQL; log $RUN_DIR/store.log)" >&2
  write_header
  java -Xms512m -Xmx3g -cp "$CP" io.mqttra.benchmarks.StoreBenchmarkMain $QUICK --clk-tck "$(getconf CLK_TCK)" \
      --dir "$RUN_DIR/store" --out "$RUN_DIR/store-table.md" >/dev/null 2>"$RUN_DIR/store.log" &
  STORE_PID=$!
  PIDS+=("$STORE_PID")
  wait "$STORE_PID" || echo "store benchmark exited with $?, see $RUN_DIR/store.log" >&2
  grep -v '^INFO\|^WARNING\|^[A-Z][a-z][a-z] [0-9]' "$RUN_DIR/store.log" >&2 || true
  { echo "### Store benchmark"; echo; cat "$RUN_DIR/header.md" "$RUN_DIR/store-table.md" 2>/dev/null; echo; } >"$RUN_DIR/store.md"
fi
if [ "$RUN_BROKERS" = 0 ]; then
  cp "$RUN_DIR/store.md" "$RUN_DIR/results.md"
  cat "$RUN_DIR/results.md"
  echo "results: $RUN_DIR/results.md" >&2
  exit 0
fi

TARGETS=()

# --- Mosquitto: its own configuration, loopback only, no persistence. ---------------------------------------------
MQ_PORT=$(free_port)
cat >"$RUN_DIR/mosquitto.conf" <<EOF
listener $MQ_PORT 127.0.0.1
allow_anonymous true
persistence false
log_dest stderr
log_type error
log_type warning
EOF
ENGINE_LIMITS=()
if [ "$DEEP_QUEUES" = 1 ]; then
  echo "max_queued_messages 1000000" >>"$RUN_DIR/mosquitto.conf"
  ENGINE_LIMITS=(--max-queued 1000000)
fi
"$MOSQUITTO" -c "$RUN_DIR/mosquitto.conf" >"$RUN_DIR/mosquitto.log" 2>&1 &
MQ_PID=$!
PIDS+=("$MQ_PID")
wait_for_port "$MQ_PORT" 15 "$MQ_PID" || { echo "mosquitto did not start, see $RUN_DIR/mosquitto.log" >&2; exit 1; }
TARGETS+=(--target "mosquitto=127.0.0.1:$MQ_PORT:$MQ_PID")
echo "mosquitto $("$MOSQUITTO" -h 2>/dev/null | head -1 | awk '{print $3}') on 127.0.0.1:$MQ_PORT (pid $MQ_PID)" >&2

# --- The engine alone: io.mqttra.broker.MqttBroker in a plain JVM. -------------------------------------------------
if [ "$WITH_ENGINE" = 1 ]; then
  java -Xmx1g -cp "$CP" io.mqttra.benchmarks.EngineMain --port 0 --port-file "$RUN_DIR/engine.port" \
      "${ENGINE_LIMITS[@]}" >"$RUN_DIR/engine.log" 2>&1 &
  ENGINE_PID=$!
  PIDS+=("$ENGINE_PID")
  for ((i = 0; i < 120; i++)); do
    [ -s "$RUN_DIR/engine.port" ] && break
    kill -0 "$ENGINE_PID" 2>/dev/null || break
    sleep 0.25
  done
  if [ -s "$RUN_DIR/engine.port" ]; then
    ENGINE_PORT=$(cat "$RUN_DIR/engine.port")
    TARGETS+=(--target "engine=127.0.0.1:$ENGINE_PORT:$ENGINE_PID")
    echo "engine on 127.0.0.1:$ENGINE_PORT (pid $ENGINE_PID)" >&2
  else
    echo "the engine did not start; measuring without it. Its log ($RUN_DIR/engine.log):" >&2
    tail -15 "$RUN_DIR/engine.log" >&2
  fi
fi

# --- The broker inside Payara Micro, when the server configuration provides a run script. ------------------------
MICRO="$ROOT/server-config/run-micro.sh"
if [ "$WITH_PAYARA" = 1 ] && [ -f "$MICRO" ]; then
  # Built here rather than by run-micro.sh, so that its build time does not count against the start-up wait,
  # and so that a broken server build only drops Payara from the comparison.
  echo "building the RAR and the samples for Payara Micro" >&2
  : >"$RUN_DIR/payara-build.log"
  if ! { mvn -B -q -o -DskipTests install -pl server-config -am >>"$RUN_DIR/payara-build.log" 2>&1 ||
         { ! grep -q "COMPILATION ERROR" "$RUN_DIR/payara-build.log" &&
           mvn -B -q -DskipTests install -pl server-config -am >>"$RUN_DIR/payara-build.log" 2>&1; }; }; then
    LAST_BUILD=$(ls -l --time-style=+%H:%M "$ROOT/server-config/target/micro/mqtt-ra.rar" 2>/dev/null | awk '{print $6}')
    if [ -n "$LAST_BUILD" ]; then
      echo "the Payara build failed (see $RUN_DIR/payara-build.log); using the last build in server-config/target/micro (RAR of $LAST_BUILD)" >&2
      PAYARA_NOTE="Payara ran the RAR built at $LAST_BUILD UTC (the current tree did not build)."
    else
      echo "the Payara build failed (see $RUN_DIR/payara-build.log); measuring without Payara" >&2
      WITH_PAYARA=0
    fi
  fi
fi
if [ "$WITH_PAYARA" = 1 ] && [ -f "$MICRO" ]; then
  read -r P_MQTT P_HTTP P_HAZELCAST <<<"$(java -cp "$CP" io.mqttra.benchmarks.FreePort 3 | tr '\n' ' ')"
  # Its own process group, so that the wrapper script and the JVM it starts are stopped together.
  # A fresh data directory per run (no sessions or retained messages from earlier runs), the same heap limit as
  # the engine alone, and ports of its own so that it collides with no other Payara on this machine.
  # MQTTRA_SAMPLES_BENCH switches on the samples' bench endpoint that the txpublish scenario calls.
  PAYARA_LIMITS=()
  [ "$DEEP_QUEUES" = 1 ] && PAYARA_LIMITS=(MQTT_MAX_QUEUED_MESSAGES=1000000)
  env "${PAYARA_LIMITS[@]}" \
  MQTT_PORT=$P_MQTT HTTP_PORT=$P_HTTP HAZELCAST_PORT=$P_HAZELCAST MQTT_RA_DATA="$RUN_DIR/payara-data" \
      JAVA_OPTS="-Xmx1g" MQTT_RA_SKIP_BUILD=1 MQTTRA_SAMPLES_BENCH=true setsid bash "$MICRO" >"$RUN_DIR/payara.log" 2>&1 &
  MICRO_PID=$!
  GROUPS_TO_KILL+=("$MICRO_PID")
  echo "starting Payara Micro (MQTT 127.0.0.1:$P_MQTT, HTTP $P_HTTP; log $RUN_DIR/payara.log)" >&2
  if wait_for_port "$P_MQTT" 300 "$MICRO_PID"; then
    # The listener opens when the adapter starts; the samples and the connection factory come after it.
    for ((i = 0; i < 240; i++)); do
      grep -q "ready in" "$RUN_DIR/payara.log" 2>/dev/null && break
      sleep 0.5
    done
    PAYARA_PID=$(listener_pid "$P_MQTT")
    PIDS+=("${PAYARA_PID:-}")
    TARGETS+=(--target "payara=127.0.0.1:$P_MQTT:${PAYARA_PID:-0}")
    TARGETS+=(--payara-http "http://127.0.0.1:$P_HTTP")
    echo "payara on 127.0.0.1:$P_MQTT (pid ${PAYARA_PID:-unknown})" >&2
  else
    echo "Payara Micro did not open the MQTT port; measuring without it. Its log ends with:" >&2
    tail -15 "$RUN_DIR/payara.log" >&2
  fi
fi

write_header

: >"$RUN_DIR/progress.log"
java -Xms512m -Xmx3g -cp "$CP" io.mqttra.benchmarks.BenchmarkMain "${TARGETS[@]}" $QUICK \
    --protocol "$PROTOCOL" --clk-tck "$(getconf CLK_TCK)" --connections "$CONNECTIONS" \
    --out "$RUN_DIR/table.md" "${PASS[@]}" 2>"$RUN_DIR/progress.log" >/dev/null &
GEN_PID=$!
PIDS+=("$GEN_PID")
tail -f "$RUN_DIR/progress.log" --pid "$GEN_PID" >&2 &
wait "$GEN_PID" || echo "load generator exited with $?" >&2
sleep 0.5

cat "$RUN_DIR/header.md" "$RUN_DIR/table.md" "$RUN_DIR/store.md" >"$RUN_DIR/results.md" 2>/dev/null || true
cat "$RUN_DIR/results.md"
echo >&2
echo "results: $RUN_DIR/results.md" >&2
