#!/usr/bin/env bash
# CI stage (issue 22 part 3): the integration tests of counting, pages, unique visitors and Sentinel failover run
# again against Valkey 8, Debian's valkey-server and valkey-sentinel, which the test harness starts in place of
# redis-server (-Dtest.redis.server, -Dtest.redis.sentinel). Fails if Valkey is missing or if any server the tests
# started was not Valkey. Called by .ci/run after the Maven tests.
set -euo pipefail
cd "$(dirname "$0")/.."

stage_started=$SECONDS
# Debian bookworm-backports' Valkey, built for this machine's bookworm (trixie's needs a newer libc).
VALKEY_SUITE=bookworm-backports
VALKEY_PACKAGE_VERSION=8.0.1+dfsg1-1~bpo12+1
VALKEY_VERSION=${VALKEY_PACKAGE_VERSION%%+*}
# The counter, the page scripts and bound, WAIT, unique visitors, Sentinel discovery, auth and one failover test (three
# kills without WAIT, one Sentinel down). The five kills with WAIT run against Redis in the README's run only: they
# would add 65 s, and their timing goals are the Sentinels' election, not the server's protocol.
ITS=RedisCountingIT,PageEndpointsIT,PageBatchScriptIT,PageBoundIT,PageWaitReplicasIT,UniqueVisitorsIT,UniqueVisitorsEndpointIT,PageSentinelDiscoveryIT,SentinelAuthIT,SentinelFailoverIT#withoutWaitCountingResumesAndOneSentinelDownChangesNothing

fail() {
  echo "   FAILED: $*" >&2
  echo "== valkey: FAILED after $((SECONDS - stage_started)) s" >&2
  exit 1
}

work=$(mktemp -d /tmp/hit-counter-valkey.XXXXXX)
trap 'rm -rf "$work"' EXIT

installed() { valkey-server --version 2>/dev/null | grep -q " v=$VALKEY_VERSION " && command -v valkey-sentinel >/dev/null; }
if ! installed; then
  # Fetched with a private apt state, as .ci/containers.sh fetches Compose, so the machine's apt sources stay as
  # they are; apt then installs the pinned .deb files with their libraries from the machine's own sources.
  mirror=$(bash docker/standins/make-standins.sh --mirror)
  apt_dir=$work/apt
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $VALKEY_SUITE main" >"$apt_dir/sources.list"
  apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null -o APT::Sandbox::User=root
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir" -o "Dir::Cache::archives=$apt_dir/archives")
  apt-get "${apt_opts[@]}" -qq update
  (cd "$apt_dir" && apt-get "${apt_opts[@]}" -qq download "valkey-tools=$VALKEY_PACKAGE_VERSION" \
    "valkey-server=$VALKEY_PACKAGE_VERSION" "valkey-sentinel=$VALKEY_PACKAGE_VERSION")
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -qq install -y "$apt_dir"/valkey-*.deb >/dev/null
fi
installed || fail "valkey-server $VALKEY_VERSION and valkey-sentinel are not installed"
echo "   $(valkey-server --version) (Debian $VALKEY_SUITE $VALKEY_PACKAGE_VERSION)"

log=$work/maven.log
tests_started=$SECONDS
# The reports read below must be this run's, not the README command's from before.
rm -f target/failsafe-reports/TEST-*.xml
# The tests' own log lines stay in the file unless they fail: the README's run above printed the same ones.
if ! ./mvnw -q verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test="$ITS" \
  -Dtest.redis.server=valkey-server -Dtest.redis.sentinel=valkey-sentinel >"$log" 2>&1; then
  grep -E '^\[(ERROR|WARNING)\]|RedisServerProcess' "$log" | head -80 | sed 's/^/   | /' >&2
  fail "./mvnw verify of $ITS against Valkey"
fi
# The harness refuses a server whose INFO does not match its binary's name, and prints each binary it started
# once: both Valkey binaries must be there, and nothing else.
announced=$(grep '^RedisServerProcess: ' "$log" || true)
for binary in valkey-server valkey-sentinel; do
  grep -q "/$binary answers server_name:valkey valkey_version:$VALKEY_VERSION\$" <<<"$announced" \
    || fail "no test started $binary answering server_name:valkey valkey_version:$VALKEY_VERSION; the harness said: $announced"
done
others=$(grep -v "answers server_name:valkey valkey_version:$VALKEY_VERSION\$" <<<"$announced" || true)
[[ -z $others ]] || fail "a test started another server: $others"
echo "   ${announced//$'\n'/$'\n'   }"
python3 - "$ITS" <<'EOF'
import sys
import xml.etree.ElementTree as ET

for name in (item.split("#")[0] for item in sys.argv[1].split(",")):
    package = "pages" if name.startswith(("Page", "Unique")) else "counter"
    suite = ET.parse(f"target/failsafe-reports/TEST-dev.hitcounter.{package}.{name}.xml").getroot()
    tests = int(suite.get("tests"))
    failed = int(suite.get("failures")) + int(suite.get("errors"))
    skipped = int(suite.get("skipped"))
    if failed or skipped or not tests:
        sys.exit(f"   FAILED: {name}: {tests} tests, {failed} failed, {skipped} skipped")
    print(f"   ok: {name} against Valkey: {tests} tests passed in {float(suite.get('time')):.1f} s")
EOF
echo "== valkey: the tests ran in $((SECONDS - tests_started)) s; stage passed in $((SECONDS - stage_started)) s"
