#!/usr/bin/env bash
# The optional CircleCI `deploy` job (release tags only, after a manual approval): replaces the app container on
# one Docker host with the released image, pinned by its version tag, over SSH.
#
# Environment: DEPLOY_SSH (user@host, whose key is added to the CircleCI project), DEPLOY_KNOWN_HOSTS (the
# host's `ssh-keyscan` line, checked by hand once), CIRCLE_TAG (vX.Y.Z), IMAGE_REPO or DOCKER_HUB_USER_ID as in
# publish.sh. The host keeps REDIS_URL in /etc/hit-counter.env.
# DEPLOY_DRY_RUN=1 prints the remote command instead of running it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tag=${CIRCLE_TAG:?deploy: only a release tag deploys}
# The same validation as publishing: only vX.Y.Z, whose X.Y.Z tag publish-image has pushed.
version=$("$here/image-tags.sh" "" "$tag" 0000000 | sed -n 2p)
repo=${IMAGE_REPO:-${DOCKER_HUB_USER_ID:?deploy: DOCKER_HUB_USER_ID is not set}/${IMAGE_NAME:-hit-counter}}
image=$repo:$version

remote=$(printf '%q ' docker pull "$image")
remote+="&& { docker rm -f hit-counter || true; } && "
remote+=$(printf '%q ' docker run -d --name hit-counter --restart unless-stopped \
  --env-file /etc/hit-counter.env -p 8080:8080 "$image")

if [[ ${DEPLOY_DRY_RUN:-} == 1 ]]; then
  echo "deploy (dry run): ssh ${DEPLOY_SSH:-<DEPLOY_SSH>} $remote"
  exit 0
fi
if [[ -n ${DEPLOY_KNOWN_HOSTS:-} ]]; then
  mkdir -p ~/.ssh
  printf '%s\n' "$DEPLOY_KNOWN_HOSTS" >>~/.ssh/known_hosts
fi
ssh -o BatchMode=yes "${DEPLOY_SSH:?deploy: DEPLOY_SSH is not set}" "$remote"
echo "deploy: ${DEPLOY_SSH} now runs $image"
