#!/usr/bin/env bash
# CI stage: proves docker-compose.ha.yml (issue 10 part 3) for real, as .ci/containers.sh proves docker-compose.yml:
# stand-in base images, Compose v2 against podman's Docker-compatible API in a network namespace of its own. Under
# load through the proxy (.ci/ha-load.py): 3,000 views counted exactly and spread over the three web replicas; one
# replica stopped without a failed request; the Redis primary SIGKILLed and counting resumed on a promoted replica;
# a replica SIGKILLed while it holds requests, none of them sent again to another one (issue 21 item 2); two client
# addresses counted as two visitors through the proxy (item 5); the proxy's own 503 as the app's (issue 26);
# Redis's maxmemory (item 6); `down` then `up` keeping the count. Prints what it measured. Called by .ci/run after
# .ci/kubernetes.sh; uses the tools .ci/containers.sh installs. Stops and removes everything it starts.
set -euo pipefail
cd "$(dirname "$0")/.."

stage_started=$SECONDS
CACHE=${HIT_COUNTER_CI_CACHE:-/var/cache/hit-counter-ci}
PROJECT=hit-counter-ci-ha # Compose project; the names below are this stage's own
NETNS=hit-counter-ci-ha
FILE=docker-compose.ha.yml
export WEB_PORT=18081
COUNTER_KEY=views

step() { echo "== ha $*"; }
ok() { echo "   ok: $*"; }
fail() {
  echo "   FAILED: $*" >&2
  exit 1
}

[[ -x $CACHE/docker-compose ]] || fail "$CACHE/docker-compose is missing: .ci/containers.sh installs it (run it first)"
for tool in buildah podman runc slirp4netns debootstrap; do
  command -v "$tool" >/dev/null || fail "$tool is missing: .ci/containers.sh installs it (run it first)"
done

# The containers stage's lock: both bring a Compose stack up on the same two cores, so they take turns.
mkdir -p /run/lock
exec 9>/run/lock/hit-counter-containers.lock
lock_asked=$SECONDS
flock 9
waited=$((SECONDS - lock_asked))
stage_started=$SECONDS

work=$(mktemp -d /tmp/hit-counter-ha.XXXXXX)
# The secret every web replica keys unique visitors with (docs/scaling.md, step 1).
export UNIQUE_VISITORS_SECRET=$work/unique-visitors-secret
(umask 022 && openssl rand -base64 48 >"$UNIQUE_VISITORS_SECRET")
export CONTAINERS_CONF=$PWD/.ci/podman-containers.conf

service_pid=
ticker_pid=
load_pid=
compose=(env "DOCKER_HOST=unix://$work/podman.sock" DOCKER_BUILDKIT=0 "$CACHE/docker-compose" -p "$PROJECT" -f "$FILE")
remove_everything() {
  if [[ -n $load_pid ]]; then
    kill "$load_pid" 2>/dev/null || true
    wait "$load_pid" 2>/dev/null || true
  fi
  if [[ -n $service_pid ]]; then
    timeout 60 "${compose[@]}" down --volumes --timeout 5 >/dev/null 2>&1 || true
    kill "$service_pid" 2>/dev/null || true
    wait "$service_pid" 2>/dev/null || true
  fi
  if [[ -n $ticker_pid ]]; then
    kill "$ticker_pid" 2>/dev/null || true
    wait "$ticker_pid" 2>/dev/null || true
  fi
  local ids volume
  mapfile -t ids < <(podman ps -aq --filter "label=com.docker.compose.project=$PROJECT" 2>/dev/null || true)
  ((${#ids[@]} == 0)) || podman rm -f "${ids[@]}" >/dev/null 2>&1 || true
  for volume in redis-1-data redis-2-data redis-3-data redis-4-data; do
    podman volume rm -f "${PROJECT}_$volume" >/dev/null 2>&1 || true
  done
  podman network rm -f "${PROJECT}_default" >/dev/null 2>&1 || true
  ip netns del "$NETNS" 2>/dev/null || true
}
on_exit() {
  local status=$?
  remove_everything
  rm -rf "$work"
  if ((status == 0)); then
    echo "== ha: all steps passed in $((SECONDS - stage_started)) s (after $waited s waiting for the lock)"
  else
    echo "== ha: FAILED (exit $status) after $((SECONDS - stage_started)) s" >&2
  fi
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
remove_everything # what a run that was killed may have left

step "1/8: stand-in base images ($(podman --version), Compose $("$CACHE/docker-compose" version --short))"
bash docker/standins/make-standins.sh | sed 's/^/   /'
standins=$(bash docker/standins/make-standins.sh --list)
while read -r ref; do
  [[ $ref == */* ]] || ref=docker.io/library/$ref
  grep -qxF "$ref" <<<"$standins" || fail "$ref (named in $FILE) has no stand-in"
done < <(awk '$1 == "image:" {print $2}' "$FILE" | sort -u)
ok "every image $FILE names has a stand-in (Debian-based, see above)"

step "2/8: $FILE brought up (WEB_PORT=$WEB_PORT, in network namespace $NETNS)"
# Built here first, on the host's network: Compose's build below runs in the namespace, which reaches no Maven
# repository, and takes every layer from this build's cache (as in .ci/containers.sh).
started=$SECONDS
buildah bud --pull=never --isolation chroot --format docker --layers --force-rm -f docker/Dockerfile --target runtime \
  -t localhost/hit-counter:ci-ha . >"$work/build.log" 2>&1 || { tail -20 "$work/build.log" >&2; fail "build of target runtime"; }
echo "   built target runtime in $((SECONDS - started)) s ($(grep -c 'Using cache' "$work/build.log" || true) layers from the cache)"
ip netns add "$NETNS"
ip netns exec "$NETNS" ip link set lo up
in_netns() { nsenter --net="/run/netns/$NETNS" "$@"; }
nsenter --net="/run/netns/$NETNS" env BUILDAH_ISOLATION=chroot podman system service --time=0 "unix://$work/podman.sock" \
  >"$work/podman-service.log" 2>&1 9>&- &
service_pid=$!
# Without systemd podman schedules no healthchecks; this plays the engine's part (as in .ci/containers.sh).
(
  while sleep 2; do
    for id in $(podman ps -q --filter "label=com.docker.compose.project=$PROJECT"); do
      podman healthcheck run "$id" >/dev/null 2>&1 || true
    done
  done
) 9>&- &
ticker_pid=$!
for _ in $(seq 50); do [[ -S $work/podman.sock ]] && break; sleep 0.1; done
show_logs() { podman logs --tail 30 "$1" 2>&1 | sed "s/^/   | $1: /" >&2; }
up() { # extra args of compose up
  local started=$SECONDS
  if ! timeout 300 "${compose[@]}" up --detach --wait --wait-timeout 150 "$@" >"$work/compose-up.log" 2>&1; then
    tail -40 "$work/compose-up.log" >&2
    for c in $(podman ps -aq --filter "label=com.docker.compose.project=$PROJECT"); do
      show_logs "$(podman inspect --format '{{.Name}}' "$c")"
    done
    fail "compose up $*"
  fi
  echo "   compose up${*:+ $*} -> all services healthy (or running) in $((SECONDS - started)) s"
}
up --build
webs=()
mapfile -t webs < <(podman ps --format '{{.Names}}' --filter "label=com.docker.compose.project=$PROJECT" \
  --filter "label=com.docker.compose.service=web" | sort)
((${#webs[@]} == 3)) || fail "web: ${#webs[@]} replicas running (${webs[*]}), expected 3 from deploy.replicas"
ok "web: 3 replicas from deploy: replicas: 3 (${webs[*]})"
for c in $(podman ps --format '{{.Names}}' --filter "label=com.docker.compose.project=$PROJECT" | sort); do
  published=$(podman port "$c")
  if [[ $c == "$PROJECT-proxy-1" ]]; then
    [[ $published == "8080/tcp -> 0.0.0.0:$WEB_PORT" ]] || fail "proxy publishes: $published"
  else
    [[ -z $published ]] || fail "$c publishes: $published"
  fi
done
ok "only the proxy publishes a port (8080 -> $WEB_PORT); web, redis-N and sentinel-N publish none"

sentinel_says() { podman exec "$PROJECT-sentinel-1-1" redis-cli -p 26379 "$@"; }
primary() { sentinel_says --raw sentinel get-master-addr-by-name mymaster | head -n 1; }
views_on() { podman exec "$PROJECT-$1-1" redis-cli --raw get "$COUNTER_KEY"; }
count() { # the counter, read from the primary the sentinels name
  local value
  value=$(views_on "$(primary)")
  echo "${value:-0}"
}
load() { # ha-load.py args, inside the stack's network namespace
  in_netns python3 .ci/ha-load.py --url "http://127.0.0.1:$WEB_PORT/" "$@"
}
field() { python3 -c 'import json, sys; v = json.loads(sys.argv[1]); [v := v[k] for k in sys.argv[2:]]; print(v)' "$@"; }
under_load() { # name clients seconds-after command...: runs command under load, SECONDS before stopping the load
  local name=$1 clients=$2 after=$3
  shift 3
  rm -f "$work/$name".*
  load --clients "$clients" --seconds 60 --started-file "$work/$name.started" --stop-file "$work/$name.stop" \
    --event-file "$work/$name.event" >"$work/$name.json" &
  load_pid=$!
  for _ in $(seq 100); do [[ -e $work/$name.started ]] && break; sleep 0.1; done
  [[ -e $work/$name.started ]] || fail "the load did not start within 10 s"
  sleep 1
  date +%s.%N >"$work/$name.event"
  "$@"
  sleep "$after"
  touch "$work/$name.stop"
  wait "$load_pid"
  load_pid=
}
first_primary=$(primary)
[[ $first_primary == redis-1 ]] || fail "the sentinels name $first_primary as the primary, expected redis-1"
replicas=$(podman exec "$PROJECT-redis-1-1" redis-cli --raw info replication | tr -d '\r' | sed -n 's/^connected_slaves://p')
[[ $replicas == 3 ]] || fail "redis-1 has $replicas replicas connected, expected 3"
known=$(sentinel_says --raw sentinel sentinels mymaster | grep -c '^name$' || true)
((known == 2)) || fail "sentinel-1 knows $known other sentinels, expected 2"
ok "the sentinels name redis-1 the primary; it has 3 replicas connected; sentinel-1 knows the 2 other sentinels"
memory=$(podman exec "$PROJECT-redis-1-1" sh -c 'redis-cli --raw config get maxmemory | tail -n 1;
  redis-cli --raw config get maxmemory-policy | tail -n 1' | paste -sd' ')
limit=$(podman inspect --format '{{.HostConfig.Memory}}' "$PROJECT-redis-1-1")
[[ $memory == "268435456 noeviction" && $limit == $((2 * 268435456)) ]] \
  || fail "redis-1's maxmemory and policy: $memory; its memory limit: $limit (expected 268435456 noeviction, 536870912)"
ok "redis-1: CONFIG GET maxmemory 268435456 (256 MiB), maxmemory-policy noeviction; memory limit 512 MiB"

step "3/8: 3,000 views through the proxy"
before=$(count)
summary=$(load --clients 8 --views 3000)
echo "   load: $summary"
after=$(count)
[[ $(field "$summary" statuses) == "{'200': 3000}" ]] || fail "3,000 views: not all answered 200: $(field "$summary" statuses)"
((after - before == 3000)) || fail "the counter on the primary grew by $((after - before)) ($before -> $after), expected 3000"
ok "the counter on the primary (redis-1) grew by exactly 3000 ($before -> $after), every view answered 200"
served_total=0
for web in "${webs[@]}"; do
  served=$(podman exec "$web" curl -s http://127.0.0.1:8080/metrics | awk '$1 == "hitcounter_views_total" {print int($2)}')
  ((served > 0)) || fail "$web counted no view (hitcounter_views_total ${served:-missing})"
  echo "   $web: hitcounter_views_total $served"
  served_total=$((served_total + served))
done
((served_total == 3000)) || fail "the replicas' hitcounter_views_total add up to $served_total, expected 3000"
ok "each replica served some, by its own /metrics (total $served_total); by the proxy's X-Served-By: $(field "$summary" served_by)"

step "4/8: one web replica stopped under load (8 clients)"
stop_web() {
  # podman says on stderr that it cannot remove the healthcheck's systemd timer, which CI has not.
  in_netns podman stop --time 15 "$1" >/dev/null 2>"$work/stop.err" || { cat "$work/stop.err" >&2; fail "podman stop $1"; }
  echo "   $1 stopped (podman stop, SIGTERM) in $(python3 -c "import time; print(f'{time.time() - $(cat "$work/stop.event"):.1f}')") s"
}
under_load stop 8 3 stop_web "${webs[1]}"
summary=$(cat "$work/stop.json")
echo "   load: $summary"
# A request whose connection the replica's kernel accepted but the app had not yet taken when it closed its
# listener is reset unread; the proxy cannot tell that from a replica that read it, counted and died, so it
# answers 502 and does not send it again (step 6). At most one per client can be caught so; nothing else may fail.
statuses_after=$(field "$summary" event statuses_after)
python3 -c 'import ast, sys; s = ast.literal_eval(sys.argv[1]); sys.exit(not (set(s) <= {"200", "502"} and s.get("502", 0) <= 8))' \
  "$statuses_after" || fail "requests sent after the stop failed otherwise than a 502 each for a few caught as the listener closed: $statuses_after"
[[ $(field "$summary" event in_flight_failed) == 0 ]] \
  || echo "   note: $(field "$summary" event in_flight_failed) of the $(field "$summary" event in_flight) requests in flight at the stop failed"
ok "of the $(field "$summary" event started_after) requests sent after the stop, $(field "$summary" event failed_after) failed (502, caught as the listener closed; at most 8 allowed): $statuses_after;" \
  "of the $(field "$summary" event in_flight) in flight at the stop, $(field "$summary" event in_flight_failed) failed"

step "5/8: the Redis primary SIGKILLed under load (16 clients)"
old_primary=$(primary)
before=$(count)
# SIGKILL of the container's main process, redis-server: to the engine the container died, as on a crash or an
# OOM kill, so its restart policy applies (after a podman kill, in a trial run, it stayed stopped).
pid=$(podman inspect --format '{{.State.Pid}}' "$PROJECT-$old_primary-1")
# The load goes on 12 s after the kill: the Sentinels call the primary down after 5 s (down-after-milliseconds, issue 26)
# and promote a replica about 1 s later, or later on a loaded machine.
under_load kill 16 12 kill -KILL "$pid"
summary=$(cat "$work/kill.json")
echo "   load: $summary"
# When the sentinels saw it: their log lines of the failover, in seconds after the kill.
podman logs "$PROJECT-sentinel-1-1" 2>&1 | python3 -c '
import datetime, re, sys
kill = float(sys.argv[1])
for line in sys.stdin:
    m = re.match(r"\d+:X (\d+ \w+ \d+ [\d:.]+) [#*] ([-+][\w-]+) (.*)", line)
    if m and m.group(2) in ("+sdown", "+odown", "+elected-leader", "+selected-slave", "+promoted-slave",
                            "+failover-end", "+switch-master", "+new-epoch", "+vote-for-leader"):
        at = datetime.datetime.strptime(m.group(1), "%d %b %Y %H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc)
        if at.timestamp() >= kill:
            print(f"   | sentinel-1 {at.timestamp() - kill:6.3f} s {m.group(2)} {m.group(3)}")
' "$(cat "$work/kill.event")"
new_primary=$(primary)
if [[ -z $new_primary || $new_primary == "$old_primary" ]]; then
  for c in sentinel-1 sentinel-2 sentinel-3 redis-1 redis-2 redis-3 redis-4; do show_logs "$PROJECT-$c-1"; done
  fail "the sentinels still name $new_primary the primary"
fi
ok "the sentinels promoted $new_primary ($old_primary killed)"
first_200=$(field "$summary" event first_200_after_s)
slowest=$(field "$summary" event slowest_around_s)
statuses=$(field "$summary" event statuses_after)
echo "   measured: first 200 ${first_200} s after the kill, slowest answer ${slowest} s, after the kill: $statuses"
[[ $first_200 != None ]] || fail "no 200 after the kill"
# The sentinels call it down after 5 s without an answer (down-after-milliseconds, issue 26), then promote.
python3 -c "import sys; sys.exit(not float('$first_200') <= 10)" || fail "first 200 $first_200 s after the kill, over 10 s"
python3 -c "import sys; sys.exit(not float('$slowest') <= 1)" || fail "slowest answer $slowest s, over 1 s"
[[ $(field "$summary" event failed_after_not_503) == 0 ]] || fail "answers other than 200 and 503 after the kill: $statuses"
[[ $(field "$summary" statuses) != *500* ]] || fail "a 500: $(field "$summary" statuses)"
ok "first 200 within 10 s of the kill ($first_200 s), slowest answer within 1 s ($slowest s), no 500 (503 while no primary)"
after=$(count)
answered=$(field "$summary" statuses | python3 -c 'import ast, sys; print(ast.literal_eval(sys.stdin.read()).get("200", 0))')
echo "   views answered 200 during the run: $answered; the counter on $new_primary grew by $((after - before))" \
  "($((answered - (after - before))) answered but not on the new primary; REDIS_WAIT_REPLICAS is off)"
# The killed node comes back by its restart policy and follows the new primary.
for _ in $(seq 60); do
  role=$(podman exec "$PROJECT-$old_primary-1" redis-cli --raw role 2>/dev/null | head -n 1) || true
  [[ $role == slave ]] && break
  sleep 0.5
done
[[ $role == slave ]] || fail "$old_primary did not come back as a replica (role: ${role:-not running})"
ok "$old_primary came back (restart: unless-stopped) as a replica of $new_primary"

step "6/8: a web replica SIGKILLed while it holds requests: none is sent again to another replica"
# The replica's JVM is stopped, so the requests HAProxy sends it in the next second (before its check fails) wait
# in its accept queue; then it is killed, as on a crash or an OOM kill, and its connections are reset. HAProxy
# must answer those requests 502, not send them to another replica: a replica that read a GET may have counted it
# (retry-on empty-response did that; issue 21 item 2). So each request held for the whole stop must fail, and
# the counter grows by the 200s alone.
victim=${webs[0]}
for _ in $(seq 120); do podman exec "$victim" curl -fs -o /dev/null http://127.0.0.1:8080/readyz 2>/dev/null && break; sleep 0.5; done
sleep 2 # HAProxy's next check (every second) finds it ready
pid=$(podman inspect --format '{{.State.Pid}}' "$victim")
[[ $(ps -o comm= -p "$pid") == java ]] || fail "$victim's main process is $(ps -o comm= -p "$pid"), not the JVM"
before=$(count)
kill -STOP "$pid"
held_pids=()
for i in $(seq 8); do
  in_netns curl -s -o /dev/null --max-time 30 -w '%{http_code} %{time_total}\n' "http://127.0.0.1:$WEB_PORT/" \
    >"$work/held.$i" &
  held_pids+=($!)
done
sleep 4
kill -KILL "$pid"
wait "${held_pids[@]}" || true
after=$(count)
answers=$(cat "$work"/held.*)
held=$(awk '$2 >= 2' <<<"$answers") # the others are answered in well under a second
echo "   $victim's JVM SIGSTOPped, 8 requests sent, SIGKILLed 4 s later; answers (status, seconds): $(paste -sd',' <<<"$answers")"
[[ -n $held ]] || fail "no request was held by the stopped replica (all answered within 2 s): the scenario did not happen"
awk '$1 == 200 {found = 1} END {exit found}' <<<"$held" \
  || fail "a request held by the killed replica was answered 200: HAProxy sent it again to another replica ($(paste -sd',' <<<"$held"))"
awk '$1 !~ /^50[234]$/ {found = 1} END {exit found}' <<<"$held" || fail "held requests answered: $(paste -sd',' <<<"$held")"
served=$(awk '$1 == 200' <<<"$answers" | wc -l)
((after - before == served)) || fail "the counter grew by $((after - before)) ($before -> $after) for $served 200s"
ok "the $(wc -l <<<"$held") requests the killed replica held answered $(awk '{print $1}' <<<"$held" | sort | uniq -c | awk '{printf "%s%s x %s", sep, $1, $2; sep=", "}'), none sent again; the counter grew by the $served 200s exactly"

step "7/8: two client addresses are two visitors (X-Forwarded-For); the proxy's own 503 is the app's"
# Two addresses of this namespace's own (TEST-NET-1, on its loopback), each asking the proxy's address.
proxy=http://172.31.80.250:8080
in_netns ip addr add 192.0.2.1/32 dev lo
in_netns ip addr add 192.0.2.2/32 dev lo
visit() { # from-address [curl args]: one counted view of page ha-visitors, same User-Agent
  in_netns curl -s --fail --interface "$1" -X POST -A 'ha.sh one browser' "${@:2}" "$proxy/api/pages/ha-visitors/views" >/dev/null \
    || fail "POST /api/pages/ha-visitors/views from $1"
}
visit 192.0.2.1
visit 192.0.2.2
visit 192.0.2.1
# A client cannot claim another address: the proxy appends the one it saw, which the app takes.
visit 192.0.2.2 -H 'X-Forwarded-For: 198.51.100.7'
page=$(in_netns curl -s "$proxy/api/pages/ha-visitors")
[[ $(field "$page" views) == 4 && $(field "$page" uniqueVisitors today) == 2 ]] \
  || fail "4 views from 192.0.2.1 and 192.0.2.2 with one User-Agent (one claiming 198.51.100.7): $page"
ok "4 views from 2 addresses with one User-Agent, one with its own X-Forwarded-For: $page"
# Every running replica ready, then all stopped: HAProxy has none left and answers itself.
mapfile -t running < <(podman ps --format '{{.Names}}' --filter "label=com.docker.compose.project=$PROJECT" \
  --filter "label=com.docker.compose.service=web" --filter status=running)
for web in "${running[@]}"; do
  for _ in $(seq 120); do podman exec "$web" curl -fs -o /dev/null http://127.0.0.1:8080/readyz 2>/dev/null && break; sleep 0.5; done
done
jvms=()
for web in "${running[@]}"; do jvms+=("$(podman inspect --format '{{.State.Pid}}' "$web")"); done
kill -STOP "${jvms[@]}"
for _ in $(seq 40); do
  status=$(in_netns curl -s -o /dev/null --max-time 2 -w '%{http_code}' "http://127.0.0.1:$WEB_PORT/" || true)
  [[ $status == 503 ]] && break
  sleep 0.25
done
in_netns curl -s -D "$work/503.headers" -o "$work/503.body" --max-time 2 "http://127.0.0.1:$WEB_PORT/" || true
kill -CONT "${jvms[@]}"
[[ $status == 503 ]] || fail "with every replica (${running[*]}) stopped the proxy answered ${status:-nothing}, not 503"
head -n 1 "$work/503.headers" | grep -q ' 503' || fail "the proxy's answer: $(head -n 1 "$work/503.headers")"
grep -qix 'retry-after: 1'$'\r' "$work/503.headers" || fail "the proxy's 503 has no Retry-After: 1: $(tr -d '\r' <"$work/503.headers" | paste -sd'|')"
cmp -s "$work/503.body" src/main/webapp/WEB-INF/errors/503.html || fail "the proxy's 503 page is not the app's: $(cat "$work/503.body")"
ok "every replica stopped (${running[*]}): the proxy's own 503 has Retry-After: 1 and the app's 503 page ($(grep -o '<p>.*</p>' "$work/503.body"))"
for _ in $(seq 80); do
  [[ $(in_netns curl -s -o /dev/null --max-time 2 -w '%{http_code}' "http://127.0.0.1:$WEB_PORT/" || true) == 200 ]] && break
  sleep 0.25
done

step "8/8: down (keeping the volumes), then up"
sleep 1 # the replicas take the last writes
kept=$(count)
"${compose[@]}" down --timeout 15 >/dev/null 2>&1
up
after=$(count)
[[ $after == "$kept" ]] || fail "after down and up the counter is $after, expected $kept"
summary=$(load --clients 2 --views 10)
[[ $(field "$summary" statuses) == "{'200': 10}" ]] || fail "after down and up: $(field "$summary" statuses)"
ok "after down and up the count is $after, as before; 10 more views through the proxy answered 200 (primary $(primary))"

"$CACHE/docker-compose" -f "$FILE" config --quiet || fail "docker compose config"
"$CACHE/npm/node_modules/.bin/dclint" --max-warnings 0 "$FILE" >"$work/dclint.log" 2>&1 \
  || fail "dclint: $(cat "$work/dclint.log")"
ok "$FILE: compose config --quiet, dclint (no error or warning)"
