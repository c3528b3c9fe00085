#!/bin/sh
# Starts one Redis data node of docker-compose.ha.yml: a replica of the primary the sentinels name, or, when no
# sentinel answers (the first start, or after `down`), of redis-1, which is then the primary itself.
set -eu

me=$(hostname)
ask_sentinels() {
  for sentinel in sentinel-1 sentinel-2 sentinel-3; do
    answer=$(redis-cli -h "$sentinel" -p 26379 --raw sentinel get-master-addr-by-name mymaster 2>/dev/null | head -n 1) \
      || true
    if [ -n "$answer" ]; then
      echo "$answer"
      return 0
    fi
  done
}
primary=$(ask_sentinels)
# Sentinels that still name this node have not noticed it died (it restarts faster than down-after-milliseconds,
# 5 s). Coming back as the primary would end the failover that is due, and drop what the replicas have and its
# append-only file lacks, so it gives them 30 s (down-after, the election and the promotion), as the Kubernetes
# overlay's script does.
tries=0
while [ "$primary" = "$me" ] && [ "$tries" -lt 60 ]; do
  sleep 0.5
  tries=$((tries + 1))
  primary=$(ask_sentinels)
done
: "${primary:=redis-1}"
echo "redis-start: $me, primary $primary"

# The address others reach it at is its service name, not the container's IP, which changes when it is recreated.
# The failover settings .ci/chaos.sh measures (docs/operations.md, "Failover settings"): a full copy for a replica
# sent at once, not after 5 s; a backlog for partial resyncs after minutes apart; no writes on a primary that has
# had no replica for 5 s.
set -- --appendonly yes --replica-announce-ip "$me" \
  --repl-diskless-sync-delay 0 --repl-backlog-size 16mb --min-replicas-to-write 1 --min-replicas-max-lag 5
# A full Redis refuses writes (answered 503) instead of outgrowing its memory limit, which is twice this
# (docs/operations.md#memory).
set -- "$@" --maxmemory 256mb --maxmemory-policy noeviction
if [ "$primary" != "$me" ]; then
  # The primary by its address, not its name. By name, the sentinels saw every replica down 0.7 s after the
  # primary was killed and aborted the failover (2 runs of .ci/ha.sh in 4), most likely because a replica resolves
  # the name on every reconnection, on its main thread, and the name of a container that is gone can take longer
  # than the sentinels' 1 s. The sentinels name the new primary to the replicas themselves when they fail over.
  address=$(getent hosts "$primary" | awk '{print $1; exit}') || true
  set -- "$@" --replicaof "${address:-$primary}" 6379
fi
exec docker-entrypoint.sh redis-server "$@"
