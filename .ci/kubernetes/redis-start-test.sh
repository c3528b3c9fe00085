#!/usr/bin/env bash
# Runs the ha overlay's redis-start.sh against real redis-server and redis-sentinel processes, as the pods would
# (issue 21 item 7): three data nodes started by the script, three sentinels configured as sentinel-start.sh
# configures them, all under the pods' DNS names (redis-0.redis, sentinel-1.sentinel, ...) on loopback addresses of
# a network namespace of its own, each data node with its own host name and the Secret's file at
# /run/secrets/redis/password. Then the primary is SIGKILLed and started again at once by the same script, as the
# kubelet restarts a crashed container: it must come back as a replica of the node the sentinels promote, with the
# count it acknowledged, not as the primary. Also checks the maxmemory the script sets.
#   bash redis-start-test.sh [SCRIPT]   (root; SCRIPT defaults to deploy/kubernetes/overlays/ha/redis-start.sh)
# Prints what it saw; exits 1 on a failed check. Stops everything it started.
set -euo pipefail

if [[ ${1-} != --inside ]]; then
  script=$(realpath "${1:-$(dirname "$0")/../../deploy/kubernetes/overlays/ha/redis-start.sh}")
  work=$(mktemp -d /tmp/hit-counter-redis-start.XXXXXX)
  trap 'rm -rf "$work"' EXIT
  # Own network (loopback only), mounts (/etc/hosts, /run) and host name; the processes end with the namespace's
  # last process, which the inner part makes sure of.
  unshare --net --mount --uts --fork bash "$0" --inside "$script" "$work"
  exit
fi
script=$2
work=$3
fail() {
  echo "   FAILED: $*" >&2
  for log in "$work"/*.log; do tail -n 15 "$log" | sed "s#^#   | $(basename "$log" .log): #" >&2; done
  exit 1
}
pids=()
cleanup() { ((${#pids[@]} == 0)) || kill -KILL "${pids[@]}" 2>/dev/null || true; }
trap cleanup EXIT

ip link set lo up
cat >"$work/hosts" <<'HOSTS'
127.0.0.1 localhost
127.0.1.1 redis-0.redis
127.0.1.2 redis-1.redis
127.0.1.3 redis-2.redis
127.0.2.1 sentinel-0.sentinel
127.0.2.2 sentinel-1.sentinel
127.0.2.3 sentinel-2.sentinel
HOSTS
mount --bind "$work/hosts" /etc/hosts
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/secrets/redis
password=$(openssl rand -hex 16)
printf %s "$password" >/run/secrets/redis/password
export REDISCLI_AUTH=$password

# The official image's entry point, here: redis-server on the node's own address, in a folder of its own.
mkdir -p "$work/bin"
cat >"$work/bin/docker-entrypoint.sh" <<'SHIM'
#!/bin/sh
shift # redis-server
node=$(hostname)
mkdir -p "$WORK/$node"
exec redis-server "$@" --bind "$(getent hosts "$node.redis" | awk '{print $1}')" --dir "$WORK/$node" --save ''
SHIM
chmod +x "$work/bin/docker-entrypoint.sh"

start_node() { # N: runs the script as pod redis-N would
  unshare --uts env "PATH=$work/bin:$PATH" "WORK=$work" sh -c "hostname redis-$1 && exec sh '$script'" \
    >>"$work/redis-$1.log" 2>&1 &
  pids+=($!)
  eval "pid_$1=$!"
  disown # no "Killed" line from bash for the SIGKILL below
}
node() { redis-cli -h "redis-$1.redis" --raw "${@:2}" 2>/dev/null | tr -d '\r'; }
sentinel() { redis-cli -h sentinel-0.sentinel -p 26379 --raw "$@" 2>/dev/null | tr -d '\r'; }
wait_for() { # seconds description command...
  local until=$((SECONDS + $1)) what=$2
  shift 2
  until "$@"; do ((SECONDS < until)) || fail "$what"; sleep 0.2; done
}

for n in 0 1 2; do start_node "$n"; done
replicas_of_0() { [[ $(node 0 info replication | sed -n 's/^connected_slaves://p') == 2 ]]; }
wait_for 20 "redis-0 has 2 replicas" replicas_of_0
echo "   ok: first start, no sentinel answering: redis-0 primary, redis-1 and redis-2 its replicas"

# As sentinel-start.sh writes them (down-after 5 s, failover-timeout 5 s, parallel-syncs 3).
for n in 0 1 2; do
  cat >"$work/sentinel-$n.conf" <<CONF
port 26379
bind 127.0.2.$((n + 1))
dir $work
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel announce-ip sentinel-$n.sentinel
sentinel monitor mymaster redis-0.redis 6379 2
sentinel auth-pass mymaster $password
sentinel down-after-milliseconds mymaster 5000
sentinel failover-timeout mymaster 5000
sentinel parallel-syncs mymaster 3
CONF
  redis-server "$work/sentinel-$n.conf" --sentinel >"$work/sentinel-$n.log" 2>&1 &
  pids+=($!)
done
sentinels_ready() {
  local master
  master=$(sentinel sentinel master mymaster | paste -sd' ')
  [[ $master == *"num-slaves 2 "* && $master == *"num-other-sentinels 2 "* ]]
}
wait_for 30 "the sentinels know both replicas and each other" sentinels_ready
[[ $(node 0 config get maxmemory | sed -n 2p) == 268435456 && $(node 0 config get maxmemory-policy | sed -n 2p) == noeviction ]] \
  || fail "redis-0: maxmemory $(node 0 config get maxmemory | sed -n 2p), policy $(node 0 config get maxmemory-policy | sed -n 2p)"
echo "   ok: the sentinels monitor redis-0.redis with 2 replicas; maxmemory 268435456 (256mb), policy noeviction"

[[ $(node 0 set views 41) == OK && $(node 0 incr views) == 42 && $(node 0 wait 2 2000) == 2 ]] \
  || fail "views=42 acknowledged by both replicas"
# SIGKILL of redis-server (pid_0 ran the script, which became it), then the same script again at once.
# shellcheck disable=SC2154 # set by start_node through eval
kill -KILL "$pid_0"
killed=$SECONDS
start_node 0
echo "   redis-0 SIGKILLed with views=42 (WAIT 2: on both replicas) and started again by the script at once"
back() { [[ $(node 0 role | head -n 1) =~ ^(master|slave)$ ]]; }
wait_for 60 "redis-0 answers again" back
role=$(node 0 role | head -n 1)
primary=$(sentinel sentinel get-master-addr-by-name mymaster | head -n 1)
echo "   redis-0 back after $((SECONDS - killed)) s as $role; the sentinels name $primary; its start: $(grep 'redis-start:' "$work/redis-0.log" | tail -n 1)"
[[ $role == slave && $primary != redis-0.redis ]] \
  || fail "redis-0 came back as $role while the sentinels name $primary: no failover, the replicas follow a primary that restarted"
n=${primary#redis-}
n=${n%.redis}
[[ $(node "$n" get views) == 42 ]] || fail "the new primary $primary holds views=$(node "$n" get views), expected 42"
[[ $(node "$n" incr views) == 43 ]] || fail "INCR on the new primary"
synced() { [[ $(node 0 get views) == 43 ]]; }
wait_for 20 "redis-0 replicates the new primary (views=43)" synced
echo "   ok: redis-0 waited for the failover and follows $primary, which kept views=42; redis-0 has the next INCR (43)"
