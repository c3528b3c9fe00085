#!/usr/bin/env bash
# The benchmark in one command, from a fresh clone:  bench/run.sh [--quick] [--only a,b] [--experiments] [--badges] [--no-docs]
# Installs what it needs (Debian packages, the Node peer's npm packages), builds the app, fetches the
# stock Tomcat, then hands over to bench/bench.py, which starts and stops every server itself.
# `bench/run.sh --help` lists the options; `--list` the servers.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
out=bench/out
mkdir -p "$out"
command_line="bench/run.sh${*:+ $*}"

need=()
for pkg in wrk redis-server python3-flask python3-redis gunicorn python3-matplotlib; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if ((${#need[@]})); then
  echo "installing Debian packages: ${need[*]}"
  # Another apt may be running on a shared machine: wait for its lock rather than fail.
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need[@]}" >/dev/null
fi

(cd bench/node && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

echo "building the app (./mvnw -B -q -DskipTests package)"
./mvnw -B -q -DskipTests package
# The README run command forks java on the compile classpath (provided Tomcat included); the bench
# starts that same java command itself, so that start-up time is the app's and not Maven's.
./mvnw -B -q dependency:build-classpath -Dmdep.outputFile="$out/classpath.txt" -Dmdep.includeScope=compile >/dev/null

tomcat_version=$(sed -n 's:.*<tomcat.version>\(.*\)</tomcat.version>.*:\1:p' pom.xml)
tomcat_home="$root/$out/tomcat/apache-tomcat-$tomcat_version"
if [[ ! -x "$tomcat_home/bin/catalina.sh" ]]; then
  echo "fetching the Tomcat $tomcat_version distribution"
  # overWriteReleases: the marker that `./mvnw verify` leaves for its own unpack of this artifact
  # into target/ would otherwise make this one a silent no-op.
  ./mvnw -B -q dependency:unpack -Dartifact="org.apache.tomcat:tomcat:$tomcat_version:tar.gz" \
    -Dmdep.overWriteReleases=true -DoutputDirectory="$root/$out/tomcat" >/dev/null
fi

BENCH_TOMCAT_HOME="$tomcat_home" BENCH_COMMAND="$command_line" exec /usr/bin/python3 bench/bench.py "$@"
