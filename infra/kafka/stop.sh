#!/usr/bin/env bash
# Stops the broker started by start.sh: SIGTERM (controlled shutdown), then SIGKILL after a timeout.
#
# Environment (all optional):
#   KAFKA_RUN_DIR        the run directory given to start.sh   (infra/kafka/run)
#   KAFKA_STOP_TIMEOUT   seconds before SIGKILL                 (30)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
run_dir="${KAFKA_RUN_DIR:-$here/run}"
timeout="${KAFKA_STOP_TIMEOUT:-30}"
pid_file="$run_dir/kafka.pid"

say() { echo "kafka: $*" >&2; }

is_our_broker() {
  local args
  args="$(ps -p "$1" -o args= 2>/dev/null || true)"
  [[ "$args" == *kafka.Kafka* && "$args" == *"$run_dir/server.properties"* ]]
}

if [[ ! -f "$pid_file" ]]; then
  say "not running (no $pid_file)"
  exit 0
fi
pid="$(cat "$pid_file")"
if ! is_our_broker "$pid"; then
  say "not running (pid $pid is gone)"
  rm -f "$pid_file"
  exit 0
fi

kill -TERM "$pid" 2>/dev/null || true
deadline=$(($(date +%s) + timeout))
while is_our_broker "$pid" && (($(date +%s) < deadline)); do sleep 0.2; done

if is_our_broker "$pid"; then
  say "still running after ${timeout}s; killing pid $pid"
  kill -KILL "$pid" 2>/dev/null || true
  while is_our_broker "$pid"; do sleep 0.1; done
fi
rm -f "$pid_file"
say "stopped (pid $pid)"
