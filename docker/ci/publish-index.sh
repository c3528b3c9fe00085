#!/usr/bin/env bash
# The CircleCI `publish-image` job (issue 23): pushes the two-platform image index that `build` made and tested
# (workspace image-index.tar, an OCI archive: linux/amd64 + linux/arm64, with BuildKit's SBOM and provenance
# attestations) under the tags image-tags.sh gives for this event, unchanged (same digest under every tag), then
# signs that digest with cosign and attaches the WAR's CycloneDX SBOM as a signed attestation.
#
# Environment: as publish.sh (DOCKER_HUB_USER_ID, DOCKER_HUB_PWD, IMAGE_REPO / IMAGE_NAME, CIRCLE_BRANCH,
# CIRCLE_TAG, CI_OUT), plus COSIGN_PRIVATE_KEY (the text of cosign.key) and COSIGN_PASSWORD (its password), both
# from a CircleCI context and read by cosign from the environment, never from a command line; COSIGN_TLOG=false
# keeps the signature out of Sigstore's public transparency log (for a registry with no way out, as in CI here);
# REGISTRY_CA_FILE, a CA bundle to trust for the registry (default: the system's).
# Needs skopeo, cosign and jq.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."
workspace=${CI_OUT:-target/ci}/workspace
archive=$workspace/image-index.tar
sbom=$workspace/hit-counter-bom.json
if [[ ! -s $archive || ! -s $workspace/image.env ]]; then
  echo "publish-index: no tested image index in $workspace: did build-and-test.sh and build-platforms.sh pass?" >&2
  exit 1
fi
sha=$(sed -n 's/^IMAGE_SHA=//p' "$workspace/image.env")

tags=$("$here/image-tags.sh" "${CIRCLE_BRANCH-}" "${CIRCLE_TAG-}" "$sha")
if [[ -z $tags ]]; then
  echo "publish-index: branch '${CIRCLE_BRANCH-}' publishes nothing (only main and vX.Y.Z tags do)"
  exit 0
fi

user=${DOCKER_HUB_USER_ID:?publish-index: DOCKER_HUB_USER_ID is not set}
repo=${IMAGE_REPO:-$user/${IMAGE_NAME:-hit-counter}}
registry=docker.io
first=${repo%%/*}
if [[ $repo == */* && ($first == *.* || $first == *:* || $first == localhost) ]]; then
  registry=$first
fi
[[ -n ${COSIGN_PRIVATE_KEY:-} ]] || { echo "publish-index: COSIGN_PRIVATE_KEY is not set: nothing is pushed unsigned" >&2; exit 1; }
[[ -n ${COSIGN_PASSWORD+set} ]] || { echo "publish-index: COSIGN_PASSWORD is not set" >&2; exit 1; }

# The digest every tag must end up on: the index's own, kept as is by --preserve-digests.
digest=sha256:$(skopeo inspect --raw "oci-archive:$archive" | sha256sum | cut -d' ' -f1)
platforms=$(skopeo inspect --raw "oci-archive:$archive" | jq -r '[.manifests[]
  | select(.annotations["vnd.docker.reference.type"] != "attestation-manifest")
  | .platform.os + "/" + .platform.architecture] | sort | join(" ")')
if [[ $platforms != "linux/amd64 linux/arm64" ]]; then
  echo "publish-index: the index holds [$platforms], not exactly linux/amd64 and linux/arm64: nothing pushed" >&2
  exit 1
fi

# One login for skopeo and cosign, in Docker's config format. The password goes through a pipe.
auth_dir=${DOCKER_CONFIG:-$HOME/.docker}
mkdir -p "$auth_dir"
authfile=$auth_dir/config.json
printf '%s' "${DOCKER_HUB_PWD:?publish-index: DOCKER_HUB_PWD is not set}" \
  | skopeo login --authfile "$authfile" --username "$user" --password-stdin "$registry"
trap 'skopeo logout --authfile "$authfile" "$registry" >/dev/null 2>&1 || true' EXIT
export DOCKER_CONFIG=$auth_dir

cosign_flags=()
[[ ${COSIGN_TLOG:-true} != false ]] || cosign_flags+=(--tlog-upload=false)
[[ -z ${REGISTRY_CA_FILE:-} ]] || cosign_flags+=(--registry-cacert "$REGISTRY_CA_FILE")

while read -r tag; do
  skopeo copy --quiet --all --preserve-digests --authfile "$authfile" "oci-archive:$archive" "docker://$repo:$tag"
  pushed=sha256:$(skopeo inspect --raw --authfile "$authfile" "docker://$repo:$tag" | sha256sum | cut -d' ' -f1)
  if [[ $pushed != "$digest" ]]; then
    echo "publish-index: $repo:$tag is $pushed after the push, not the tested index $digest" >&2
    exit 1
  fi
  echo "publish-index: pushed $repo:$tag (index $digest: $platforms)"
done <<<"$tags"

# By digest, never by tag: the signature names exactly the index that was tested.
cosign sign --yes --key env://COSIGN_PRIVATE_KEY "${cosign_flags[@]}" "$repo@$digest"
echo "publish-index: signed $repo@$digest"
if [[ -s $sbom ]]; then
  cosign attest --yes --key env://COSIGN_PRIVATE_KEY "${cosign_flags[@]}" --type cyclonedx --predicate "$sbom" \
    "$repo@$digest"
  echo "publish-index: attached the WAR's CycloneDX SBOM to $repo@$digest as a signed attestation"
fi
