#!/bin/sh
# Starts one Redis data node of the ha overlay: a replica of the primary that the sentinels name, or, before
# any sentinel knows one (the very first start), of redis-0, which is then the primary itself.
set -eu

password=$(cat /run/secrets/redis/password)
me="$(hostname).redis"
ask_sentinels() {
  for sentinel in sentinel-0.sentinel sentinel-1.sentinel sentinel-2.sentinel; do
    answer=$(redis-cli -h "$sentinel" -p 26379 --raw sentinel get-master-addr-by-name mymaster 2>/dev/null | head -n 1) \
      || true
    if [ -n "$answer" ]; then
      echo "$answer"
      return 0
    fi
  done
}
primary=$(ask_sentinels)
# Sentinels that still name this node have not noticed it died (the kubelet restarts a crashed container faster
# than down-after-milliseconds, 5 s). Coming back as the primary would end the failover that is due, and drop
# what the replicas have and its append-only file lacks, so it gives them 30 s (down-after, the election and the
# promotion) to promote one, as docker/ha/redis-start.sh does in Compose (issue 21 item 7).
tries=0
while [ "$primary" = "$me" ] && [ "$tries" -lt 60 ]; do
  sleep 0.5
  tries=$((tries + 1))
  primary=$(ask_sentinels)
done
: "${primary:=redis-0.redis}"
echo "redis-start: $me, primary $primary"

# The failover settings .ci/chaos.sh measures (docs/operations.md, "Failover settings"): a full copy for a replica
# sent at once, not after 5 s; a backlog for partial resyncs after minutes apart; no writes on a primary that has
# had no replica for 5 s. maxmemory with noeviction: a full Redis refuses writes (answered 503) instead of outgrowing
# its memory limit and being OOM-killed; the limit in redis.yaml is twice this (docs/operations.md#memory).
set -- --appendonly yes --requirepass "$password" --masterauth "$password" --replica-announce-ip "$me" \
  --repl-diskless-sync-delay 0 --repl-backlog-size 16mb --min-replicas-to-write 1 --min-replicas-max-lag 5 \
  --maxmemory 256mb --maxmemory-policy noeviction
if [ "$primary" != "$me" ]; then
  set -- "$@" --replicaof "$primary" 6379
fi
exec docker-entrypoint.sh redis-server "$@"
