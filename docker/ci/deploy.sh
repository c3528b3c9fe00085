#!/usr/bin/env bash
# The optional CircleCI `deploy` job (release tags only, after a manual approval): replaces the app container on
# one Docker host with the released image over SSH, only if that image's signature verifies against the
# project's public key, and then by digest: the host runs exactly the index that was verified (issue 23).
#
# Environment: DEPLOY_SSH (user@host, whose key is added to the CircleCI project), DEPLOY_KNOWN_HOSTS (the
# host's `ssh-keyscan` line, checked by hand once), CIRCLE_TAG (vX.Y.Z), IMAGE_REPO or DOCKER_HUB_USER_ID as in
# publish.sh; COSIGN_PUBLIC_KEY_FILE (default: cosign.pub at the repository's root); COSIGN_TLOG and
# REGISTRY_CA_FILE as in publish-index.sh. Needs cosign and jq. The host keeps REDIS_URL in /etc/hit-counter.env.
# DEPLOY_DRY_RUN=1 verifies, then prints the remote command instead of running it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tag=${CIRCLE_TAG:?deploy: only a release tag deploys}
# The same validation as publishing: only vX.Y.Z, whose X.Y.Z tag publish-image has pushed.
version=$("$here/image-tags.sh" "" "$tag" 0000000 | sed -n 2p)
repo=${IMAGE_REPO:-${DOCKER_HUB_USER_ID:?deploy: DOCKER_HUB_USER_ID is not set}/${IMAGE_NAME:-hit-counter}}
tagged=$repo:$version
public_key=${COSIGN_PUBLIC_KEY_FILE:-$here/../../cosign.pub}

verify_flags=()
[[ ${COSIGN_TLOG:-true} != false ]] || verify_flags+=(--insecure-ignore-tlog=true)
[[ -z ${REGISTRY_CA_FILE:-} ]] || verify_flags+=(--registry-cacert "$REGISTRY_CA_FILE")
if ! verified=$(cosign verify --key "$public_key" "${verify_flags[@]}" "$tagged" 2>"${TMPDIR:-/tmp}/deploy-verify.$$"); then
  sed 's/^/  cosign: /' "${TMPDIR:-/tmp}/deploy-verify.$$" >&2
  rm -f "${TMPDIR:-/tmp}/deploy-verify.$$"
  echo "deploy: REFUSED: $tagged has no signature that verifies against $(basename "$public_key"); nothing deployed" >&2
  exit 1
fi
rm -f "${TMPDIR:-/tmp}/deploy-verify.$$"
# The digest the verified signature names, not a second look-up of the tag, which could have moved since.
digest=$(jq -r '[.[].critical.image["docker-manifest-digest"]] | unique | if length == 1 then .[0] else "" end' <<<"$verified")
if [[ ! $digest =~ ^sha256:[0-9a-f]{64}$ ]]; then
  echo "deploy: REFUSED: the signatures on $tagged do not name one digest; nothing deployed" >&2
  exit 1
fi
image=$repo@$digest
echo "deploy: $tagged is $image, signed by the key in $(basename "$public_key")"

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
echo "deploy: ${DEPLOY_SSH} now runs $image ($tagged)"
