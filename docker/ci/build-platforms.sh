#!/usr/bin/env bash
# The second half of CircleCI's `build` job (issue 23), after build-and-test.sh has run the tests on amd64 and
# smoke-tested the amd64 image: builds the runtime image for linux/arm64 with BuildKit (buildx, docker-container
# driver) under QEMU, smoke-tests it with a Redis beside it, then writes the two-platform index, with BuildKit's
# SBOM and provenance attestations, to the workspace as an OCI archive for publish-index.sh. Nothing is pushed.
#
# Only the runtime stage runs under emulation: the Dockerfile builds the WAR on the builder's own platform.
# Environment: CIRCLE_SHA1, IMAGE_NAME, CI_OUT as build-and-test.sh; BINFMT_IMAGE and REDIS_IMAGE (pinned below).
set -euo pipefail

cd "$(dirname "$0")/../.."
sha=${CIRCLE_SHA1:-$(git rev-parse HEAD)}
name=${IMAGE_NAME:-hit-counter}
out=${CI_OUT:-target/ci}
binfmt_image=${BINFMT_IMAGE:-tonistiigi/binfmt:qemu-v8.1.5}
redis_image=${REDIS_IMAGE:-redis:8.0.6-bookworm}
builder=hit-counter-$$
if [[ ! -s $out/workspace/image.env ]]; then
  echo "build-platforms: no tested image in $out/workspace: build-and-test.sh runs first" >&2
  exit 1
fi

# QEMU's arm64 handler in the remote Docker host's kernel, and a BuildKit builder of our own: the default `docker`
# driver builds neither several platforms at once nor attestations.
docker run --privileged --rm "$binfmt_image" --install arm64
docker buildx create --name "$builder" --driver docker-container --bootstrap >/dev/null
trap 'docker buildx rm "$builder" >/dev/null 2>&1 || true' EXIT
build=(docker buildx build --builder "$builder" -f docker/Dockerfile --target runtime
  --label "org.opencontainers.image.revision=$sha")

echo "build-platforms: linux/arm64 runtime image -> $name:$sha-arm64"
"${build[@]}" --platform linux/arm64 --load -t "$name:$sha-arm64" .
arch=$(docker run --rm --platform linux/arm64 --entrypoint uname "$name:$sha-arm64" -m)
[[ $arch == aarch64 ]] || { echo "build-platforms: the arm64 image runs as '$arch', not aarch64" >&2; exit 1; }
SMOKE_REDIS_IMAGE=$redis_image SMOKE_PLATFORM=linux/arm64 SMOKE_TIMEOUT=300 SMOKE_JAVA_TOOL_OPTIONS=-XX:TieredStopAtLevel=1 "$(dirname "$0")/smoke-test.sh" "$name:$sha-arm64"

echo "build-platforms: linux/amd64 + linux/arm64 index with SBOM and provenance -> $out/workspace/image-index.tar"
"${build[@]}" --platform linux/amd64,linux/arm64 --sbom=true --provenance=mode=max \
  --output "type=oci,dest=$out/workspace/image-index.tar" .
echo "build-platforms: index saved to $out/workspace/image-index.tar"
