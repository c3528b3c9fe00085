#!/usr/bin/env bash
# CI stage: the chaos soak (issue 26). Real processes on loopback, no containers: a Redis primary with three
# replicas (append-only file on), three Sentinels, two embedded apps with REDIS_WAIT_REPLICAS=3, and HAProxy
# running docker/haproxy/haproxy.cfg's own rules; 16 keep-alive clients through it while faults come one at a time
# from a seeded schedule. .ci/chaos.py does the work and the checks; this builds the classpath, gives it a
# temporary directory and removes everything afterwards, also on failure.
#   .ci/chaos.sh                          # CI: seed 26, 90 s
#   .ci/chaos.sh --seed 7 --seconds 300   # any seed, any length; --help for the rest
# Called by .ci/run after .ci/ha.sh; needs redis-server, haproxy, java and python3 on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in redis-server haproxy java python3; do
  command -v "$tool" >/dev/null || { echo "FAILED: $tool is not on PATH" >&2; exit 1; }
done
args=("$@")
[[ " $* " == *" --seed "* ]] || args=(--seed 26 "${args[@]}")

started=$SECONDS
work=$(mktemp -d /tmp/hit-counter-chaos.XXXXXX)
soak_pid=
on_exit() {
  local status=$?
  if [[ -n $soak_pid ]] && kill -0 "$soak_pid" 2>/dev/null; then
    kill -TERM "$soak_pid" 2>/dev/null || true
    wait "$soak_pid" 2>/dev/null || true
  fi
  # Whatever chaos.py started and did not stop (it was killed itself): by the ids it wrote down.
  if [[ -f $work/pids ]]; then
    while read -r pid; do
      kill -CONT "$pid" 2>/dev/null || true
      kill -KILL "$pid" 2>/dev/null || true
    done <"$work/pids"
  fi
  if ((status != 0)) && [[ -d $work ]]; then
    for log in "$work"/*.log; do
      [[ -f $log ]] || continue
      echo "   --- last lines of $(basename "$log")" >&2
      tail -n 15 "$log" | sed 's/^/   | /' >&2
    done
  fi
  rm -rf "$work"
  echo "== chaos: $( ((status == 0)) && echo passed || echo "FAILED (exit $status)") in $((SECONDS - started)) s"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The app as the tests start it (LauncherProcess): target/classes and the dependencies, Tomcat included.
./mvnw -q -DskipTests compile dependency:build-classpath -Dmdep.outputFile="$work/classpath" >"$work/maven.log" 2>&1 \
  || { cat "$work/maven.log" >&2; exit 1; }
python3 .ci/chaos.py --work "$work" --classpath "$PWD/target/classes:$(cat "$work/classpath")" --check-stacks \
  "${args[@]}" &
soak_pid=$!
wait "$soak_pid"
