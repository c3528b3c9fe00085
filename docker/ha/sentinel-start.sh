#!/bin/sh
# Starts one sentinel of docker-compose.ha.yml, monitoring the primary that the other sentinels name, else the
# data node that says it is a primary, else redis-1. A sentinel rewrites its config file, so each writes its own
# at every start, in its own /data.
set -eu

me=$(hostname)
primary=
for sentinel in sentinel-1 sentinel-2 sentinel-3; do
  [ "$sentinel" != "$me" ] || continue
  primary=$(redis-cli -h "$sentinel" -p 26379 --raw sentinel get-master-addr-by-name mymaster 2>/dev/null | head -n 1) || true
  [ -z "$primary" ] || break
done
if [ -z "$primary" ]; then
  for node in redis-1 redis-2 redis-3 redis-4; do
    if redis-cli -h "$node" --raw role 2>/dev/null | head -n 1 | grep -qx master; then
      primary=$node
      break
    fi
  done
fi
: "${primary:=redis-1}"
echo "sentinel-start: $me, primary $primary"

# Down after 5 s without an answer, a failover given 5 s, every replica repointed to the new primary at once:
# measured by .ci/chaos.sh (docs/operations.md, "Failover settings").
cat >/data/sentinel.conf <<CONF
port 26379
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel announce-ip $me
sentinel monitor mymaster $primary 6379 2
sentinel down-after-milliseconds mymaster 5000
sentinel failover-timeout mymaster 5000
sentinel parallel-syncs mymaster 3
CONF
exec docker-entrypoint.sh redis-server /data/sentinel.conf --sentinel
