#!/usr/bin/env bash
# The CircleCI `build` job: builds the Dockerfile's `test` target (the tests run inside it and gate everything
# after), builds the runtime image, smoke-tests it, copies the JUnit XML out, and saves the tested image to the
# workspace for `publish-image`.
#
# Runs the same on a laptop with Docker, or here with `docker` pointed at `podman system service`.
# Environment: CIRCLE_SHA1 (default: git HEAD), IMAGE_NAME (default hit-counter), CI_OUT (default target/ci),
# DOCKER_BUILD_FLAGS (extra `docker build` flags, word-split, e.g. "--pull=never").
set -euo pipefail

cd "$(dirname "$0")/../.."
sha=${CIRCLE_SHA1:-$(git rev-parse HEAD)}
name=${IMAGE_NAME:-hit-counter}
out=${CI_OUT:-target/ci}
read -r -a build_flags <<<"${DOCKER_BUILD_FLAGS:-}"
image=$name:$sha
test_image=$name:$sha-test

# A stale image.tar must never reach `publish` after a failed build.
rm -rf "$out/workspace" "$out/test-results"
mkdir -p "$out/workspace" "$out/test-results"

echo "build-and-test: test target -> $test_image"
docker build "${build_flags[@]}" -f docker/Dockerfile --target test -t "$test_image" .

reports=hit-counter-reports-$$
docker create --name "$reports" "$test_image" >/dev/null
trap 'docker rm -f "$reports" >/dev/null 2>&1 || true' EXIT
for kind in surefire failsafe; do
  docker cp "$reports:/app/target/$kind-reports" "$out/test-results/$kind"
done
echo "build-and-test: JUnit XML in $out/test-results: $(find "$out/test-results" -name 'TEST-*.xml' | wc -l) files"

echo "build-and-test: runtime image -> $image"
docker build "${build_flags[@]}" -f docker/Dockerfile \
  --label "org.opencontainers.image.revision=$sha" -t "$image" .

"$(dirname "$0")/smoke-test.sh" "$image"

docker save -o "$out/workspace/image.tar" "$image"
id=$(docker image inspect --format '{{.Id}}' "$image")
printf 'IMAGE_REF=%s\nIMAGE_ID=%s\nIMAGE_SHA=%s\n' "$image" "$id" "$sha" >"$out/workspace/image.env"
echo "build-and-test: tested image $image ($id) saved to $out/workspace"
