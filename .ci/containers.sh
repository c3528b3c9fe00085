#!/usr/bin/env bash
# CI stage: proves docker/Dockerfile and docker-compose.yml for real on a machine with no Docker engine and no
# registry (docs/containers.md): stand-in base images, buildah builds of the runtime and test targets, the image
# run with podman, the Compose stack brought up against podman's Docker-compatible API (also with
# docker-compose.monitoring.yml's Prometheus and with docker-compose.secure.yml), then linters.
# Installs what it needs; stops and removes everything it starts. Called by .ci/run after the Maven tests.
set -euo pipefail
cd "$(dirname "$0")/.."

stage_started=$SECONDS
CACHE=${HIT_COUNTER_CI_CACHE:-/var/cache/hit-counter-ci} # tools kept between runs on the same machine
IMAGE=localhost/hit-counter:ci
TEST_IMAGE=localhost/hit-counter:ci-test
PROJECT=hit-counter-ci                 # Compose project; the names below are this stage's own
POD=hit-counter-ci
NETNS=hit-counter-ci
DCLINT_VERSION=3.1.0
DOCKERFILE_UTILS_VERSION=0.16.3
# docker-compose.yml's switch to Valkey, as docs/operations.md and the file's own comment give it (issue 22 part 3).
VALKEY_IMAGE=valkey/valkey:8.1.1

step() { echo "== containers $*"; }
ok() { echo "   ok: $*"; }
fail() {
  echo "   FAILED: $*" >&2
  exit 1
}

# One run at a time on a machine: the names and ports above are fixed.
mkdir -p /run/lock
exec 9>/run/lock/hit-counter-containers.lock
flock 9

work=$(mktemp -d /tmp/hit-counter-containers.XXXXXX)
export CONTAINERS_CONF=$PWD/.ci/podman-containers.conf

service_pid=
ticker_pid=
compose=(env "DOCKER_HOST=unix://$work/podman.sock" DOCKER_BUILDKIT=0 "$CACHE/docker-compose" -p "$PROJECT")
remove_everything() {
  if [[ -n $service_pid ]]; then
    timeout 60 "${compose[@]}" down --volumes --timeout 5 >/dev/null 2>&1 || true
    kill "$service_pid" 2>/dev/null || true
    wait "$service_pid" 2>/dev/null || true
  fi
  if [[ -n $ticker_pid ]]; then
    kill "$ticker_pid" 2>/dev/null || true
    wait "$ticker_pid" 2>/dev/null || true
  fi
  local ids
  mapfile -t ids < <(podman ps -aq --filter "label=com.docker.compose.project=$PROJECT" 2>/dev/null || true)
  ((${#ids[@]} == 0)) || podman rm -f "${ids[@]}" >/dev/null 2>&1 || true
  podman pod rm -f "$POD" >/dev/null 2>&1 || true
  podman rm -f "$POD-bad-setting" >/dev/null 2>&1 || true
  podman volume rm -f "${PROJECT}_db-data" "${PROJECT}_prometheus-data" >/dev/null 2>&1 || true
  podman network rm -f "${PROJECT}_default" >/dev/null 2>&1 || true
  ip netns del "$NETNS" 2>/dev/null || true
}
on_exit() {
  local status=$?
  remove_everything
  rm -rf "$work"
  if ((status == 0)); then
    echo "== containers: all steps passed in $((SECONDS - stage_started)) s"
  else
    echo "== containers: FAILED (exit $status) after $((SECONDS - stage_started)) s" >&2
  fi
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
remove_everything # what a run that was killed may have left

step "0/5: tools"
missing=()
for pkg in buildah podman runc slirp4netns debootstrap shellcheck; do
  command -v "$pkg" >/dev/null || missing+=("$pkg")
done
if ((${#missing[@]} > 0)); then
  echo "   apt-get install ${missing[*]}"
  apt-get -o DPkg::Lock::Timeout=600 -qq update
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -qq install -y "${missing[@]}" >/dev/null
fi
mkdir -p "$CACHE"
# Compose v2 (develop.watch, healthcheck conditions, --wait): Debian ships it from trixie on, as a plain binary
# with no dependency beyond libc. It is fetched with apt from trixie into a private apt state of its own, so the
# machine's apt sources stay as they are.
if [[ ! -x $CACHE/docker-compose ]]; then
  mirror=$(bash docker/standins/make-standins.sh --mirror)
  apt_dir=$work/apt-trixie
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" >"$apt_dir/sources.list"
  apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null -o APT::Sandbox::User=root
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir" -o "Dir::Cache::archives=$apt_dir/archives")
  apt-get "${apt_opts[@]}" -qq update
  (cd "$apt_dir" && apt-get "${apt_opts[@]}" -qq download docker-compose)
  dpkg-deb -x "$apt_dir"/docker-compose_*.deb "$apt_dir/root"
  install -m 755 "$apt_dir/root/usr/libexec/docker/cli-plugins/docker-compose" "$CACHE/docker-compose"
fi
npm_bin=$CACHE/npm/node_modules/.bin
if [[ $("$npm_bin/dclint" --version 2>/dev/null) != "$DCLINT_VERSION" || ! -x $npm_bin/dockerfile-utils ]] \
  || ! grep -qs "\"version\": \"$DOCKERFILE_UTILS_VERSION\"" "$CACHE/npm/node_modules/dockerfile-utils/package.json"; then
  npm install --silent --no-audit --no-fund --prefix "$CACHE/npm" \
    "dclint@$DCLINT_VERSION" "dockerfile-utils@$DOCKERFILE_UTILS_VERSION" >/dev/null
fi
echo "   $(buildah --version | cut -d' ' -f1-3), $(podman --version), $(runc --version | head -1)," \
  "Compose $("$CACHE/docker-compose" version --short) (Debian trixie), dclint $DCLINT_VERSION," \
  "dockerfile-utils $DOCKERFILE_UTILS_VERSION, $(shellcheck --version | sed -n 2p)"

step "1/5: stand-in base images"
bash docker/standins/make-standins.sh
# Every base the files name must be one of the stand-ins, with exactly that tag.
qualified() {
  local ref=$1
  [[ $ref == */* ]] || ref=library/$ref
  [[ ${ref%%/*} == *.* || ${ref%%/*} == localhost ]] || ref=docker.io/$ref
  echo "$ref"
}
standins=$(bash docker/standins/make-standins.sh --list)
# FROM [--platform=...] IMAGE [AS NAME]: the flag dropped first.
froms=$(awk 'toupper($1) == "FROM" {$1 = ""; sub(/^ *(--[a-z]+=[^ ]+ +)*/, ""); print}' docker/Dockerfile)
stages=$(awk 'toupper($2) == "AS" {print $3}' <<<"$froms")
# An image given as ${VARIABLE:-default} is named by its default; the Valkey switch's image is named too.
compose_images() { awk '$1 == "image:" {print $2}' "$@" | sed -E 's/^\$\{[A-Z_]+:-(.*)\}$/\1/'; }
named=$(awk '{print $1}' <<<"$froms" | grep -vxF "$stages"
  compose_images docker-compose.yml docker-compose.monitoring.yml
  echo "$VALKEY_IMAGE")
for ref in $named; do
  grep -qxF "$(qualified "$ref")" <<<"$standins" || fail "$ref (named in the files) has no stand-in"
  ok "$ref: stand-in present (Debian-based, see above)"
done

step "2/5: buildah bud --pull=never (runtime and test targets)"
build() {
  local target=$1 tag=$2 log=$work/build-$1.log started=$SECONDS
  if ! buildah bud --pull=never --isolation chroot --format docker --layers --force-rm \
    -f docker/Dockerfile --target "$target" -t "$tag" . >"$log" 2>&1; then
    { grep -A30 '^\[INFO\] Results:' "$log" || true; tail -15 "$log"; } | sed 's/^/   | /' >&2
    fail "build of target $target"
  fi
  echo "   built target $target as $tag in $((SECONDS - started)) s"
}
build runtime "$IMAGE"
build test "$TEST_IMAGE"
if grep -A1 'RUN ./mvnw verify' "$work/build-test.log" | grep -q 'Using cache'; then
  ok "test target: ./mvnw verify passed inside the image (layer cached: these same sources passed before)"
else
  grep -E '^\[INFO\] Tests run: [0-9]+, Failures: 0, Errors: 0, Skipped: [0-9]+$' "$work/build-test.log" \
    | sed 's/^/   /'
  ok "test target: ./mvnw verify passed inside the image"
fi

step "3/5: podman run of $IMAGE beside a Redis"
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
echo "   image size: $((size / 1000000)) MB ($size bytes)"
config=$(podman image inspect --format '{{.Config.User}}|{{json .Config.ExposedPorts}}|{{json .Config.Cmd}}' "$IMAGE")
[[ $config == '10001:10001|{"8080/tcp":{}}|["catalina.sh","run"]' ]] || fail "image config: $config"
ok "image config: USER 10001, EXPOSE 8080, exec-form CMD catalina.sh run"
env=$(podman image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$IMAGE")
grep -qx 'EXIT_ON_STARTUP_ERROR=true' <<<"$env" || fail "image config: no ENV EXIT_ON_STARTUP_ERROR=true in: $env"
ok "image config: ENV EXIT_ON_STARTUP_ERROR=true"
healthcheck=$(podman image inspect --format '{{json .HealthCheck.Test}}' "$IMAGE")
[[ $healthcheck == *'http://127.0.0.1:8080/readyz"]' ]] || fail "image healthcheck: $healthcheck"
ok "image healthcheck: $healthcheck"
contents=$(podman run --rm --pull=never --network none --no-healthcheck --user 0 --entrypoint sh "$IMAGE" \
  -c 'ls webapps; command -v javac mvn gcc || true; ls /root/.m2 2>/dev/null || true')
[[ $contents == ROOT ]] || fail "image contents: expected only webapps/ROOT and no build tools, got: $contents"
ok "image contents: webapps/ holds ROOT only (exploded); no javac, mvn, gcc or Maven repository"

# The image runs below as docker-compose.yml runs web: a read-only root with its tmpfs mounts, taken from the file.
# --read-only-tmpfs=false: podman would otherwise add writable /tmp, /var/tmp and /run, which Docker does not.
web_json=$("$CACHE/docker-compose" -f docker-compose.yml config --format json) || fail "docker compose config"
mapfile -t web_tmpfs < <(python3 -c '
import json, sys
web = json.loads(sys.argv[1])["services"]["web"]
if web.get("read_only") is True:
    print(*web.get("tmpfs", []), sep="\n")' "$web_json")
((${#web_tmpfs[@]} > 0)) || fail "docker-compose.yml: web has no read_only: true with tmpfs mounts"
read_only=(--read-only --read-only-tmpfs=false)
for mount in "${web_tmpfs[@]}"; do read_only+=(--tmpfs "$mount"); done
echo "   read-only root as in docker-compose.yml: ${read_only[*]}"

# A bad setting must stop the container, not leave Tomcat running without the app.
started=$(date +%s.%N)
set +e
timeout 60 podman run --rm --pull=never --network none --no-healthcheck --name "$POD-bad-setting" "${read_only[@]}" \
  -e REDIS_URL=http://nope "$IMAGE" >"$work/bad-setting.log" 2>&1
status=$?
set -e
took=$(python3 -c "import time; print(f'{time.time() - $started:.1f}')")
if ((status == 124)); then fail "REDIS_URL=http://nope: the container still runs after 60 s"; fi
((status == 2)) || { sed 's/^/   | /' "$work/bad-setting.log" >&2; fail "REDIS_URL=http://nope: exit code $status, expected 2"; }
python3 -c "import sys; sys.exit(float('$took') > 20)" || fail "REDIS_URL=http://nope: the container took $took s to stop (over 20 s)"
severe=$(grep -F 'hit-counter cannot start: REDIS_URL=http://nope is invalid' "$work/bad-setting.log") \
  || { sed 's/^/   | /' "$work/bad-setting.log" >&2; fail "REDIS_URL=http://nope: no such line in the log"; }
echo "   | $severe"
ok "REDIS_URL=http://nope: the container stopped with exit code 2 after $took s, its log names the bad setting"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
podman pod create --name "$POD" --network slirp4netns:port_handler=slirp4netns -p "127.0.0.1:$port:8080" >/dev/null
podman run -d --pull=never --pod "$POD" --name "$POD-redis" docker.io/library/redis:8.0.6-bookworm \
  --save '' --appendonly no >/dev/null
run_started=$(date +%s.%N)
# podman says on stderr that it cannot schedule the healthcheck without systemd; this stage runs it itself.
podman run -d --pull=never --pod "$POD" --name "$POD-web" "${read_only[@]}" -e REDIS_URL=redis://127.0.0.1:6379 "$IMAGE" \
  >/dev/null 2>"$work/run.err" || { cat "$work/run.err" >&2; fail "podman run"; }
show_logs() { podman logs --tail 30 "$1" 2>&1 | sed 's/^/   | /' >&2; }
until [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz") == 200 ]]; do
  if (($(date +%s) - ${run_started%.*} > 90)); then show_logs "$POD-web"; fail "no 200 from /readyz in 90 s"; fi
  sleep 0.1
done
echo "   start-up: $(python3 -c "import time; print(f'{time.time() - $run_started:.1f}')") s from podman run to the first 200 (/readyz)"
expect_page() { # URL N
  local body
  body=$(curl -s "$1")
  [[ $body == *"Hello! This page has been seen $2 times."* ]] || fail "GET $1: expected 'seen $2 times', got: $body"
  ok "GET $1 -> \"Hello! This page has been seen $2 times.\""
}
expect_page "http://127.0.0.1:$port/" 1
expect_page "http://127.0.0.1:$port/" 2
uid=$(podman top "$POD-web" huser | tail -n +2 | sort -u)
[[ $uid =~ ^[0-9]+$ && $uid != 0 ]] || fail "process user inside the container: $uid"
ok "the process inside runs as UID $uid (non-root)"
# docker/tomcat/setenv.sh (issue 28): every thread of the JVM, PID 1 in the container, runs under SCHED_BATCH (3).
policies=$(podman exec "$POD-web" sh -c 'cat /proc/1/task/*/sched' | sed -n 's/^policy *: *//p' | sort -u | paste -sd,)
[[ $policies == 3 ]] || fail "scheduling policies of the JVM's threads: '$policies', expected 3 (SCHED_BATCH)"
ok "every thread of the JVM runs under SCHED_BATCH (setenv.sh's chrt; /proc/1/task/*/sched)"
# What the app user can write, outside /proc, /sys and /dev: only the tmpfs mounts, which Tomcat used.
expect_read_only() { # container [pattern of paths the engine adds itself, and why]
  local found unexpected allowed='^/usr/local/tomcat/(logs|temp|work)(/|$)'
  [[ -z ${2-} ]] || allowed="$allowed|$2"
  found=$(podman exec "$1" find / \( -path /proc -o -path /sys -o -path /dev \) -prune -o -writable -print 2>/dev/null \
    | sort || true)
  unexpected=$(grep -vE "$allowed" <<<"$found" || true)
  [[ -z $unexpected ]] || fail "$1: writable by the app user besides logs/ temp/ work/: ${unexpected//$'\n'/ }"
  for dir in logs temp work; do
    grep -qx "/usr/local/tomcat/$dir" <<<"$found" || fail "$1: /usr/local/tomcat/$dir is not writable"
  done
  podman exec "$1" test -d /usr/local/tomcat/work/Catalina || fail "$1: Tomcat wrote nothing into work/"
  ok "read-only root: the app user can write only in logs/ temp/ work/ (tmpfs)${3:+ $3}, and Tomcat did"
}
expect_read_only "$POD-web"
podman healthcheck run "$POD-web" >/dev/null 2>&1 || fail "podman healthcheck run: the image's healthcheck failed"
podman healthcheck run "$POD-web" >/dev/null 2>&1 || fail "podman healthcheck run: the image's healthcheck failed"
ok "the image's healthcheck command succeeds (podman healthcheck run, twice)"
bad_uri=$(curl -s -w '\n%{http_code}' "http://127.0.0.1:$port/%zz")
[[ ${bad_uri##*$'\n'} == 400 && $bad_uri == *'<title>Bad request</title>'* && $bad_uri != *Tomcat* ]] \
  || fail "GET /%zz: expected the app's 400 page from docker/tomcat/server.xml, got: $bad_uri"
ok "GET /%zz -> 400 with the app's own page and no Tomcat name (docker/tomcat/server.xml in effect)"
expect_page "http://127.0.0.1:$port/" 3
ok "... so the healthchecks and the bad request counted no view"
podman stop --time 5 "$POD-redis" >/dev/null
if podman healthcheck run "$POD-web" >/dev/null 2>&1; then fail "healthcheck passed with Redis stopped"; fi
ok "with Redis stopped the healthcheck fails (/readyz answers 503)"
podman pod rm -f "$POD" >/dev/null 2>&1

step "4/5: docker-compose.yml brought up (Compose $("$CACHE/docker-compose" version --short) against podman system service)"
# Compose's network is a bridge with a private address range: it lives in a network namespace of this stage's
# own, as does the podman service that creates it, so nothing of it touches the machine's own network.
ip netns add "$NETNS"
ip netns exec "$NETNS" ip link set lo up
in_netns() { nsenter --net="/run/netns/$NETNS" "$@"; }
# nsenter and env exec, so $! is the service itself; fd 9 (the lock) stays with this script.
nsenter --net="/run/netns/$NETNS" env BUILDAH_ISOLATION=chroot podman system service --time=0 "unix://$work/podman.sock" \
  >"$work/podman-service.log" 2>&1 9>&- &
service_pid=$!
# Without systemd podman schedules no healthchecks; this plays the engine's part, so that depends_on's
# service_healthy and --wait see real results of the services' own healthcheck commands.
(
  while sleep 2; do
    for id in $(podman ps -q --filter "label=com.docker.compose.project=$PROJECT"); do
      podman healthcheck run "$id" >/dev/null 2>&1 || true
    done
  done
) 9>&- &
ticker_pid=$!
for _ in $(seq 50); do [[ -S $work/podman.sock ]] && break; sleep 0.1; done
export WEB_PORT=18080
files=() # compose files other than docker-compose.yml alone
up() { # extra args of compose up
  local started=$SECONDS
  if ! timeout 300 "${compose[@]}" "${files[@]}" up --detach --wait --wait-timeout 120 "$@" >"$work/compose-up.log" 2>&1; then
    tail -40 "$work/compose-up.log" >&2
    for c in $(podman ps -aq --filter "label=com.docker.compose.project=$PROJECT"); do show_logs "$c"; done
    fail "compose up $*"
  fi
  echo "   compose${files[*]:+ ${files[*]}} up${*:+ $*} -> web and redis healthy in $((SECONDS - started)) s"
}
expect_stack_page() { # N
  local body
  body=$(in_netns curl -s "http://127.0.0.1:$WEB_PORT/")
  [[ $body == *"Hello! This page has been seen $1 times."* ]] || fail "GET / on WEB_PORT=$WEB_PORT: expected 'seen $1 times', got: $body"
  ok "GET http://127.0.0.1:$WEB_PORT/ -> \"Hello! This page has been seen $1 times.\""
}
up --build
expect_stack_page 1
expect_stack_page 2
# Issue 14: the Redis that Compose runs is the version its tag names, and has the CVE-2025-49844 fix of its line.
redis_tag=$(compose_images docker-compose.yml | grep '^redis:')
tag_version=${redis_tag#redis:}
tag_version=${tag_version%%-*}
running_version=$(podman exec "$PROJECT-redis-1" redis-cli INFO server | tr -d '\r' | sed -n 's/^redis_version://p')
[[ $running_version == "$tag_version" ]] \
  || fail "Compose's $redis_tag reports redis_version:$running_version (redis-cli INFO server), not $tag_version"
fixed_in=$(python3 - "$running_version" <<'PY'
import sys
# The releases that fixed CVE-2025-49844 (Lua use-after-free, October 2025), by maintained line. Lines after 8.2
# were released with the fix; lines before 7.4 are not maintained.
FIXED = {(7, 4): "7.4.6", (8, 0): "8.0.4", (8, 2): "8.2.2"}
version = tuple(int(part) for part in sys.argv[1].split("."))
fix = FIXED.get(version[:2])
if fix is None:
    print("(later line)" if version[:2] > (8, 2) else "no maintained line")
else:
    print(fix if version >= tuple(int(part) for part in fix.split(".")) else f"{fix}, not yet")
PY
)
[[ $fixed_in != *'not yet' && $fixed_in != 'no maintained line' ]] \
  || fail "Compose's $redis_tag runs Redis $running_version, not at or above the CVE-2025-49844 fix of its line (7.4.6, 8.0.4, 8.2.2): $fixed_in"
ok "Compose's $redis_tag runs Redis $running_version (INFO server), at or above the CVE-2025-49844 fix of its line ($fixed_in)"
published=$(podman port "$PROJECT-redis-1")
[[ -z $published ]] || fail "redis is published: $published"
ok "redis publishes no port; web reaches it by the service name (REDIS_URL=redis://redis:6379)"
expect_maxmemory() { # which Compose files; REDISCLI_AUTH's source inside the container, if any
  local memory limit
  # shellcheck disable=SC2016 # expanded inside the container
  memory=$(podman exec "$PROJECT-redis-1" sh -c "${2:+export REDISCLI_AUTH=\$(cat $2);}"'
    redis-cli --raw config get maxmemory | tail -n 1; redis-cli --raw config get maxmemory-policy | tail -n 1' | paste -sd' ')
  limit=$(podman inspect --format '{{.HostConfig.Memory}}' "$PROJECT-redis-1")
  [[ $memory == "268435456 noeviction" && $limit == $((2 * 268435456)) ]] \
    || fail "$1: Redis's maxmemory and policy: $memory; its memory limit: $limit (expected 268435456 noeviction, 536870912)"
  ok "$1: CONFIG GET maxmemory 268435456 (256 MiB), maxmemory-policy noeviction; memory limit 512 MiB (docs/operations.md#memory)"
}
expect_maxmemory docker-compose.yml
restart=$(podman inspect --format '{{.HostConfig.RestartPolicy.Name}}' "$PROJECT-web-1")
[[ $restart == on-failure ]] || fail "web restart policy: $restart"
ok "web restarts on failure"
web_runs=$(podman inspect --format '{{.HostConfig.ReadonlyRootfs}} {{.Config.StopTimeout}}' "$PROJECT-web-1")
[[ $web_runs == 'true 15' ]] || fail "web: read-only root and stop timeout: $web_runs, expected true 15"
ok "web: read_only: true, stop_grace_period: 15s (the app's 10 s to finish requests in flight fit)"
# Podman's API always adds tmpfs on /tmp, /var/tmp and /run to a read-only container (its --read-only-tmpfs
# default, which its API cannot turn off); Docker adds none. The podman run above proves the image without them.
expect_read_only "$PROJECT-web-1" '^/(tmp|var/tmp|run|var/lock)(/|$)' \
  "(and /tmp, /var/tmp, /run, which podman's API adds and Docker does not)"
"${compose[@]}" down >/dev/null 2>&1
up
expect_stack_page 3
ok "after down and up the count goes on (the db-data volume kept the AOF)"
"${compose[@]}" down --volumes >/dev/null 2>&1
# The next start, from empty volumes, is with docker-compose.monitoring.yml too: Prometheus scraping web, with the
# alert rules (issue 25), proven by the same up that proves down -v.
monitoring_started=$SECONDS
files=(-f docker-compose.yml -f docker-compose.monitoring.yml)
up
expect_stack_page 1
ok "after down -v it starts from 1"
expect_stack_page 2
# Through Prometheus's HTTP API, on the loopback the override publishes it on: web's target is up, every rule of
# deploy/monitoring/hitcounter-alerts.yml is loaded and was evaluated without error, and a metric of the app has
# the views just made. The first scrape and evaluation come within one 15 s interval of the start.
rules_in_file=$(grep -cE '^ *- (alert|record):' deploy/monitoring/hitcounter-alerts.yml)
prometheus_api() { in_netns curl -fsS "http://127.0.0.1:${PROMETHEUS_PORT:-9090}/api/v1/$1"; }
waited=$SECONDS
deadline=$((SECONDS + 90))
until seen=$(python3 - "$rules_in_file" \
  "$(prometheus_api targets 2>/dev/null || echo '{}')" \
  "$(prometheus_api rules 2>/dev/null || echo '{}')" \
  "$(prometheus_api 'query?query=sum(hitcounter_views_total%7Bjob%3D%22hit-counter%22%7D)' 2>/dev/null || echo '{}')" \
  <<'PY'
import json, sys

def not_yet(what):
    print(what)
    sys.exit(1)

wanted = int(sys.argv[1])
targets, rules, query = (json.loads(arg).get("data", {}) for arg in sys.argv[2:])
web = [t for t in targets.get("activeTargets", []) if t["labels"].get("job") == "hit-counter"]
if not web or any(t["health"] != "up" for t in web):
    not_yet(f"target hit-counter: {[(t['scrapeUrl'], t['health'], t.get('lastError')) for t in web]}")
loaded = [r for g in rules.get("groups", []) for r in g["rules"]]
if len(loaded) != wanted or any(r["health"] != "ok" for r in loaded):
    not_yet(f"rules: {len(loaded)} loaded of {wanted}, health {sorted({r['health'] for r in loaded})}")
result = query.get("result", [])
if not result or float(result[0]["value"][1]) < 2:
    not_yet(f"sum(hitcounter_views_total): {result}")
print(f"target {web[0]['scrapeUrl']} up; {len(loaded)} rules loaded, each evaluated (health ok);"
      f" sum(hitcounter_views_total{{job=\"hit-counter\"}}) = {result[0]['value'][1]}")
PY
); do
  ((SECONDS < deadline)) || { show_logs "$PROJECT-prometheus-1"; fail "Prometheus within 90 s: $seen"; }
  sleep 2
done
ok "Prometheus $(podman exec "$PROJECT-prometheus-1" prometheus --version 2>&1 | head -1 | awk '{print $3}') (STAND-IN, Debian's), after $((SECONDS - waited)) s: $seen"
"${compose[@]}" "${files[@]}" down --volumes >/dev/null 2>&1
ok "docker-compose.monitoring.yml: up, scraped, rules evaluated and down in $((SECONDS - monitoring_started)) s"
files=()

echo "   with REDIS_IMAGE=$VALKEY_IMAGE: the same stack on Valkey"
valkey_started=$SECONDS
for doc in docker-compose.yml docs/operations.md README.md; do
  grep -qF "REDIS_IMAGE=$VALKEY_IMAGE" "$doc" || fail "$doc does not give the switch as REDIS_IMAGE=$VALKEY_IMAGE"
done
export REDIS_IMAGE=$VALKEY_IMAGE
up
expect_stack_page 1
expect_stack_page 2
server=$(podman exec "$PROJECT-redis-1" redis-cli INFO server | tr -d '\r' | grep -E '^(server_name|valkey_version):' | paste -sd' ')
[[ $server == "server_name:valkey valkey_version:${VALKEY_IMAGE##*:}" ]] \
  || fail "REDIS_IMAGE=$VALKEY_IMAGE: INFO server says '$server', not server_name:valkey valkey_version:${VALKEY_IMAGE##*:}"
views=$(podman exec "$PROJECT-redis-1" redis-cli get views)
[[ $views == 2 ]] || fail "REDIS_IMAGE=$VALKEY_IMAGE: redis-cli get views -> $views, expected 2"
ok "redis runs $server (INFO server); GET views -> $views"
expect_maxmemory "with REDIS_IMAGE=$VALKEY_IMAGE"
valkey_user=$(podman top "$PROJECT-redis-1" user | tail -n +2 | sort -u)
[[ $valkey_user == valkey ]] || fail "REDIS_IMAGE=$VALKEY_IMAGE: the server runs as '$valkey_user', not valkey"
ok "the server runs as the image's valkey user, as the command gives options only"
"${compose[@]}" down --volumes >/dev/null 2>&1
unset REDIS_IMAGE
echo "   the Valkey run took $((SECONDS - valkey_started)) s"

echo "   with docker-compose.secure.yml: Redis with a password from a secret file"
password=$(openssl rand -hex 32)
export REDIS_PASSWORD_SECRET=$work/redis-password
(umask 022 && printf '%s\n' "$password" >"$REDIS_PASSWORD_SECRET")
files=(-f docker-compose.yml -f docker-compose.secure.yml)
up
expect_stack_page 1
expect_stack_page 2
noauth=$(podman exec "$PROJECT-redis-1" redis-cli ping 2>&1)
[[ $noauth == NOAUTH* ]] || fail "redis-cli ping without the password: $noauth"
ok "redis-cli ping without the password -> $noauth"
# shellcheck disable=SC2016 # expanded inside the container
views=$(podman exec "$PROJECT-redis-1" sh -c 'REDISCLI_AUTH=$(cat /run/secrets/redis-password) redis-cli get views')
[[ $views == 2 ]] || fail "redis-cli get views with the password from the secret file: $views"
ok "redis-cli get views with the password from the secret file -> $views"
expect_maxmemory "with docker-compose.secure.yml" /run/secrets/redis-password
expect_password_hidden() { # password, which one
  local web_log
  web_log=$(podman logs "$PROJECT-web-1" 2>&1)
  grep -q 'hit-counter starting' <<<"$web_log" || fail "web's log has no start-up line"
  ! grep -qF "$1" <<<"$web_log" || fail "the password appears in web's log"
  if podman inspect "$PROJECT-web-1" "$PROJECT-redis-1" | grep -qF "$1" \
    || podman exec "$PROJECT-redis-1" cat /proc/1/cmdline | grep -qF "$1"; then
    fail "the password appears in a container's configuration or in redis-server's command line"
  fi
  echo "   | $(grep -m1 -o 'hit-counter starting: counting in [^,]*' <<<"$web_log")"
  ok "$2 appears in none of web's $(wc -l <<<"$web_log") log lines, no container config, no process title"
}
expect_password_hidden "$password" "the password"
# Rotation as docs/containers.md gives it: a new password in the file, both services recreated.
old_password=$password
password=$(openssl rand -hex 32)
printf '%s\n' "$password" >"$REDIS_PASSWORD_SECRET"
up --force-recreate
expect_stack_page 3
wrongpass=$(podman exec "$PROJECT-redis-1" redis-cli -a "$old_password" --no-auth-warning ping 2>&1 || true)
wrongpass=${wrongpass%%$'\n'*}
[[ $wrongpass == 'AUTH failed: WRONGPASS'* ]] || fail "redis-cli ping with the old password: $wrongpass"
ok "after rotation: the count goes on, the old password gets $wrongpass"
expect_password_hidden "$password" "the new password"
"${compose[@]}" "${files[@]}" down --volumes >/dev/null 2>&1

step "5/5: linters"
"$CACHE/docker-compose" -f docker-compose.yml config --quiet || fail "docker compose config"
"$CACHE/docker-compose" -f docker-compose.yml -f docker-compose.secure.yml config --quiet \
  || fail "docker compose config with docker-compose.secure.yml"
ok "docker-compose.yml, and with docker-compose.secure.yml: compose config --quiet (Compose $("$CACHE/docker-compose" version --short))"
lint=$("$npm_bin/dclint" --max-warnings 0 docker-compose.yml docker-compose.secure.yml) || fail "dclint: $lint"
ok "docker-compose.yml, docker-compose.secure.yml: dclint $DCLINT_VERSION (compose-spec schema and rules), no error or warning"
for file in docker/Dockerfile docker/standins/*.Containerfile; do # it lints only its first argument
  lint=$("$npm_bin/dockerfile-utils" lint "$file")
  [[ -z $lint ]] || fail "dockerfile-utils lint $file: $lint"
done
ok "docker/Dockerfile and the stand-in Containerfiles: dockerfile-utils lint, no problem"
mapfile -t scripts < <(git ls-files '*.sh' .ci/run)
shellcheck "${scripts[@]}" || fail "shellcheck"
ok "shellcheck: ${scripts[*]}"
