#!/usr/bin/env bash
# The CircleCI `publish-image` job: loads the image that `build` tested from the workspace (no rebuild), logs in
# and pushes it under the tags image-tags.sh gives for this event.
#
# Environment: DOCKER_HUB_USER_ID, DOCKER_HUB_PWD (the login: a user and its personal access token, or an
# organisation's name and an organization access token); CIRCLE_BRANCH, CIRCLE_TAG (the event);
# IMAGE_REPO (default $DOCKER_HUB_USER_ID/$IMAGE_NAME, IMAGE_NAME default hit-counter; acme/hit-counter when a
# member's personal token pushes to organisation acme; a first component with a dot or colon names another
# registry, e.g. 127.0.0.1:5000/team/hit-counter); CI_OUT (default target/ci).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."
workspace=${CI_OUT:-target/ci}/workspace

if [[ ! -s $workspace/image.env || ! -s $workspace/image.tar ]]; then
  echo "publish: no tested image in $workspace: did build-and-test.sh pass?" >&2
  exit 1
fi
field() { sed -n "s/^$1=//p" "$workspace/image.env"; }
IMAGE_REF=$(field IMAGE_REF) IMAGE_ID=$(field IMAGE_ID) IMAGE_SHA=$(field IMAGE_SHA)

# Tags first: an invalid release tag fails here, before anything is loaded or pushed.
tags=$("$here/image-tags.sh" "${CIRCLE_BRANCH-}" "${CIRCLE_TAG-}" "$IMAGE_SHA")
if [[ -z $tags ]]; then
  echo "publish: branch '${CIRCLE_BRANCH-}' publishes nothing (only main and vX.Y.Z tags do)"
  exit 0
fi

user=${DOCKER_HUB_USER_ID:?publish: DOCKER_HUB_USER_ID is not set}
repo=${IMAGE_REPO:-$user/${IMAGE_NAME:-hit-counter}}
registry=()
first=${repo%%/*}
if [[ $repo == */* && ($first == *.* || $first == *:* || $first == localhost) ]]; then
  registry=("$first")
fi

docker load -i "$workspace/image.tar"
loaded=$(docker image inspect --format '{{.Id}}' "$IMAGE_REF")
if [[ $loaded != "$IMAGE_ID" ]]; then
  echo "publish: workspace image $IMAGE_REF is $loaded, but build tested $IMAGE_ID" >&2
  exit 1
fi

# printf is a shell builtin: the password goes through a pipe, never onto a command line.
printf '%s' "${DOCKER_HUB_PWD:?publish: DOCKER_HUB_PWD is not set}" \
  | docker login --username "$user" --password-stdin "${registry[@]}"
trap 'docker logout "${registry[@]}" >/dev/null' EXIT

while read -r tag; do
  docker tag "$IMAGE_REF" "$repo:$tag"
  docker push "$repo:$tag"
  echo "publish: pushed $repo:$tag (image $IMAGE_ID)"
done <<<"$tags"
