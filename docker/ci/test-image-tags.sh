#!/usr/bin/env bash
# Unit tests for image-tags.sh: each case is an event and the exact output (or exit code) it must give.
set -euo pipefail

tags=$(dirname "$0")/image-tags.sh
sha=0123456789abcdef0123456789abcdef01234567
passed=0 failed=0

# expect NAME BRANCH TAG SHA EXIT_CODE EXPECTED_TAGS...
expect() {
  local name=$1 branch=$2 tag=$3 commit=$4 want_code=$5
  shift 5
  local want got code=0
  want=$(printf '%s\n' "$@")
  got=$("$tags" "$branch" "$tag" "$commit" 2>/dev/null) || code=$?
  if [[ $code == "$want_code" && $got == "$want" ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    printf 'FAIL %s: exit %s, tags [%s]; wanted exit %s, tags [%s]\n' \
      "$name" "$code" "${got//$'\n'/ }" "$want_code" "${want//$'\n'/ }"
  fi
}

expect "feature branch publishes nothing" feature/login "" "$sha" 0
expect "branch named like main publishes nothing" main-fix "" "$sha" 0
expect "main gets sha and latest" main "" "$sha" 0 "$sha" latest
expect "short sha is used as given" main "" 0123abc 0 0123abc latest
expect "release tag gets sha and three version tags" "" v1.4.2 "$sha" 0 "$sha" 1.4.2 1.4 1
expect "zero components are kept" "" v0.10.0 "$sha" 0 "$sha" 0.10.0 0.10 0
expect "multi-digit components" "" v12.0.345 "$sha" 0 "$sha" 12.0.345 12.0 12
expect "tag wins over a branch" main v2.0.0 "$sha" 0 "$sha" 2.0.0 2.0 2
expect "tag without patch is refused" "" v1.2 "$sha" 2
expect "tag without v is refused" "" 1.2.3 "$sha" 2
expect "pre-release tag is refused" "" v1.2.3-rc.1 "$sha" 2
expect "build metadata is refused" "" v1.2.3+build.5 "$sha" 2
expect "leading zero is refused" "" v1.02.3 "$sha" 2
expect "four components are refused" "" v1.2.3.4 "$sha" 2
expect "capital V is refused" "" V1.2.3 "$sha" 2
expect "empty sha is refused" main "" "" 2
expect "uppercase sha is refused" main "" ABCDEF0 2
expect "sha with a newline is refused" main "" $'abcdef0\nlatest' 2

if "$tags" main "" 2>/dev/null; then
  failed=$((failed + 1))
  echo "FAIL two arguments: accepted"
else
  passed=$((passed + 1))
fi

echo "image-tags: $passed passed, $failed failed"
((failed == 0))
