#!/usr/bin/env bash
# CI stage: proves docker/Dockerfile and docker-compose.yml for real on a machine with no Docker engine and no
# registry (docs/containers.md): stand-in base images, buildah builds of the runtime and test targets, the image
# run with podman, the Compose stack brought up against podman's Docker-compatible API, then linters.
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
# podman's defaults here fail: crun and the default ulimits are refused on this kind of machine. A file of our
# own, passed by CONTAINERS_CONF, leaves /etc/containers untouched.
cat >"$work/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
EOF
export CONTAINERS_CONF=$work/containers.conf

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
  podman volume rm -f "${PROJECT}_db-data" >/dev/null 2>&1 || true
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
stages=$(awk 'toupper($1) == "FROM" && toupper($3) == "AS" {print $4}' docker/Dockerfile)
named=$(awk 'toupper($1) == "FROM" {print $2}' docker/Dockerfile | grep -vxF "$stages"
  awk '$1 == "image:" {print $2}' docker-compose.yml)
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
healthcheck=$(podman image inspect --format '{{json .HealthCheck.Test}}' "$IMAGE")
[[ $healthcheck == *'http://127.0.0.1:8080/readyz"]' ]] || fail "image healthcheck: $healthcheck"
ok "image healthcheck: $healthcheck"
contents=$(podman run --rm --pull=never --network none --no-healthcheck --user 0 --entrypoint sh "$IMAGE" \
  -c 'ls webapps; command -v javac mvn gcc || true; ls /root/.m2 2>/dev/null || true')
[[ $contents == ROOT ]] || fail "image contents: expected only webapps/ROOT and no build tools, got: $contents"
ok "image contents: webapps/ holds ROOT only (exploded); no javac, mvn, gcc or Maven repository"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
podman pod create --name "$POD" --network slirp4netns:port_handler=slirp4netns -p "127.0.0.1:$port:8080" >/dev/null
podman run -d --pull=never --pod "$POD" --name "$POD-redis" docker.io/library/redis:7.0.15-bookworm \
  --save '' --appendonly no >/dev/null
run_started=$(date +%s.%N)
# podman says on stderr that it cannot schedule the healthcheck without systemd; this stage runs it itself.
podman run -d --pull=never --pod "$POD" --name "$POD-web" -e REDIS_URL=redis://127.0.0.1:6379 "$IMAGE" \
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
up() { # extra args of compose up
  local started=$SECONDS
  if ! timeout 300 "${compose[@]}" up --detach --wait --wait-timeout 120 "$@" >"$work/compose-up.log" 2>&1; then
    tail -40 "$work/compose-up.log" >&2
    for c in $(podman ps -aq --filter "label=com.docker.compose.project=$PROJECT"); do show_logs "$c"; done
    fail "compose up $*"
  fi
  echo "   compose up${*:+ $*} -> web and redis healthy in $((SECONDS - started)) s"
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
published=$(podman port "$PROJECT-redis-1")
[[ -z $published ]] || fail "redis is published: $published"
ok "redis publishes no port; web reaches it by the service name (REDIS_URL=redis://redis:6379)"
restart=$(podman inspect --format '{{.HostConfig.RestartPolicy.Name}}' "$PROJECT-web-1")
[[ $restart == on-failure ]] || fail "web restart policy: $restart"
ok "web restarts on failure"
"${compose[@]}" down >/dev/null 2>&1
up
expect_stack_page 3
ok "after down and up the count goes on (the db-data volume kept the AOF)"
"${compose[@]}" down --volumes >/dev/null 2>&1
up
expect_stack_page 1
ok "after down -v it starts from 1"
"${compose[@]}" down --volumes >/dev/null 2>&1

step "5/5: linters"
"$CACHE/docker-compose" -f docker-compose.yml config --quiet || fail "docker compose config"
ok "docker-compose.yml: compose config --quiet (Compose $("$CACHE/docker-compose" version --short))"
lint=$("$npm_bin/dclint" --max-warnings 0 docker-compose.yml) || fail "dclint: $lint"
ok "docker-compose.yml: dclint $DCLINT_VERSION (compose-spec schema and rules), no error or warning"
for file in docker/Dockerfile docker/standins/*.Containerfile; do # it lints only its first argument
  lint=$("$npm_bin/dockerfile-utils" lint "$file")
  [[ -z $lint ]] || fail "dockerfile-utils lint $file: $lint"
done
ok "docker/Dockerfile and the stand-in Containerfiles: dockerfile-utils lint, no problem"
mapfile -t scripts < <(git ls-files '*.sh' .ci/run)
shellcheck "${scripts[@]}" || fail "shellcheck"
ok "shellcheck: ${scripts[*]}"
