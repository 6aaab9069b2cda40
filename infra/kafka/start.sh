#!/usr/bin/env bash
# Runs a real single-node Apache Kafka broker (KRaft, combined broker + controller) from the jars on
# Maven Central, in the background, without Docker. On success the only line on stdout is
# KAFKA_BROKERS=127.0.0.1:<port>; progress goes to stderr. Running it again while the broker is up
# prints the same line and changes nothing.
#
# Environment (all optional):
#   KAFKA_PORT              client port                          (19092)
#   KAFKA_CONTROLLER_PORT   KRaft controller port                (19093)
#   KAFKA_RUN_DIR           config, data, logs and pid file      (infra/kafka/run)
#   KAFKA_CACHE_DIR         downloaded jars                      (infra/kafka/.cache)
#   KAFKA_HEAP              JVM heap                             (512m)
#   KAFKA_READY_TIMEOUT     seconds to wait for the broker       (60)
#   KAFKA_KEEP_DATA         1: start again on the data (topics, records, group offsets, cluster id) a
#                           broker stopped by stop.sh left in KAFKA_RUN_DIR, as a restart would; else
#                           every start is a fresh, empty broker                      (unset)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
port="${KAFKA_PORT:-19092}"
controller_port="${KAFKA_CONTROLLER_PORT:-19093}"
run_dir="${KAFKA_RUN_DIR:-$here/run}"
cache_dir="${KAFKA_CACHE_DIR:-$here/.cache}"
heap="${KAFKA_HEAP:-512m}"
ready_timeout="${KAFKA_READY_TIMEOUT:-60}"
pid_file="$run_dir/kafka.pid"
marker="$run_dir/.aidwatch-kafka-run"

say() { echo "kafka: $*" >&2; }
die() {
  say "$*"
  exit 1
}

# A pid counts only while it is a live kafka.Kafka process using this run directory (pids get reused).
is_our_broker() {
  local args
  args="$(ps -p "$1" -o args= 2>/dev/null || true)"
  [[ "$args" == *kafka.Kafka* && "$args" == *"$run_dir/server.properties"* ]]
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

log_tail() {
  local f
  for f in "$run_dir/logs/stdout.log" "$run_dir/logs/server.log"; do
    [[ -s "$f" ]] && { say "--- last lines of $f"; tail -n 30 "$f" >&2; }
  done
  return 0
}

wait_ready() {
  local pid="$1" started rc=0
  started=$(date +%s)
  node "$here/wait-ready.js" "127.0.0.1:$port" "$ready_timeout" "$pid" || rc=$?
  if [[ $rc -eq 3 ]]; then
    # kafkajs is not installed (npm ci has not run): fall back to the broker's own start-up log line.
    rc=1
    while (($(date +%s) - started < ready_timeout)); do
      is_our_broker "$pid" || { rc=2; break; }
      if grep -q 'Kafka Server started' "$run_dir/logs/server.log" 2>/dev/null; then rc=0; break; fi
      sleep 0.5
    done
  fi
  case $rc in
    0) return 0 ;;
    2) log_tail; die "the broker process exited during start-up" ;;
    *) log_tail; die "no answer from 127.0.0.1:$port within ${ready_timeout}s (pid $pid still running; see $run_dir/logs)" ;;
  esac
}

command -v java >/dev/null || die "java not found (Java 17 is needed)"
command -v node >/dev/null || die "node not found"

if [[ -f "$pid_file" ]]; then
  pid="$(cat "$pid_file")"
  if is_our_broker "$pid"; then
    running_port="$(cat "$run_dir/port")"
    [[ "$running_port" == "$port" ]] || say "already running on port $running_port (asked for $port); stop it first to change ports"
    port="$running_port"
    wait_ready "$pid"
    echo "KAFKA_BROKERS=127.0.0.1:$port"
    exit 0
  fi
fi

port_in_use "$port" && die "port $port is taken by another process; choose another with KAFKA_PORT"
port_in_use "$controller_port" && die "port $controller_port is taken; choose another with KAFKA_CONTROLLER_PORT"

# --- jars: downloaded once per pom version, complete or not at all -----------------------------------
version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")"
lib_dir="$cache_dir/kafka-$version-$(cksum <"$here/pom.xml" | cut -d' ' -f1)"
mkdir -p "$cache_dir"
if [[ ! -f "$lib_dir/.complete" ]]; then
  command -v mvn >/dev/null || die "mvn not found: Maven is needed once to download Apache Kafka $version"
  exec 9>"$cache_dir/.download.lock"
  command -v flock >/dev/null && flock 9
  if [[ ! -f "$lib_dir/.complete" ]]; then
    say "downloading Apache Kafka $version from Maven Central into $lib_dir (once)"
    t0=$(date +%s)
    rm -rf "$lib_dir.partial" "$lib_dir"
    mvn -B -Dstyle.color=never -f "$here/pom.xml" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$lib_dir.partial" >"$cache_dir/download.log" 2>&1 ||
      { tail -n 40 "$cache_dir/download.log" >&2; die "Maven could not download Apache Kafka $version"; }
    mv "$lib_dir.partial" "$lib_dir"
    touch "$lib_dir/.complete"
    say "downloaded $(find "$lib_dir" -name '*.jar' | wc -l | tr -d ' ') jars in $(($(date +%s) - t0))s"
  fi
  exec 9>&-
fi

# --- a fresh run directory, or the one a stopped broker left (KAFKA_KEEP_DATA=1) -----------------------
keep_data=""
if [[ "${KAFKA_KEEP_DATA:-}" == "1" && -f "$marker" && -s "$run_dir/cluster-id" && -d "$run_dir/data" ]]; then
  keep_data=1
fi
if [[ -n "$keep_data" ]]; then
  say "starting again on the data in $run_dir/data"
elif [[ -e "$run_dir" ]]; then
  [[ -f "$marker" || -z "$(ls -A "$run_dir")" ]] || die "$run_dir exists and was not made by this script; refusing to wipe it"
  rm -rf "$run_dir"
fi
mkdir -p "$run_dir/data" "$run_dir/logs"
touch "$marker"
echo "$port" >"$run_dir/port"

# Base64url of 16 random bytes; `--cluster-id=` keeps an id that starts with "-" from reading as an option.
# Kept beside the data: a broker started again on that data must carry the same cluster id.
if [[ -n "$keep_data" ]]; then
  cluster_id="$(cat "$run_dir/cluster-id")"
else
  cluster_id="$(head -c 16 /dev/urandom | base64 | tr "+/" "-_" | cut -c1-22)"
  echo "$cluster_id" >"$run_dir/cluster-id"
fi

cat >"$run_dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$run_dir/data
num.partitions=3
auto.create.topics.enable=true
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
group.initial.rebalance.delay.ms=0
log.retention.hours=24
EOF

cat >"$run_dir/log4j.properties" <<EOF
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$run_dir/logs/server.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
EOF

java_opts=(-Xms"$heap" -Xmx"$heap" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true
  -Dlog4j.configuration="file:$run_dir/log4j.properties")

say "formatting $run_dir/data (cluster $cluster_id)"
java "${java_opts[@]}" -cp "$lib_dir/*" kafka.tools.StorageTool format \
  --cluster-id="$cluster_id" -c "$run_dir/server.properties" --ignore-formatted >"$run_dir/logs/format.log" 2>&1 ||
  { cat "$run_dir/logs/format.log" >&2; die "formatting the storage failed"; }

say "starting the broker on 127.0.0.1:$port (controller $controller_port, logs in $run_dir/logs)"
nohup java "${java_opts[@]}" -cp "$lib_dir/*" kafka.Kafka "$run_dir/server.properties" \
  >"$run_dir/logs/stdout.log" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$pid_file"

wait_ready "$pid"
say "ready (pid $pid)"
echo "KAFKA_BROKERS=127.0.0.1:$port"
