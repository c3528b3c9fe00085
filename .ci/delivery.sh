#!/usr/bin/env bash
# CI stage for issue 23: the delivery path's multi-platform index, signature and SBOM, proven on a machine with no
# arm64 CPU, no Docker engine and no registry reachable. Called by .ci/run after .ci/pipeline.sh.
#   1. QEMU's arm64 handler (binfmt_misc), the arm64 tomcat stand-in (docker/standins/make-arm64-standins.sh,
#      cached by recipe), cosign from Debian trixie.
#   2. docker/Dockerfile built with buildah for linux/amd64 and linux/arm64 (the WAR stage once, on amd64), the two
#      runtime images put in one manifest list, written as the OCI archive CircleCI's build job leaves in its workspace.
#   3. The arm64 image run under QEMU with docker/ci/smoke-test.sh (podman standing in for docker): 200 on /, counted
#      in a Redis beside it; `uname -m` inside says aarch64.
#   4. docker/ci/publish-index.sh for main and for tag v1.4.2 against a local registry (TLS + htpasswd), with a cosign
#      key pair made here: under each tag, exactly linux/amd64 and linux/arm64, one digest, signed; `cosign verify`
#      passes; the WAR's SBOM attached to it names pom.xml's Jedis, Jackson and Prometheus client versions.
#   5. An unsigned image pushed to the same tag: `cosign verify` fails and docker/ci/deploy.sh refuses it.
# Installs what it needs; removes what it starts or adds under /etc/containers when it exits.
set -euo pipefail

cd "$(dirname "$0")/.."
started=$SECONDS
CACHE=${HIT_COUNTER_CI_CACHE:-/var/cache/hit-counter-ci}
sha=$(git rev-parse HEAD)
name=localhost/hit-counter-delivery
work=$(mktemp -d /tmp/hit-counter-delivery.XXXXXX)
export CONTAINERS_CONF=$PWD/.ci/podman-containers.conf
registry_pid=
certs_dir=
made_certs_parent=
port=
step_started=

say() {
  if [[ -n $step_started ]]; then echo "=== delivery: (that step: $((SECONDS - step_started)) s)"; fi
  step_started=$SECONDS
  printf '\n=== delivery: %s\n' "$*"
}
fail() {
  echo "delivery: FAILED: $*" >&2
  exit 1
}
cleanup() {
  local code=$?
  if [[ -n $registry_pid ]]; then kill "$registry_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  podman manifest rm "$name:$sha" >/dev/null 2>&1 || true
  # The per-platform images stay (fixed tags, replaced by the next run): their layers are the next run's cache.
  podman rmi "$name:unsigned" >/dev/null 2>&1 || true
  if [[ -n $certs_dir ]]; then rm -rf "$certs_dir"; fi
  if [[ -n $made_certs_parent ]]; then rmdir /etc/containers/certs.d 2>/dev/null || true; fi
  rm -rf "$work"
  echo "delivery: cleaned up (exit $code, $((SECONDS - started)) s in all)"
}
trap cleanup EXIT

say "step 1: tools, QEMU for arm64, stand-ins"
packages=(buildah podman runc slirp4netns debootstrap qemu-user-static binfmt-support skopeo docker-registry
  apache2-utils openssl curl jq)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "apt-get install ${missing[*]}"
  apt-get -o DPkg::Lock::Timeout=600 -qq update
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -qq install -y --no-install-recommends \
    "${missing[@]}" >/dev/null
fi
# cosign is packaged from Debian trixie on (2.5.0): fetched with apt from trixie into a private apt state, as
# .ci/containers.sh fetches Compose, so the machine's apt sources stay as they are. A static Go binary.
COSIGN_VERSION=2.5.0
# Debian's build reports its version as "devel": the cached binary's name carries the version.
if [[ ! -x $CACHE/cosign-$COSIGN_VERSION ]]; then
  mirror=$(bash docker/standins/make-standins.sh --mirror)
  apt_dir=$work/apt-trixie
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$CACHE"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" >"$apt_dir/sources.list"
  apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o APT::Sandbox::User=root -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir"
    -o "Dir::Cache::archives=$apt_dir/archives")
  apt-get "${apt_opts[@]}" -qq update
  (cd "$apt_dir" && apt-get "${apt_opts[@]}" -qq download "cosign=$COSIGN_VERSION-*")
  dpkg-deb -x "$apt_dir"/cosign_*.deb "$apt_dir/root"
  install -m 755 "$apt_dir/root/usr/bin/cosign" "$CACHE/cosign-$COSIGN_VERSION"
fi
mkdir -p "$work/bin"
ln -s "$CACHE/cosign-$COSIGN_VERSION" "$work/bin/cosign"
# docker/ci/smoke-test.sh speaks docker; here podman answers (--pull=never: no registry is reachable).
cat >"$work/bin/docker" <<'EOF'
#!/bin/sh
[ "$1" = run ] && { shift; exec podman run --pull=never --no-healthcheck "$@"; }
exec podman "$@"
EOF
chmod +x "$work/bin/docker"
export PATH=$work/bin:$PATH
echo "cosign $COSIGN_VERSION (Debian trixie), $(skopeo --version), $(buildah --version | cut -d' ' -f1-3)," \
  "$(qemu-aarch64-static --version | head -1)"

# binfmt_misc is not mounted in a fresh container or VM; qemu-user-static registers its handlers with the F flag, so
# the interpreter works inside containers' own root file systems too.
[[ -e /proc/sys/fs/binfmt_misc/status ]] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
update-binfmts --enable qemu-aarch64 2>/dev/null || true
grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 || fail "QEMU's aarch64 binfmt handler is not enabled"
grep -q '^flags: .*F' /proc/sys/fs/binfmt_misc/qemu-aarch64 || fail "QEMU's aarch64 handler lacks the F flag"
echo "binfmt_misc: qemu-aarch64 $(sed -n 's/^interpreter //p' /proc/sys/fs/binfmt_misc/qemu-aarch64), enabled"

bash docker/standins/make-standins.sh
bash docker/standins/make-arm64-standins.sh
arm64_tomcat=$(bash docker/standins/make-arm64-standins.sh --list)

say "step 2: docker/Dockerfile for linux/amd64 and linux/arm64 (buildah), one manifest list"
build() { # PLATFORM TAG [buildah flags]
  local platform=$1 tag=$2 log=$work/build-${1//\//-}.log t=$SECONDS
  shift 2
  # Debian's buildah 1.28 does not set BUILDPLATFORM by itself (BuildKit does): the machine's own.
  if ! buildah bud --pull=never --isolation chroot --format docker --layers --force-rm --platform "$platform" \
    --build-arg BUILDPLATFORM=linux/amd64 -f docker/Dockerfile --label "org.opencontainers.image.revision=$sha" \
    "$@" -t "$tag" . >"$log" 2>&1; then
    tail -30 "$log" >&2
    fail "build for $platform"
  fi
  echo "built $platform as $tag ($(podman image inspect --format '{{.Os}}/{{.Architecture}}' "$tag")) in $((SECONDS - t)) s"
}
build linux/amd64 "$name:amd64" --target runtime
# The official tomcat tag is itself a two-platform index; the stand-ins are two images, so the arm64 build is told
# which one its FROM means.
build linux/arm64 "$name:arm64" --target runtime \
  --build-context "tomcat:11.0.24-jre21-temurin-noble=container-image://$arm64_tomcat"
grep -q 'FROM localhost/hit-counter-standin-arm64/' "$work/build-linux-arm64.log" ||
  fail "the arm64 runtime stage did not start from the arm64 stand-in"
podman manifest rm "$name:$sha" >/dev/null 2>&1 || true
podman manifest create "$name:$sha" >/dev/null
podman manifest add "$name:$sha" "containers-storage:$name:amd64" >/dev/null
podman manifest add "$name:$sha" "containers-storage:$name:arm64" >/dev/null
export CI_OUT=$work/ci
mkdir -p "$CI_OUT/workspace"
podman manifest push --quiet --all --format oci "$name:$sha" "oci-archive:$CI_OUT/workspace/image-index.tar"
printf 'IMAGE_REF=%s\nIMAGE_SHA=%s\n' "$name:$sha" "$sha" >"$CI_OUT/workspace/image.env"
# The WAR's SBOM from the build stage (a cached layer of the builds above), as build-and-test.sh copies it out.
build linux/amd64 "$name:war" --target build
podman create --name "delivery-war-$$" "$name:war" >/dev/null
podman cp "delivery-war-$$:/app/target/hit-counter-bom.json" "$CI_OUT/workspace/hit-counter-bom.json"
podman rm "delivery-war-$$" >/dev/null
echo "workspace: image-index.tar ($(du -m "$CI_OUT/workspace/image-index.tar" | cut -f1) MB)," \
  "hit-counter-bom.json ($(jq '.components | length' "$CI_OUT/workspace/hit-counter-bom.json") components)"

say "step 3: the arm64 image under QEMU, with Redis: docker/ci/smoke-test.sh"
arch=$(podman run --rm --pull=never --network none --platform linux/arm64 --entrypoint uname "$name:arm64" -m)
[[ $arch == aarch64 ]] || fail "uname -m in the arm64 image says '$arch', not aarch64"
echo "uname -m inside $name:arm64: $arch (host: $(uname -m))"
# Emulated, the JVM spends much of its start compiling: C1 only. Still minutes on a loaded machine.
SMOKE_REDIS_IMAGE=docker.io/library/redis:8.0.6-bookworm SMOKE_PLATFORM=linux/arm64 SMOKE_TIMEOUT=600 \
  SMOKE_JAVA_TOOL_OPTIONS='-XX:TieredStopAtLevel=1' \
  docker/ci/smoke-test.sh "$name:arm64"

say "step 4: docker/ci/publish-index.sh to a local registry (TLS, login), signed with a key pair made here"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
user=ci-publisher
password=$(openssl rand -hex 16)
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
  -keyout "$work/registry.key" -out "$work/registry.crt" 2>/dev/null
htpasswd -Bbn "$user" "$password" >"$work/htpasswd"
cat >"$work/registry.yml" <<EOF
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $work/registry-data}
  delete: {enabled: true}
http:
  addr: 127.0.0.1:$port
  tls: {certificate: $work/registry.crt, key: $work/registry.key}
auth:
  htpasswd: {realm: hit-counter-delivery, path: $work/htpasswd}
EOF
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for i in $(seq 50); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' --cacert "$work/registry.crt" "https://127.0.0.1:$port/v2/") == 401 ]] &&
    break
  ((i < 50)) || fail "the registry did not start on 127.0.0.1:$port"
  sleep 0.1
done
[[ -d /etc/containers/certs.d ]] || made_certs_parent=1
certs_dir=/etc/containers/certs.d/127.0.0.1:$port
mkdir -p "$certs_dir"
cp "$work/registry.crt" "$certs_dir/ca.crt"
echo "registry: https://127.0.0.1:$port (TLS, htpasswd user $user)"

# The CircleCI context's variables, with a key pair that lives only as long as this run.
export COSIGN_PASSWORD
COSIGN_PASSWORD=$(openssl rand -hex 16)
(cd "$work" && cosign generate-key-pair >/dev/null 2>&1)
export COSIGN_PRIVATE_KEY
COSIGN_PRIVATE_KEY=$(<"$work/cosign.key")
rm "$work/cosign.key"
repo_path=hit-counter/hit-counter
export IMAGE_REPO=127.0.0.1:$port/$repo_path DOCKER_HUB_USER_ID=$user DOCKER_HUB_PWD=$password
export DOCKER_CONFIG=$work/docker-client REGISTRY_CA_FILE=$work/registry.crt COSIGN_TLOG=false
echo "cosign key pair made for this run; COSIGN_TLOG=false: Sigstore's public Rekor log is not reachable here"
verify=(cosign verify --key "$work/cosign.pub" --insecure-ignore-tlog=true --registry-cacert "$work/registry.crt")
inspect=(skopeo inspect --raw --authfile "$DOCKER_CONFIG/config.json")

# check_tags TAG...: each tag holds the index: exactly linux/amd64 and linux/arm64, one digest for all, signed.
check_tags() {
  local tag raw digest platforms digests=()
  for tag in "$@"; do
    raw=$("${inspect[@]}" "docker://$IMAGE_REPO:$tag")
    digest=sha256:$(printf '%s' "$raw" | sha256sum | cut -d' ' -f1)
    platforms=$(jq -r '.mediaType + " " + ([.manifests[]
      | select(.annotations["vnd.docker.reference.type"] != "attestation-manifest")
      | .platform.os + "/" + .platform.architecture] | sort | join(","))' <<<"$raw")
    printf '  %-44s %s  %s\n' "$IMAGE_REPO:$tag" "$digest" "$platforms"
    [[ $platforms == "application/vnd.oci.image.index.v1+json linux/amd64,linux/arm64" ]] ||
      fail "$tag is [$platforms], not an OCI index of exactly linux/amd64 and linux/arm64"
    digests+=("$digest")
  done
  [[ $(printf '%s\n' "${digests[@]}" | sort -u | wc -l) == 1 ]] || fail "the tags point at different indexes"
  "${verify[@]}" "$IMAGE_REPO@${digests[0]}" >"$work/verify.json" 2>"$work/verify.err" || {
    cat "$work/verify.err" >&2
    fail "cosign verify failed for $IMAGE_REPO@${digests[0]}"
  }
  echo "cosign verify --key cosign.pub $IMAGE_REPO@${digests[0]}: ok ($(jq length "$work/verify.json") signature)"
  index_digest=${digests[0]}
}

for event in main:main: release:'':v1.4.2; do
  IFS=: read -r what branch tag <<<"$event"
  export CIRCLE_BRANCH=$branch CIRCLE_TAG=$tag
  echo "event $what (CIRCLE_BRANCH='$branch' CIRCLE_TAG='$tag'):"
  if ! docker/ci/publish-index.sh >"$work/publish-$what.log" 2>&1; then
    tail -30 "$work/publish-$what.log" >&2
    fail "publish-index.sh failed"
  fi
  grep -E '^publish-index: ' "$work/publish-$what.log"
done
# publish-index.sh logs out when done; the checks below read as a user logged in to this registry would.
printf '%s' "$password" | skopeo login --authfile "$DOCKER_CONFIG/config.json" --username "$user" --password-stdin \
  "127.0.0.1:$port" >/dev/null
tags=$(curl -fsS --cacert "$work/registry.crt" -u "$user:$password" "https://127.0.0.1:$port/v2/$repo_path/tags/list" |
  jq -r '.tags[]' | grep -v '^sha256-' | sort | xargs)
[[ $tags == "$(printf '%s\n' "$sha" 1 1.4 1.4.2 latest | sort | xargs)" ]] || fail "registry tags: [$tags]"
check_tags "$sha" latest 1.4.2 1.4 1

# The SBOM attached to the index, read back through its signed attestation, against pom.xml (each event attached
# the same one: the first will do).
cosign verify-attestation --key "$work/cosign.pub" --insecure-ignore-tlog=true --registry-cacert "$work/registry.crt" \
  --type cyclonedx "$IMAGE_REPO@$index_digest" >"$work/attestations.json" 2>"$work/attestations.err" || {
  cat "$work/attestations.err" >&2
  fail "no verified CycloneDX attestation on $IMAGE_REPO@$index_digest"
}
head -n1 "$work/attestations.json" | jq -r '.payload' | base64 -d | jq '.predicate' >"$work/attested-bom.json"
python3 - "$work/attested-bom.json" pom.xml <<'PY' || fail "the attached SBOM does not match pom.xml"
import json, re, sys
import xml.etree.ElementTree as ET

bom = json.load(open(sys.argv[1]))
ns = {"m": "http://maven.apache.org/POM/4.0.0"}
pom = ET.parse(sys.argv[2]).getroot()
props = {e.tag.split("}")[1]: e.text for e in pom.find("m:properties", ns)}
listed = {(c.get("group"), c["name"]): c["version"] for c in bom.get("components", [])}
wanted = {}
for d in pom.find("m:dependencies", ns):
    group = d.findtext("m:groupId", namespaces=ns)
    if group in ("redis.clients", "com.fasterxml.jackson.core", "io.prometheus"):
        version = re.sub(r"\$\{([^}]+)}", lambda m: props[m.group(1)], d.findtext("m:version", namespaces=ns))
        wanted[(group, d.findtext("m:artifactId", namespaces=ns))] = version
bad = {f"{g}:{a}": f"pom {v}, SBOM {listed.get((g, a))}" for (g, a), v in wanted.items() if listed.get((g, a)) != v}
if bad or len(wanted) < 3:
    print(f"SBOM vs pom.xml: {bad or 'too few dependencies found in pom.xml'}", file=sys.stderr)
    sys.exit(1)
print("attested SBOM (verified with cosign.pub) vs pom.xml: " + ", ".join(f"{a} {v}" for (g, a), v in sorted(wanted.items())))
PY

echo "deploy.sh on the signed release:"
CIRCLE_TAG=v1.4.2 DEPLOY_DRY_RUN=1 COSIGN_PUBLIC_KEY_FILE=$work/cosign.pub docker/ci/deploy.sh >"$work/deploy.log" 2>&1 ||
  { cat "$work/deploy.log" >&2; fail "deploy.sh refused the signed release"; }
sed 's/^/  /' "$work/deploy.log"
grep -q "@$index_digest" "$work/deploy.log" || fail "deploy.sh does not deploy by the signed digest"

say "step 5: an unsigned image pushed to the same tag is refused"
# Any image will do: the amd64 one with one more label, pushed over :1.4.2 without signing.
buildah from --pull=never --name "delivery-unsigned-$$" "$name:amd64" >/dev/null
buildah config --label org.hit-counter.unsigned=yes "delivery-unsigned-$$"
buildah commit --quiet --rm "delivery-unsigned-$$" "$name:unsigned" >/dev/null
skopeo copy --quiet --authfile "$DOCKER_CONFIG/config.json" "containers-storage:$name:unsigned" \
  "docker://$IMAGE_REPO:1.4.2"
unsigned=sha256:$("${inspect[@]}" "docker://$IMAGE_REPO:1.4.2" | sha256sum | cut -d' ' -f1)
[[ $unsigned != "$index_digest" ]] || fail "the unsigned push did not change :1.4.2"
echo "pushed an unsigned image to $IMAGE_REPO:1.4.2 ($unsigned)"
if "${verify[@]}" "$IMAGE_REPO:1.4.2" >/dev/null 2>"$work/verify.err"; then
  fail "cosign verify accepted the unsigned image"
fi
echo "cosign verify $IMAGE_REPO:1.4.2: fails, as it must: $(grep -m1 -i error "$work/verify.err")"
if CIRCLE_TAG=v1.4.2 DEPLOY_DRY_RUN=1 COSIGN_PUBLIC_KEY_FILE=$work/cosign.pub docker/ci/deploy.sh >"$work/deploy.log" 2>&1; then
  cat "$work/deploy.log"
  fail "deploy.sh deployed the unsigned image"
fi
grep -q '^deploy: REFUSED: ' "$work/deploy.log" || { cat "$work/deploy.log"; fail "deploy.sh failed without its refusal line"; }
echo "deploy.sh: $(grep '^deploy: REFUSED' "$work/deploy.log")"
if grep -q '^deploy (dry run)' "$work/deploy.log"; then fail "deploy.sh printed a deploy command for the unsigned image"; fi
# And a signature made with another key does not count either: the signed index's digest, checked with a stranger's key.
(mkdir "$work/stranger" && cd "$work/stranger" && COSIGN_PASSWORD=x cosign generate-key-pair >/dev/null 2>&1)
if cosign verify --key "$work/stranger/cosign.pub" --insecure-ignore-tlog=true --registry-cacert "$work/registry.crt" \
  "$IMAGE_REPO@$index_digest" >/dev/null 2>&1; then
  fail "cosign verify accepted the index with another key"
fi
echo "cosign verify of the signed index with another public key: fails, as it must"

say "all steps passed in $((SECONDS - started)) s"
