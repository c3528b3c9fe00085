#!/usr/bin/env bash
# CI stage for the CircleCI pipeline (issue 4), run by .ci/run after the containers stage:
#   1. .circleci/config.yml is valid YAML and valid CircleCI 2.1; the scripts it runs exist, are executable and
#      pass shellcheck; the image tag function passes its unit tests.
#   2. The same docker/ci scripts run for real, with `docker` talking to `podman system service` and pushing to
#      a real registry (Debian's docker-registry, TLS + htpasswd, on a free 127.0.0.1 port), for a feature
#      branch, main and tag v1.4.2; after each, the registry's tags must be exactly the expected ones, all on the
#      image that build tested.
#   3. A deliberately failing test (planted in a temporary copy of the tree) fails build and publishes nothing,
#      and its JUnit XML is still copied out of the image for CircleCI's store_test_results.
# Installs what it needs; removes everything it starts or adds under /etc/containers when it exits.
set -euo pipefail

cd "$(dirname "$0")/.."
started=$SECONDS
sha=$(git rev-parse HEAD)
work=$(mktemp -d /tmp/hit-counter-pipeline.XXXXXX)
certs_dir=
made_certs_parent=
service_pid=
registry_pid=
port=

say() { printf '\n=== pipeline: %s\n' "$*"; }
fail() {
  echo "pipeline: FAILED: $*" >&2
  exit 1
}

cleanup() {
  local code=$?
  if [[ -n $registry_pid ]]; then kill "$registry_pid" 2>/dev/null || true; fi
  if [[ -n $port ]]; then
    podman images --format '{{.Repository}}:{{.Tag}}' | grep "^127.0.0.1:$port/" | xargs -r podman rmi >/dev/null || true
  fi
  if [[ -n $service_pid ]]; then kill "$service_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  if [[ -n $certs_dir ]]; then rm -rf "$certs_dir"; fi
  if [[ -n $made_certs_parent ]]; then rmdir /etc/containers/certs.d 2>/dev/null || true; fi
  rm -rf "$work"
  echo "pipeline: cleaned up (exit $code, $((SECONDS - started)) s)"
}
trap cleanup EXIT

install_tools() {
  local packages=(yamllint shellcheck buildah podman runc slirp4netns debootstrap docker-registry apache2-utils
    openssl curl jq maven) missing=() p
  command -v docker >/dev/null || packages+=(docker.io)
  for p in "${packages[@]}"; do
    dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  if ((${#missing[@]})); then
    # Another stage's apt-get may still hold the lock on a shared machine: wait for it rather than fail.
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  fi
  # Exact versions; the parser's own dependencies pinned too, so a registry update cannot change the verdict.
  npm install --prefix "$work/npm" --no-save --no-audit --no-fund --loglevel=error \
    @circleci/circleci-config-parser@0.10.0-alpha.3 @circleci/circleci-config-sdk@0.10.1 ajv@8.20.0 yaml@2.1.1 \
    >/dev/null
}

check_config() {
  say "step 1: .circleci/config.yml"
  yamllint -s -d '{extends: default, rules: {line-length: {max: 120}}}' .circleci/config.yml
  echo "yamllint: ok"
  local scripts script
  scripts=$(NODE_PATH=$work/npm/node_modules node docker/ci/check-config.cjs .circleci/config.yml)
  echo "circleci-config-parser: CircleCI 2.1 structure, job references, tag-filter chain and delivery policy ok"
  for script in $scripts; do
    [[ -f $script && -x $script ]] || fail "$script, run by the config, is missing or not executable"
    [[ $(git ls-files -s "$script" | cut -c1-6) == 100755 ]] || fail "$script is not committed as executable"
  done
  shellcheck docker/ci/*.sh .ci/pipeline.sh .ci/delivery.sh docker/standins/make-arm64-standins.sh
  if grep -n 'docker login' docker/ci/*.sh | grep -v -- '--password-stdin'; then
    fail "a docker login above does not read the password from stdin"
  fi
  echo "shellcheck: ok for the scripts the config runs ($(echo "$scripts" | xargs)) and the rest of docker/ci"
  docker/ci/test-image-tags.sh
}

start_registry() {
  mkdir -p "$work/registry-data"
  docker-registry serve "$work/registry.yml" >>"$work/registry.log" 2>&1 &
  registry_pid=$!
  local i
  for i in $(seq 50); do
    # 401 is the answer we want here: the registry is up and asks for the login.
    [[ $(curl -s -o /dev/null -w '%{http_code}' --cacert "$work/registry.crt" "https://127.0.0.1:$port/v2/") == 401 ]] &&
      return 0
    sleep 0.1
  done
  cat "$work/registry.log" >&2
  fail "the registry did not start on 127.0.0.1:$port"
}

# Each event starts from an empty registry, so "exactly the expected tags" means this event's tags.
restart_registry_empty() {
  kill "$registry_pid"
  wait "$registry_pid" 2>/dev/null || true
  rm -rf "$work/registry-data"
  start_registry
}

setup_engine_and_registry() {
  say "setting up: stand-in base images, podman system service, registry with TLS and login"
  bash docker/standins/make-standins.sh

  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  registry_user=ci-publisher
  registry_password=$(openssl rand -hex 16)
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$work/registry.key" -out "$work/registry.crt" 2>/dev/null
  htpasswd -Bbn "$registry_user" "$registry_password" >"$work/htpasswd"
  cat >"$work/registry.yml" <<EOF
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $work/registry-data}
http:
  addr: 127.0.0.1:$port
  tls: {certificate: $work/registry.crt, key: $work/registry.key}
auth:
  htpasswd: {realm: hit-counter-ci, path: $work/htpasswd}
EOF
  start_registry
  # The engine (podman) trusts the registry's self-signed certificate through its per-registry certs.d folder.
  [[ -d /etc/containers/certs.d ]] || made_certs_parent=1
  certs_dir=/etc/containers/certs.d/127.0.0.1:$port
  mkdir -p "$certs_dir"
  cp "$work/registry.crt" "$certs_dir/ca.crt"

  export CONTAINERS_CONF=$PWD/.ci/podman-containers.conf
  podman system service --time=0 "unix://$work/podman.sock" >"$work/podman-service.log" 2>&1 &
  service_pid=$!
  export DOCKER_HOST=unix://$work/podman.sock
  # Podman serves the classic build API only; the login lands in a throw-away client config. Without --force-rm,
  # podman keeps the working container of every failed build (step 3 fails one on purpose).
  export DOCKER_BUILDKIT=0 DOCKER_CONFIG=$work/docker-client DOCKER_BUILD_FLAGS=--force-rm
  local i versions
  for i in $(seq 50); do
    versions=$(docker version --format '{{.Client.Version}} -> {{.Server.Version}}' 2>/dev/null) && break
    ((i < 50)) || fail "podman system service did not answer on $DOCKER_HOST"
    sleep 0.1
  done
  echo "docker CLI $versions (podman system service at $DOCKER_HOST)"
  echo "registry: https://127.0.0.1:$port (TLS, htpasswd user $registry_user), storage $work/registry-data"
  # The registry must really check the password, or a successful publish would prove nothing about the login.
  if echo wrong-password | docker login --username "$registry_user" --password-stdin "127.0.0.1:$port" 2>&1; then
    fail "the registry accepted a wrong password"
  fi
  echo "registry: a wrong password is refused, as it should be"
}

registry_get() {
  curl -fsS --cacert "$work/registry.crt" -u "$registry_user:$registry_password" \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' "$@"
}

# check_registry WORKSPACE EXPECTED_TAG...: the repository holds exactly these tags, each on the tested image.
check_registry() {
  local workspace=$1 listing got want tested tag digest config digests=()
  shift
  got=
  if listing=$(registry_get "https://127.0.0.1:$port/v2/$repo_path/tags/list" 2>/dev/null); then
    got=$(jq -r '.tags // [] | .[]' <<<"$listing" | sort | xargs)
  else
    listing='(no such repository: nothing was pushed)'
  fi
  echo "registry tags/list for $repo_path: $listing"
  want=$(printf '%s\n' "$@" | sort | xargs)
  [[ $got == "$want" ]] || fail "registry has tags [$got], expected exactly [$want]"
  (($#)) || return 0
  tested=$(sed -n 's/^IMAGE_ID=//p' "$workspace/image.env")
  for tag in "$@"; do
    digest=$(registry_get -I "https://127.0.0.1:$port/v2/$repo_path/manifests/$tag" |
      tr -d '\r' | sed -n 's/^docker-content-digest: //Ip')
    config=$(registry_get "https://127.0.0.1:$port/v2/$repo_path/manifests/$tag" | jq -r .config.digest)
    printf '  %-42s manifest %s  image %s\n' "$tag" "$digest" "$config"
    [[ $config == "$tested" ]] || fail "tag $tag holds image $config, but build tested $tested"
    digests+=("$digest")
  done
  [[ $(printf '%s\n' "${digests[@]}" | sort -u | wc -l) == 1 ]] || fail "the tags point at different manifests"
  echo "all $# tags point at manifest ${digests[0]}, the image build tested ($tested)"
}

# logged LOG COMMAND...: keeps the command's whole output (Docker builds, the Maven run inside the test target) in
# LOG and shows the docker/ci scripts' own lines; on failure, the end of LOG.
logged() {
  local log=$1
  shift
  if ! "$@" >"$log" 2>&1; then
    tail -60 "$log"
    fail "$* failed"
  fi
  grep -E '^(build-and-test|smoke-test|publish|deploy): ' "$log" || true
}

# What the test target did, in words: its Maven summary lines stay in the log, so that the last test summary this
# stage prints is never one of the planted failure's.
report_tests() {
  local log=$1 total
  total=$(awk '/^\[INFO\] Tests run: [0-9]+, Failures: 0, Errors: 0, Skipped: [0-9]+$/ { t += $4; n++ }
    END { if (n) print t }' "$log")
  if [[ -n $total ]]; then
    echo "test target: ./mvnw verify ran $total tests (unit and integration) inside the image, none failed"
  else
    echo "test target: cached layer, i.e. these same sources already passed ./mvnw verify inside the image"
  fi
}

# run_event NAME BRANCH TAG EXPECTED_TAG...: build, then publish as the workflow would (publish only after a
# passing build), then check the registry.
run_event() {
  local name=$1 branch=$2 tag=$3 event_started=$SECONDS
  shift 3
  say "step 2: event '$name' (CIRCLE_BRANCH='$branch' CIRCLE_TAG='$tag' CIRCLE_SHA1=$sha)"
  restart_registry_empty
  export CI_OUT=$work/$name CIRCLE_BRANCH=$branch CIRCLE_TAG=$tag CIRCLE_SHA1=$sha
  logged "$work/$name-build.log" docker/ci/build-and-test.sh
  report_tests "$work/$name-build.log"
  logged "$work/$name-publish.log" docker/ci/publish.sh
  check_registry "$CI_OUT/workspace" "$@"
  echo "event '$name': ok in $((SECONDS - event_started)) s"
}

failing_test_event() {
  say "step 3: a failing test stops build, its JUnit XML is still copied out, nothing is published"
  restart_registry_empty
  local tree=$work/failing-tree code=0
  mkdir -p "$tree"
  git ls-files -z --cached --others --exclude-standard | tar --null -T - -c | tar -x -C "$tree"
  mkdir -p "$tree/src/test/java/dev/hitcounter"
  cat >"$tree/src/test/java/dev/hitcounter/DeliberatelyFailingTest.java" <<'EOF'
package dev.hitcounter;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;

/** Planted by .ci/pipeline.sh in a temporary copy of the tree: proves that a failing test stops the pipeline. */
class DeliberatelyFailingTest {
    @Test
    void failsOnPurpose() {
        fail("deliberately failing test planted by .ci/pipeline.sh");
    }
}
EOF
  export CI_OUT=$work/failing CIRCLE_BRANCH=main CIRCLE_TAG='' CIRCLE_SHA1=$sha IMAGE_NAME=hit-counter-failing
  # As the workflow does it: publish-image runs only after build passed.
  if (cd "$tree" && docker/ci/build-and-test.sh && docker/ci/publish.sh) >"$work/failing.log" 2>&1; then
    tail -30 "$work/failing.log"
    fail "build-and-test passed with a failing test"
  else
    code=$?
  fi
  grep -q 'There are test failures' "$work/failing.log" || {
    tail -30 "$work/failing.log"
    fail "build-and-test failed, but not because of a test"
  }
  echo "build-and-test exited $code: inside the test target, Maven Surefire failed on the planted test:"
  grep -E '^\[ERROR\] +DeliberatelyFailingTest' "$work/failing.log" || true
  grep -E '^build-and-test: ' "$work/failing.log" || true
  # What store_test_results uploads: the planted test's report, saying it failed.
  local report=$CI_OUT/test-results/surefire/TEST-dev.hitcounter.DeliberatelyFailingTest.xml
  [[ -s $report ]] || fail "the failing run's JUnit XML was not copied out ($report is missing)"
  grep -q '<failure message="deliberately failing test planted by .ci/pipeline.sh' "$report" ||
    fail "$report does not record the planted failure"
  echo "ok: the failing run's JUnit XML was copied out: $(find "$CI_OUT/test-results" -name 'TEST-*.xml' | wc -l)" \
    "reports, $report records the planted failure"
  # Even run by hand, publish refuses: the failed build left no tested image in the workspace.
  if (cd "$tree" && docker/ci/publish.sh) 2>&1; then fail "publish ran without a tested image"; fi
  # The test-run image that held the failure's reports.
  docker rmi "$IMAGE_NAME:$sha-test" >/dev/null
  unset IMAGE_NAME
  check_registry "$CI_OUT/workspace"
}

say "installing tools"
install_tools
check_config
setup_engine_and_registry

repo_path=hit-counter/hit-counter
export IMAGE_REPO=127.0.0.1:$port/$repo_path DOCKER_HUB_USER_ID=$registry_user DOCKER_HUB_PWD=$registry_password
run_event feature-branch feature/visit-counter-tweak ''
run_event main main '' "$sha" latest
run_event release-tag '' v1.4.2 "$sha" 1.4.2 1.4 1
# deploy.sh deploys only a signed index: .ci/delivery.sh proves it, with the two-platform build and cosign.
failing_test_event

say "all steps passed in $((SECONDS - started)) s"
