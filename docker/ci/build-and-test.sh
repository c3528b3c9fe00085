#!/usr/bin/env bash
# The CircleCI `build` job: builds the Dockerfile's `test-run` target (the tests run inside it and record their
# verdict), copies the JUnit XML out, and fails here if a test failed, so the reports of a failure are kept too;
# then builds the runtime image, smoke-tests it, and saves the tested image to the workspace for `publish-image`.
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

echo "build-and-test: test-run target -> $test_image"
docker build "${build_flags[@]}" -f docker/Dockerfile --target test-run -t "$test_image" .

reports=hit-counter-reports-$$
docker create --name "$reports" "$test_image" >/dev/null
trap 'docker rm -f "$reports" >/dev/null 2>&1 || true' EXIT
for kind in surefire failsafe; do
  # Maven skips the integration tests after a failed unit test: then there are no failsafe reports.
  if ! docker cp "$reports:/app/target/$kind-reports" "$out/test-results/$kind" 2>/dev/null; then
    echo "build-and-test: no $kind reports in the image (Maven did not get that far)"
  fi
done
echo "build-and-test: JUnit XML in $out/test-results: $(find "$out/test-results" -name 'TEST-*.xml' | wc -l) files"
docker cp "$reports:/app/target/test-exit-code" "$out/test-exit-code"
# The WAR's CycloneDX SBOM (Maven's cyclonedx plugin), which publish-index.sh attaches to the pushed index.
docker cp "$reports:/app/target/hit-counter-bom.json" "$out/workspace/hit-counter-bom.json"
verdict=$(<"$out/test-exit-code")
rm "$out/test-exit-code"
if [[ $verdict != 0 ]]; then
  echo "build-and-test: ./mvnw verify failed inside the image (exit $verdict); its reports are in $out/test-results" >&2
  exit 1
fi

echo "build-and-test: runtime image -> $image"
docker build "${build_flags[@]}" -f docker/Dockerfile \
  --label "org.opencontainers.image.revision=$sha" -t "$image" .

"$(dirname "$0")/smoke-test.sh" "$image"

docker save -o "$out/workspace/image.tar" "$image"
id=$(docker image inspect --format '{{.Id}}' "$image")
printf 'IMAGE_REF=%s\nIMAGE_ID=%s\nIMAGE_SHA=%s\n' "$image" "$id" "$sha" >"$out/workspace/image.env"
echo "build-and-test: tested image $image ($id) saved to $out/workspace"
