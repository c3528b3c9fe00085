#!/usr/bin/env bash
# Prints the image tags one CI event publishes, one per line: a pure function of branch, git tag and commit SHA.
#
#   image-tags.sh BRANCH TAG SHA       (pass "" for the one that is not set)
#
#   feature branch           -> nothing (a feature branch never publishes)
#   main                     -> SHA, latest
#   tag vX.Y.Z               -> SHA, X.Y.Z, X.Y, X
#   any other tag            -> exit 2: v1.2, 1.2.3 and pre-releases such as v1.2.3-rc.1 are refused, so a
#                               mistyped release tag fails the pipeline loudly instead of publishing a partial set
# A tag never gets `latest`: `latest` follows main, and the release tags are what a deployment pins.
set -euo pipefail

if (($# != 3)); then
  echo "usage: $0 BRANCH TAG SHA" >&2
  exit 64
fi
branch=$1 tag=$2 sha=$3

if [[ ! $sha =~ ^[0-9a-f]{7,40}$ ]]; then
  echo "image-tags: SHA '$sha' is not 7 to 40 lowercase hex digits" >&2
  exit 2
fi

if [[ -n $tag ]]; then
  # Numbers without leading zeros, as semver has them: v01.2.3 would otherwise publish 01 beside 1.
  number='(0|[1-9][0-9]*)'
  if [[ ! $tag =~ ^v$number\.$number\.$number$ ]]; then
    echo "image-tags: tag '$tag' is not a release tag vX.Y.Z (see docs/workflow.md, 'Cutting a release')" >&2
    exit 2
  fi
  major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]} patch=${BASH_REMATCH[3]}
  printf '%s\n' "$sha" "$major.$minor.$patch" "$major.$minor" "$major"
elif [[ $branch == main ]]; then
  printf '%s\n' "$sha" latest
fi
