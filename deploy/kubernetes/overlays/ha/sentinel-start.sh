#!/bin/sh
# Starts one sentinel of the ha overlay, monitoring the primary that the other sentinels name, else the data
# node that says it is a primary, else redis-0 (the very first start). Sentinel rewrites its config file, so
# it is written into the pod's own memory-backed volume at each start.
set -eu

password=$(cat /run/secrets/redis/password)
me="$(hostname).sentinel"
primary=
for sentinel in sentinel-0.sentinel sentinel-1.sentinel sentinel-2.sentinel; do
  [ "$sentinel" != "$me" ] || continue
  primary=$(redis-cli -h "$sentinel" -p 26379 --raw sentinel get-master-addr-by-name mymaster 2>/dev/null | head -n 1) || true
  [ -z "$primary" ] || break
done
if [ -z "$primary" ]; then
  for node in redis-0.redis redis-1.redis redis-2.redis redis-3.redis; do
    if REDISCLI_AUTH="$password" redis-cli -h "$node" --raw role 2>/dev/null | head -n 1 | grep -qx master; then
      primary=$node
      break
    fi
  done
fi
: "${primary:=redis-0.redis}"
# Sentinel refuses a monitor line whose host does not resolve yet (the pod may not exist yet).
tries=0
until getent hosts "$primary" >/dev/null; do
  tries=$((tries + 1))
  [ "$tries" -le 60 ] || { echo "sentinel-start: $primary does not resolve" >&2; exit 1; }
  sleep 1
done
echo "sentinel-start: $me, primary $primary"

# Down after 5 s without an answer, a failover given 5 s, every replica repointed to the new primary at once:
# measured by .ci/chaos.sh (docs/operations.md, "Failover settings").
umask 077
conf=/sentinel/sentinel.conf
cat >"$conf" <<CONF
port 26379
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel announce-ip $me
sentinel monitor mymaster $primary 6379 2
sentinel auth-pass mymaster $password
sentinel down-after-milliseconds mymaster 5000
sentinel failover-timeout mymaster 5000
sentinel parallel-syncs mymaster 3
CONF
exec redis-server "$conf" --sentinel
