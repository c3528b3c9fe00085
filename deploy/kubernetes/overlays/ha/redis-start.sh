#!/bin/sh
# Starts one Redis data node of the ha overlay: a replica of the primary that the sentinels name, or, before
# any sentinel knows one (the very first start), of redis-0, which is then the primary itself.
set -eu

password=$(cat /run/secrets/redis/password)
me="$(hostname).redis"
primary=
for sentinel in sentinel-0.sentinel sentinel-1.sentinel sentinel-2.sentinel; do
  primary=$(redis-cli -h "$sentinel" -p 26379 --raw sentinel get-master-addr-by-name mymaster 2>/dev/null | head -n 1) || true
  [ -z "$primary" ] || break
done
: "${primary:=redis-0.redis}"
echo "redis-start: $me, primary $primary"

# The failover settings .ci/chaos.sh measures (docs/operations.md, "Failover settings"): a full copy for a replica
# sent at once, not after 5 s; a backlog for partial resyncs after minutes apart; no writes on a primary that has
# had no replica for 5 s.
set -- --appendonly yes --requirepass "$password" --masterauth "$password" --replica-announce-ip "$me" \
  --repl-diskless-sync-delay 0 --repl-backlog-size 16mb --min-replicas-to-write 1 --min-replicas-max-lag 5
if [ "$primary" != "$me" ]; then
  set -- "$@" --replicaof "$primary" 6379
fi
exec docker-entrypoint.sh redis-server "$@"
