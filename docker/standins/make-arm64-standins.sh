#!/usr/bin/env bash
# Makes the linux/arm64 twin of the tomcat stand-in (make-standins.sh), for the multi-platform build in
# .ci/delivery.sh on a machine with no arm64 CPU and no registry (issue 23).
#
# The root is made without running anything arm64: `debootstrap --foreign --arch arm64` only resolves and downloads
# the packages (and unpacks the required ones), then every package is unpacked with `dpkg-deb -x` on the host.
# Nothing is configured (no maintainer scripts, so apt inside it knows no packages and Java has no cacerts): enough
# for the runtime stage's RUN (rm, mkdir, groupadd, useradd) and for Tomcat, which is all the proof needs, in
# about a minute instead of debootstrap's second stage under QEMU. Tagged under its own name, with the arch set
# to arm64; cached by recipe as the other stand-ins are.
#
#   bash docker/standins/make-arm64-standins.sh          make (or reuse) it
#   bash docker/standins/make-arm64-standins.sh --list   print its tag
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOMCAT_VERSION=$(sed -n 's/^TOMCAT_VERSION=//p' "$here/make-standins.sh")
TAG=localhost/hit-counter-standin-arm64/tomcat:$TOMCAT_VERSION-jre21-temurin-noble
LABEL=org.hit-counter.standin.recipe
WHAT="Debian trixie arm64 (unpacked, not configured) + Debian openjdk-21-jre-headless + Tomcat $TOMCAT_VERSION from Maven Central"

if [[ ${1-} == --list ]]; then
  echo "$TAG"
  exit 0
fi

mkdir -p /run/lock
exec 9>/run/lock/hit-counter-standins-arm64.lock
flock 9

shopt -s nullglob
recipe=$(cat "${BASH_SOURCE[0]}" /usr/local/share/ca-certificates/*.crt | sha256sum | cut -c1-16)
if [[ $(podman image inspect --format "{{index .Labels \"$LABEL\"}}" "$TAG" 2>/dev/null || true) == "$recipe" ]]; then
  echo "stand-in $TAG: cached (recipe $recipe) -- STAND-IN: $WHAT"
  exit 0
fi

started=$SECONDS
rootfs=$(mktemp -d /var/tmp/standin-arm64.XXXXXX)
trap 'rm -rf --one-file-system "$rootfs" "$rootfs.log"' EXIT
echo "stand-in $TAG: building (recipe $recipe) ..."
mirror=$(bash "$here/make-standins.sh" --mirror)
if ! debootstrap --foreign --arch=arm64 --variant=minbase --include=openjdk-21-jre-headless,curl \
  trixie "$rootfs" "$mirror" >"$rootfs.log" 2>&1; then
  tail -20 "$rootfs.log" >&2
  exit 1
fi
for deb in "$rootfs"/var/cache/apt/archives/*.deb; do
  dpkg-deb -x "$deb" "$rootfs"
done
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs/debootstrap"
# What base-passwd's and shadow's maintainer scripts would have written.
cp "$rootfs/usr/share/base-passwd/passwd.master" "$rootfs/etc/passwd"
cp "$rootfs/usr/share/base-passwd/group.master" "$rootfs/etc/group"
sed 's/:.*/:*:20000:0:99999:7:::/' "$rootfs/etc/passwd" >"$rootfs/etc/shadow"
sed 's/:.*/:*::/' "$rootfs/etc/group" >"$rootfs/etc/gshadow"
chmod 640 "$rootfs/etc/shadow" "$rootfs/etc/gshadow"
mkdir -p "$rootfs/opt/java"
ln -s /usr/lib/jvm/java-21-openjdk-arm64 "$rootfs/opt/java/openjdk"

# Tomcat laid out as tomcat.Containerfile lays it out.
m2=${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}
tarball=$m2/org/apache/tomcat/tomcat/$TOMCAT_VERSION/tomcat-$TOMCAT_VERSION.tar.gz
if [[ ! -s $tarball ]]; then
  "${MVN:-mvn}" -B -q -C dependency:get -Dartifact="org.apache.tomcat:tomcat:$TOMCAT_VERSION:tar.gz" \
    -Dtransitive=false -Dmaven.repo.local="$m2" >&2
fi
home=$rootfs/usr/local/tomcat
mkdir -p "$home"
tar -C "$home" -xzf "$tarball" --strip-components=1 --no-same-owner
rm "$home"/bin/*.bat
mv "$home/webapps" "$home/webapps.dist"
mkdir "$home/webapps"
chmod -R +rX "$home"
chmod 1777 "$home/logs" "$home/temp" "$home/work"

path=/usr/local/tomcat/bin:/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
old_id=$(podman image inspect --format '{{.Id}}' "$TAG" 2>/dev/null || true)
tar -C "$rootfs" --numeric-owner -c . | podman import --quiet --os linux --arch arm64 \
  --change "LABEL $LABEL=$recipe" --change "LABEL org.hit-counter.standin.of=$WHAT" \
  --change "ENV JAVA_HOME=/opt/java/openjdk" --change "ENV CATALINA_HOME=/usr/local/tomcat" \
  --change "ENV LANG=C.UTF-8" --change "ENV TOMCAT_MAJOR=11" --change "ENV TOMCAT_VERSION=$TOMCAT_VERSION" \
  --change "ENV PATH=$path" --change "WORKDIR /usr/local/tomcat" --change "EXPOSE 8080" \
  --change 'CMD ["catalina.sh", "run"]' - "$TAG" >/dev/null
[[ -z $old_id ]] || podman rmi "$old_id" >/dev/null 2>&1 || true
echo "stand-in $TAG: built in $((SECONDS - started)) s -- STAND-IN: $WHAT"
