#!/usr/bin/env bash
# CI stage: proves deploy/kubernetes (docs/kubernetes.md) on a machine with no cluster: both overlays rendered with
# kubectl's kustomize, every rendered object validated against the Kubernetes OpenAPI schema, then the single
# overlay run with podman kube play on the stand-in images, in a network namespace of its own: pods start, /readyz
# answers, GET / counts, and after kube down and play again the count goes on from the claim's volume.
# Installs what it needs; stops and removes everything it starts. Called by .ci/run after .ci/containers.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

stage_started=$SECONDS
CACHE=${HIT_COUNTER_CI_CACHE:-/var/cache/hit-counter-ci} # tools kept between runs on the same machine
IMAGE=localhost/hit-counter:ci # the image .ci/containers.sh builds and checks; rebuilt from the layer cache here
NETNS=hit-counter-k8s-ci
NETWORK=hit-counter-k8s-ci
SECRET="redis-password" # the Secrets the manifests name
VISITORS_SECRET="unique-visitors-secret"
PORT=8080             # web's container port, which podman 4.3 publishes as the same port of the namespace
OVERLAYS=(single ha)

step() { echo "== kubernetes $*"; }
ok() { echo "   ok: $*"; }
fail() {
  echo "   FAILED: $*" >&2
  exit 1
}
since() { python3 -c "import time; print(f'{time.time() - $1:.1f}')"; }

# The container stages share podman's storage and fixed names: one at a time on a machine.
mkdir -p /run/lock
exec 9>/run/lock/hit-counter-containers.lock
flock 9
if ((SECONDS > stage_started)); then # the time below is the stage's own
  echo "== kubernetes: waited $((SECONDS - stage_started)) s for another container stage to finish"
  stage_started=$SECONDS
fi

work=$(mktemp -d /tmp/hit-counter-kubernetes.XXXXXX)
export CONTAINERS_CONF=$PWD/.ci/podman-containers.conf
# Every podman command that sets up or tears down a pod's network runs in the namespace: netavark's port
# forwarding rules live there, and a kube down from outside would leave them behind (a second play then gets
# "No route to host" from the first pod's stale rule).
in_netns() {
  if [[ -e /run/netns/$NETNS ]]; then nsenter --net="/run/netns/$NETNS" "$@"; else "$@"; fi
}

played=() # the files given to podman kube play, for kube down
remove_everything() {
  local file
  for file in "${played[@]}"; do in_netns podman kube down "$file" >/dev/null 2>&1 || true; done
  in_netns podman pod rm -f web-pod-0 redis-0 >/dev/null 2>&1 || true
  podman volume rm -f data-redis-0 "$SECRET" "$VISITORS_SECRET" >/dev/null 2>&1 || true
  podman secret rm "$SECRET" >/dev/null 2>&1 || true
  podman secret rm "$VISITORS_SECRET" >/dev/null 2>&1 || true
  in_netns podman network rm -f "$NETWORK" >/dev/null 2>&1 || true
  ip netns del "$NETNS" 2>/dev/null || true
}
on_exit() {
  local status=$?
  remove_everything
  rm -rf "$work"
  if ((status == 0)); then
    echo "== kubernetes: all steps passed in $((SECONDS - stage_started)) s"
  else
    echo "== kubernetes: FAILED (exit $status) after $((SECONDS - stage_started)) s" >&2
  fi
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
remove_everything # what a run that was killed may have left

step "0/3: tools"
missing=()
for pkg in buildah podman runc slirp4netns debootstrap; do
  command -v "$pkg" >/dev/null || missing+=("$pkg")
done
if ((${#missing[@]} > 0)); then
  echo "   apt-get install ${missing[*]}"
  apt-get -o DPkg::Lock::Timeout=600 -qq update
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -qq install -y "${missing[@]}" >/dev/null
fi
mkdir -p "$CACHE"
# Debian's kubectl, with kustomize built in: bookworm's kubernetes-client (1.20) has a kustomize too old for
# `patches:`, so trixie's kubectl (1.32, a plain binary needing only libc) is fetched with apt into a private apt
# state, as .ci/containers.sh does for Compose; the machine's apt sources stay as they are.
KUBECTL=$CACHE/kubectl
if [[ ! -x $KUBECTL ]]; then
  mirror=$(bash docker/standins/make-standins.sh --mirror)
  apt_dir=$work/apt-trixie
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" >"$apt_dir/sources.list"
  apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null -o APT::Sandbox::User=root
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir" -o "Dir::Cache::archives=$apt_dir/archives")
  apt-get "${apt_opts[@]}" -qq update
  # kubectl/trixie: a kubectl from another apt source may be installed with a higher version.
  (cd "$apt_dir" && apt-get "${apt_opts[@]}" -qq download kubectl/trixie)
  dpkg-deb -x "$apt_dir"/kubectl_*.deb "$apt_dir/root"
  install -m 755 "$apt_dir/root/usr/bin/kubectl" "$KUBECTL"
fi
# The validator and the YAML library, pinned by .ci/kubernetes/package-lock.json.
if ! (cd .ci/kubernetes && npm ci --silent --no-audit --no-fund --engine-strict=false >/dev/null 2>&1); then
  (cd .ci/kubernetes && npm ci --no-audit --no-fund) >&2
  fail "npm ci in .ci/kubernetes"
fi
models=$(node -p 'require("./.ci/kubernetes/node_modules/kubernetes-models/package.json").version')
echo "   kubectl $("$KUBECTL" version --client | sed -n 's/Client Version: //p') (Debian trixie)," \
  "$("$KUBECTL" version --client | sed -n 's/Kustomize Version: /kustomize /p'), kubernetes-models $models" \
  "(Kubernetes 1.36.0 OpenAPI schema, ajv), $(podman --version)"

step "1/3: kubectl kustomize (both overlays)"
for overlay in "${OVERLAYS[@]}"; do
  "$KUBECTL" kustomize "deploy/kubernetes/overlays/$overlay" >"$work/$overlay.yaml" \
    || fail "kubectl kustomize deploy/kubernetes/overlays/$overlay"
  kinds=$(grep -E '^kind: ' "$work/$overlay.yaml" | cut -d' ' -f2 | sort | uniq -c | awk '{printf "%s%s %s", sep, $1, $2; sep=", "}')
  ok "overlays/$overlay renders: $kinds"
done
images=$(grep -hE '^ +image: ' "$work/single.yaml" "$work/ha.yaml" | awk '{print $2}' | sort -u)
web_image=$(python3 -c '
import sys
for line in open(sys.argv[1]):
    if "image:" in line and "hit-counter" in line: print(line.split()[1]); break' "$work/single.yaml")
grep -q '^  newName: ' deploy/kubernetes/base/kustomization.yaml || fail "base/kustomization.yaml: no images: entry"
[[ $web_image == docker.io/*/hit-counter:* ]] || fail "web's image is not set by base/kustomization.yaml's images: $web_image"
ok "images: ${images//$'\n'/, } (web's from base/kustomization.yaml images:)"

step "2/3: OpenAPI validation of every rendered object (kubernetes-models $models)"
for overlay in "${OVERLAYS[@]}"; do
  if ! node .ci/kubernetes/validate.mjs "$work/$overlay.yaml" >"$work/validate-$overlay.txt"; then
    sed 's/^/   | /' "$work/validate-$overlay.txt" >&2
    fail "overlays/$overlay: an object does not validate"
  fi
  ok "overlays/$overlay: $(wc -l <"$work/validate-$overlay.txt") objects valid:" \
    "$(sed 's/^valid //; s/ (.*//' "$work/validate-$overlay.txt" | paste -sd' ')"
done
# What the schema cannot see (.ci/kubernetes/rules.mjs): no spec.replicas where an HPA scales, headless Services
# for StatefulSets.
for overlay in "${OVERLAYS[@]}"; do
  if ! node .ci/kubernetes/rules.mjs "$work/$overlay.yaml" >"$work/rules-$overlay.txt"; then
    sed 's/^/   | /' "$work/rules-$overlay.txt" >&2
    fail "overlays/$overlay: a rule is broken"
  fi
  ok "overlays/$overlay: $(sed 's/^ok //' "$work/rules-$overlay.txt" | paste -sd';' | sed 's/;/; /g')"
done
sed '0,/^  revisionHistoryLimit: 5$/s//  replicas: 3\n&/' "$work/single.yaml" >"$work/broken-replicas.yaml"
if node .ci/kubernetes/rules.mjs "$work/broken-replicas.yaml" >"$work/broken-replicas.txt"; then
  fail "broken-replicas.yaml: the rules passed it"
fi
ok "the rules reject a copy with replicas: 3: $(grep -m1 BROKEN "$work/broken-replicas.txt")"
# Every Redis refuses writes when full instead of outgrowing its limit (docs/operations.md#memory): the limit of
# each Redis container is twice its maxmemory, which the single overlay sets on its command line and the ha
# overlay's redis-start.sh sets (run below and in step 3's play).
for overlay in "${OVERLAYS[@]}"; do
  python3 - "$work/$overlay.yaml" deploy/kubernetes/overlays/ha/redis-start.sh <<'PY' || fail "overlays/$overlay: Redis's maxmemory and memory limit"
import re, sys
text = open(sys.argv[1]).read()
for doc in text.split("\n---\n"):
    if "kind: StatefulSet" not in doc or "name: redis\n" not in doc:
        continue
    limit = re.search(r"limits:\n(?:\s+\w+: .*\n)*?\s+memory: (\d+)Mi", doc)
    source = doc if "--maxmemory" in doc else open(sys.argv[2]).read()
    maxmemory = re.search(r"--maxmemory (\d+)mb", source)
    policy = re.search(r"--maxmemory-policy (\S+)", source)
    assert limit and maxmemory and policy, "no memory limit, --maxmemory or --maxmemory-policy"
    assert policy.group(1) == "noeviction", policy.group(1)
    assert int(limit.group(1)) == 2 * int(maxmemory.group(1)), (limit.group(1), maxmemory.group(1))
    print(f"StatefulSet redis: limit {limit.group(1)}Mi = 2 x maxmemory {maxmemory.group(1)}mb, noeviction")
PY
done > "$work/memory.txt"
ok "Redis memory: $(paste -sd';' "$work/memory.txt" | sed 's/;/; /g') (single; ha)"
# The ha overlay's redis-start.sh run against real redis-server and redis-sentinel processes (issue 21 item 7).
started=$SECONDS
bash .ci/kubernetes/redis-start-test.sh >"$work/redis-start.txt" 2>&1 || { cat "$work/redis-start.txt" >&2; fail "redis-start-test.sh"; }
sed 's/^/   /; s/^      /   /' "$work/redis-start.txt"
ok "overlays/ha/redis-start.sh: a primary restarted within down-after waits for the failover ($((SECONDS - started)) s)"
# The validator must be able to say no: a CPU request that is no quantity, and a Service port that is no number.
sed 's/cpu: 500m/cpu: half/' "$work/single.yaml" >"$work/broken-cpu.yaml"
sed '0,/port: 80$/s//port: eighty/' "$work/single.yaml" >"$work/broken-port.yaml"
for broken in broken-cpu broken-port; do
  if node .ci/kubernetes/validate.mjs "$work/$broken.yaml" >"$work/$broken.txt"; then
    fail "$broken.yaml: the validator passed it"
  fi
  ok "the validator rejects a $broken copy: $(grep -m1 INVALID "$work/$broken.txt" | cut -c1-150)"
done

step "3/3: podman kube play of overlays/single"
bash docker/standins/make-standins.sh >"$work/standins.log" 2>&1 || { tail -20 "$work/standins.log" >&2; fail "stand-ins"; }
started=$SECONDS
buildah bud --pull=never --isolation chroot --format docker --layers --force-rm \
  -f docker/Dockerfile --target runtime -t "$IMAGE" . >"$work/build.log" 2>&1 \
  || { tail -20 "$work/build.log" >&2; fail "build of $IMAGE"; }
# The containers stage built the same image just before, so its layers are normally all cached.
echo "   $IMAGE built in $((SECONDS - started)) s ($(grep -c 'Using cache' "$work/build.log" || true) layers from the cache)"
# Adaptation 1: the image, set the way the pipeline's tag would be, by an overlay's images: on top of single;
# Redis's image by its full name, which podman needs to find the local stand-in.
mkdir -p "$work/podman-overlay" "$work/play"
cat >"$work/podman-overlay/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- $(realpath --relative-to="$work/podman-overlay" deploy/kubernetes/overlays/single)
images:
- name: ${web_image%:*}
  newName: ${IMAGE%:*}
  newTag: ${IMAGE##*:}
- name: redis
  newName: docker.io/library/redis
EOF
"$KUBECTL" kustomize "$work/podman-overlay" >"$work/single-podman.yaml" || fail "kubectl kustomize of the podman overlay"
standins=$(bash docker/standins/make-standins.sh --list)
while read -r ref; do
  [[ $ref == "$IMAGE" ]] || grep -qxF "$ref" <<<"$standins" || fail "$ref has no stand-in"
done < <(grep -E '^ +image: ' "$work/single-podman.yaml" | awk '{print $2}' | sort -u)
ok "adaptation 1: images set by an overlay's images: ($IMAGE; Redis as docker.io/library/redis, a stand-in)"
# Adaptations 2-4 (.ci/kubernetes/for-podman.mjs): StatefulSet -> its pod and claim; Deployment -> 1 replica;
# Service, PDB, HPA, NetworkPolicy left out. Every pod spec stays as rendered otherwise.
node .ci/kubernetes/for-podman.mjs "$work/play" "$work/single-podman.yaml" >"$work/plan.txt" || fail "for-podman.mjs"
ok "adaptation 2: StatefulSet redis -> Pod redis-0 and claim data-redis-0 (as its controller would make them)"
ok "adaptation 3: Deployment web -> 1 replica (its pod template as rendered)"
ok "adaptation 4: not run by podman, left out: $(sed -n 's/^left-out //p' "$work/plan.txt" | paste -sd' ')"
# Adaptation 5: podman 4.3 fills a secret volume from its own secret store, where the secret's data is a Secret
# object; a random password stands in for the one an operator creates (docs/kubernetes.md).
password=$(openssl rand -hex 32)
(umask 077 && printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\ntype: Opaque\ndata:\n  password: %s\n' \
  "$SECRET" "$(printf %s "$password" | base64 -w0)" >"$work/secret.yaml")
podman secret create "$SECRET" "$work/secret.yaml" >/dev/null
(umask 077 && printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\ntype: Opaque\ndata:\n  secret: %s\n' \
  "$VISITORS_SECRET" "$(openssl rand -base64 48 | tr -d '\n' | base64 -w0)" >"$work/visitors-secret.yaml")
podman secret create "$VISITORS_SECRET" "$work/visitors-secret.yaml" >/dev/null
ok "adaptation 5: Secrets $SECRET and $VISITORS_SECRET made with podman secret create (random values)"
# Adaptation 6: Services become DNS names on a podman network, in a network namespace of this stage's own (its
# bridge has a private address range, kept off the machine's network): each pod gets the names of the Services
# that select it, so web reaches redis:6379 as it would through the Service.
ip netns add "$NETNS"
ip netns exec "$NETNS" ip link set lo up
in_netns podman network create "$NETWORK" >/dev/null
ok "adaptation 6: Services as DNS aliases on podman network $NETWORK (netns $NETNS): $(sed -n 's/^play [0-9]*-\([^ ]*\)\.yaml \(.*\)/\1=\2/p' "$work/plan.txt" | grep -v '^shared' | paste -sd' ')"

play_all() { # [--pods-only: the claims exist already, as they outlive their pods in a cluster]
  local file aliases network
  while read -r _ file aliases; do
    [[ ${1-} != --pods-only || $file != 0-shared.yaml ]] || continue
    network=$NETWORK
    [[ $aliases == - ]] || network="$NETWORK:alias=${aliases//,/,alias=}"
    # podman says on stderr that it cannot schedule healthchecks without systemd; the probes are checked below.
    in_netns podman kube play --network "$network" "$work/play/$file" >"$work/play.log" 2>&1 \
      || { cat "$work/play.log" >&2; fail "podman kube play $file"; }
    played+=("$work/play/$file")
  done < <(grep '^play ' "$work/plan.txt")
}
show_logs() {
  local c
  for c in web-pod-0-web redis-0-redis; do podman logs --tail 20 "$c" 2>&1 | sed "s/^/   | $c: /" >&2; done
}
wait_ready() { # what
  local since_play=$1
  until [[ $(in_netns curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/readyz") == 200 ]]; do
    if (($(date +%s) - ${since_play%.*} > 90)); then show_logs; fail "no 200 from /readyz in 90 s"; fi
    sleep 0.1
  done
  echo "   $2: $(since "$since_play") s from kube play to the first 200 on /readyz through the published port"
}
expect_page() { # N
  local body
  body=$(in_netns curl -s "http://127.0.0.1:$PORT/")
  [[ $body == *"Hello! This page has been seen $1 times."* ]] || fail "GET / on port $PORT: expected 'seen $1 times', got: $body"
  ok "GET http://127.0.0.1:$PORT/ -> \"Hello! This page has been seen $1 times.\""
}

play_started=$(date +%s.%N)
play_all
wait_ready "$play_started" "first play"
for pod in web-pod-0 redis-0; do
  [[ $(podman pod inspect --format '{{.State}}' "$pod") == Running ]] || fail "pod $pod is not running"
done
ok "pods web-pod-0 and redis-0 running"
expect_page 1
expect_page 2
expect_page 3
# What the pod spec asked for, as podman ran it.
for c in web-pod-0-web:10001:10001 redis-0-redis:999:999; do
  runs=$(podman inspect --format '{{.Config.User}} {{.HostConfig.ReadonlyRootfs}} {{.EffectiveCaps}}' "${c%%:*}")
  [[ $runs == "${c#*:} true []" ]] || fail "${c%%:*}: user, read-only root, capabilities: $runs"
done
ok "web runs as 10001:10001, redis as 999:999, both with a read-only root and no capability"
# The CPU limit of 1 reaches the JVM: it sees one processor, so the app takes 2 request threads (as benchmarked).
limits=$(podman inspect --format '{{.HostConfig.Memory}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuPeriod}}' web-pod-0-web)
[[ $limits == "536870912 100000 100000" ]] || fail "web's memory limit, CPU quota and period: $limits"
threads=$(podman logs web-pod-0-web 2>&1 | grep -o 'REQUEST_THREADS=[0-9]*' | head -n 1)
[[ $threads == REQUEST_THREADS=2 ]] || fail "web's start-up line: expected REQUEST_THREADS=2, got: ${threads:-none}"
ok "web's limits as podman set them: 512 MiB, 1 CPU (quota = period); the app logs $threads ($(nproc) cores here)"
proxies=$(podman logs web-pod-0-web 2>&1 | grep -o 'TRUSTED_PROXIES=[^ ,]*' | head -n 1)
[[ $proxies == 'TRUSTED_PROXIES=10\.\d+'* ]] || fail "web's start-up line: expected TRUSTED_PROXIES=10\.\d+..., got: ${proxies:-none}"
ok "web takes the X-Forwarded-For of proxies at private addresses (its start-up line: ${proxies:0:40}...)"
visitors=$(podman logs web-pod-0-web 2>&1 | grep -o 'UNIQUE_VISITORS_SECRET_FILE=[^ ,]*' | head -n 1)
[[ $visitors == UNIQUE_VISITORS_SECRET_FILE=/run/secrets/unique-visitors/secret ]] \
  || fail "web's start-up line: expected UNIQUE_VISITORS_SECRET_FILE=/run/secrets/unique-visitors/secret, got: ${visitors:-none}"
ok "web keys unique visitors with the shared Secret ($visitors)"
# Not taken from the pod spec by podman 4.3: the grace period (30 s) and the preStop hook (docs/kubernetes.md).
echo "   podman's stop timeout for web: $(podman inspect --format '{{.Config.StopTimeout}}' web-pod-0-web) s" \
  "(podman 4.3 ignores terminationGracePeriodSeconds and runs no preStop hook)"
podman exec web-pod-0-web test -d /usr/local/tomcat/work/Catalina || fail "Tomcat wrote nothing into work/ (emptyDir)"
ok "Tomcat writes into its emptyDir volumes (work/Catalina exists)"
noauth=$(podman exec redis-0-redis redis-cli ping 2>&1)
[[ $noauth == NOAUTH* ]] || fail "redis-cli ping without the password: $noauth"
# shellcheck disable=SC2016 # expanded inside the container
views=$(podman exec redis-0-redis sh -c 'REDISCLI_AUTH=$(cat /run/secrets/redis/password) redis-cli get views')
[[ $views == 3 ]] || fail "redis-cli get views with the password from the Secret's file: $views"
aof=$(podman exec redis-0-redis sh -c 'ls /data/appendonlydir')
[[ $aof == *.aof* ]] || fail "no append-only file in /data: $aof"
ok "Redis asks for the password (ping -> $noauth), holds views=$views, writes its AOF on the claim's volume"
# shellcheck disable=SC2016 # expanded inside the container
memory=$(podman exec redis-0-redis sh -c 'export REDISCLI_AUTH=$(cat /run/secrets/redis/password);
  redis-cli --raw config get maxmemory | tail -n 1; redis-cli --raw config get maxmemory-policy | tail -n 1' | paste -sd' ')
limit=$(podman inspect --format '{{.HostConfig.Memory}}' redis-0-redis)
[[ $memory == "268435456 noeviction" && $limit == $((2 * 268435456)) ]] \
  || fail "Redis's maxmemory and policy: $memory; its memory limit: $limit (expected 268435456 noeviction, 536870912)"
ok "the running Redis: CONFIG GET maxmemory 268435456 (256 MiB), maxmemory-policy noeviction; memory limit 512 MiB"

down_started=$(date +%s.%N)
for ((i = ${#played[@]} - 1; i >= 0; i--)); do in_netns podman kube down "${played[i]}" >/dev/null 2>&1 || fail "podman kube down"; done
played=()
echo "   kube down (both pods): $(since "$down_started") s"
podman volume exists data-redis-0 || fail "the claim's volume data-redis-0 is gone after kube down"
play_started=$(date +%s.%N)
play_all --pods-only
wait_ready "$play_started" "second play"
expect_page 4
ok "after kube down and play again the count goes on (the claim's volume kept the AOF)"
