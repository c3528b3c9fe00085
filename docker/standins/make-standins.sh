#!/usr/bin/env bash
# Makes offline stand-ins for the base images that docker/Dockerfile and the Compose files name, for machines
# that reach no container registry: Debian roots from debootstrap, Debian's OpenJDK, Redis, HAProxy and Prometheus,
# and Tomcat from Maven Central, tagged exactly as the files name the official images and laid out like them.
#
# Idempotent and cached: an image is rebuilt only when it is missing or its recipe changed (how the Debian root
# is made, the machine's added CAs, the image's entry below, its Containerfile and the files that copies); the
# recipe hash is kept in the image's label.
#
#   bash docker/standins/make-standins.sh          make (or reuse) all stand-ins
#   bash docker/standins/make-standins.sh --list   print the tags the stand-ins provide
#   bash docker/standins/make-standins.sh --mirror print the Debian mirror apt is configured with
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

TOMCAT_VERSION=11.0.24
# tag | recipe (Containerfile in this folder) | base suite | what it really is
STANDINS=(
  "docker.io/library/eclipse-temurin:21.0.13_9-jdk-noble|eclipse-temurin|trixie|Debian trixie + Debian openjdk-21-jdk-headless"
  "docker.io/library/tomcat:$TOMCAT_VERSION-jre21-temurin-noble|tomcat|trixie|Debian trixie + Debian openjdk-21-jre-headless + Tomcat $TOMCAT_VERSION from Maven Central"
  # Debian forky's redis-server: the first suite on the mirror at or above the CVE-2025-49844 fix of its line
  # (trixie has 8.0.2 with the fix backported, but it reports 8.0.2); the tag names the version it really is.
  "docker.io/library/redis:8.0.6-bookworm|redis|forky|Debian forky + Debian redis-server 8.0.6"
  "docker.io/library/haproxy:3.0.11-bookworm|haproxy|trixie|Debian trixie + Debian haproxy 3.0.11"
  # For docker-compose.yml's REDIS_IMAGE switch (issue 22 part 3); the official image is also Debian-based.
  "docker.io/valkey/valkey:8.1.1|valkey|trixie|Debian trixie + Debian valkey-server 8.1.1"
  # For docker-compose.monitoring.yml: forky has Prometheus 3.5 (the LTS line the file names), trixie 2.53.
  "docker.io/prom/prometheus:v3.5.3|prometheus|forky|Debian forky + Debian prometheus 3.5.3"
)
BASE_REPO=localhost/hit-counter-standin-base
LABEL=org.hit-counter.standin.recipe

# The Debian mirror apt is configured with, so debootstrap fetches from the same place apt does.
debian_mirror() {
  local uri
  uri=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -m1 '/debian/*$' || true)
  [[ -n $uri ]] || uri=$(grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}' | grep -m1 '/debian/*$' || true)
  [[ -n $uri ]] || { echo "make-standins: no Debian mirror found in apt's sources" >&2; return 1; }
  echo "$uri"
}

if [[ ${1-} == --list ]]; then
  for entry in "${STANDINS[@]}"; do echo "${entry%%|*}"; done
  exit 0
fi
if [[ ${1-} == --mirror ]]; then
  debian_mirror
  exit 0
fi

for tool in podman buildah debootstrap; do
  command -v "$tool" >/dev/null || { echo "make-standins: $tool is not installed" >&2; exit 1; }
done

# Two callers (the CI stage and the CircleCI helper) may run at once on one machine.
mkdir -p /run/lock
exec 9>/run/lock/hit-counter-standins.lock
flock 9

hash_of() { cat "$@" | sha256sum | cut -c1-16; }

recipe_of() {
  local tag=$1
  podman image inspect --format "{{index .Labels \"$LABEL\"}}" "$tag" 2>/dev/null || true
}

rootfs=
cleanup_rootfs() {
  [[ -n $rootfs ]] || return 0
  # debootstrap mounts /proc and /sys inside the root; a failure half-way must not leave them mounted.
  umount -R "$rootfs/proc" "$rootfs/sys" 2>/dev/null || true
  rm -rf --one-file-system "$rootfs" "$rootfs.log"
  rootfs=
}
trap cleanup_rootfs EXIT

# A suite newer than the machine's debootstrap (forky on bookworm) has no script of its own: it is made like
# testing, with sid's. Kept out of make_base, whose text is part of every base's recipe hash.
debootstrap() { # --variant=... SUITE TARGET MIRROR
  if [[ -e /usr/share/debootstrap/scripts/$2 ]]; then
    command debootstrap "$@"
  else
    command debootstrap "$@" /usr/share/debootstrap/scripts/sid
  fi
}

make_base() {
  local suite=$1 recipe=$2 old_base local_cas
  if [[ $(recipe_of "$BASE_REPO:$suite") == "$recipe" ]]; then
    return 0
  fi
  old_base=$(podman image inspect --format '{{.Id}}' "$BASE_REPO:$suite" 2>/dev/null || true)
  rootfs=$(mktemp -d /var/tmp/standin-rootfs.XXXXXX)
  echo "  debootstrap $suite (minbase) ..."
  if ! debootstrap --variant=minbase "$suite" "$rootfs" "$(debian_mirror)" >"$rootfs.log" 2>&1; then
    tail -20 "$rootfs.log" >&2
    cleanup_rootfs
    return 1
  fi
  # The machine's own added CAs (here: the one its registry proxy presents), picked up when a stand-in installs
  # ca-certificates; without them curl, wget and Maven inside a build fail on HTTPS.
  local_cas=(/usr/local/share/ca-certificates/*.crt)
  if ((${#local_cas[@]} > 0)); then
    mkdir -p "$rootfs/usr/local/share/ca-certificates"
    cp "${local_cas[@]}" "$rootfs/usr/local/share/ca-certificates/"
  fi
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/*
  # As in the official Debian images: apt leaves no .deb files or package caches in an image layer.
  cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
  tar -C "$rootfs" --numeric-owner -c . \
    | podman import --quiet --change "LABEL $LABEL=$recipe" --change 'CMD ["bash"]' - "$BASE_REPO:$suite" >/dev/null
  cleanup_rootfs
  [[ -z $old_base ]] || stale_ids+=("$old_base")
}

tomcat_tarball() {
  local dest=$1 m2=${MAVEN_REPO_LOCAL:-$HOME/.m2/repository} mvn=${MVN:-mvn}
  local jar=$m2/org/apache/tomcat/tomcat/$TOMCAT_VERSION/tomcat-$TOMCAT_VERSION.tar.gz
  if [[ ! -s $jar ]]; then
    "$mvn" -B -q -C dependency:get -Dartifact="org.apache.tomcat:tomcat:$TOMCAT_VERSION:tar.gz" -Dtransitive=false \
      -Dmaven.repo.local="$m2" >&2
  fi
  cp "$jar" "$dest"
}

shopt -s nullglob
base_recipe=$(hash_of <(declare -f make_base) /usr/local/share/ca-certificates/*.crt)
status=0
stale_ids=()
for entry in "${STANDINS[@]}"; do
  IFS='|' read -r tag name suite what <<<"$entry"
  extra=()
  [[ $name == redis || $name == haproxy || $name == valkey ]] && extra=("$here/$name-entrypoint.sh")
  recipe=$(hash_of <(echo "$base_recipe $entry") "$here/$name.Containerfile" "${extra[@]}")
  if [[ $(recipe_of "$tag") == "$recipe" ]]; then
    echo "stand-in $tag: cached (recipe $recipe) -- STAND-IN, not the official image: $what"
    continue
  fi
  started=$SECONDS
  old_id=$(podman image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)
  echo "stand-in $tag: building (recipe $recipe) ..."
  make_base "$suite" "$base_recipe"
  context=$(mktemp -d /var/tmp/standin-context.XXXXXX)
  cp "$here/$name.Containerfile" "${extra[@]}" "$context/"
  build_args=()
  if [[ $name == tomcat ]]; then
    tomcat_tarball "$context/tomcat.tar.gz"
    build_args=(--build-arg "TOMCAT_VERSION=$TOMCAT_VERSION")
  fi
  # The version in the tag, which the build checks the package really has.
  version=${tag##*:}
  version=${version#v}
  [[ $name != redis && $name != haproxy && $name != valkey && $name != prometheus ]] || build_args+=(--build-arg "VERSION=${version%%-*}")
  if buildah bud --quiet --pull=never --isolation chroot --format docker --layers=false --force-rm \
      --label "$LABEL=$recipe" --label "org.hit-counter.standin.of=$what" "${build_args[@]}" \
      -f "$context/$name.Containerfile" -t "$tag" "$context" >"$context.log" 2>&1; then
    echo "stand-in $tag: built in $((SECONDS - started)) s -- STAND-IN, not the official image: $what"
    [[ -z $old_id ]] || stale_ids+=("$old_id")
  else
    tail -30 "$context.log" >&2
    echo "stand-in $tag: FAILED" >&2
    status=1
  fi
  rm -rf "$context" "$context.log"
done
# Replaced versions would stay behind untagged: drop them, newest first so children go before their bases,
# unless something else still uses them.
for ((i = ${#stale_ids[@]} - 1; i >= 0; i--)); do
  podman rmi "${stale_ids[i]}" >/dev/null 2>&1 || true
done
exit "$status"
