#!/usr/bin/env bash
# Starts IMAGE alone (no Redis: in-memory counter, no network at all) and checks through a second container in
# the app's network namespace that GET / answers and counts. Remote Docker on CircleCI forwards no ports, so the
# probe joins the app's namespace instead of using a published port.
#
#   smoke-test.sh IMAGE            SMOKE_CURL_IMAGE: an image with curl (default: IMAGE itself)
set -euo pipefail

image=${1:?usage: smoke-test.sh IMAGE}
curl_image=${SMOKE_CURL_IMAGE:-$image}
app=hit-counter-smoke-$$

docker run -d --name "$app" --network none "$image" >/dev/null
trap 'docker rm -f "$app" >/dev/null 2>&1 || true' EXIT

get() {
  docker run --rm --network "container:$app" --entrypoint curl "$curl_image" \
    --silent --show-error --fail --max-time 5 http://127.0.0.1:8080/
}

count() {
  local body=$1
  [[ $body =~ Hello!\ This\ page\ has\ been\ seen\ ([0-9]+)\ times\. ]] || return 1
  echo "${BASH_REMATCH[1]}"
}

deadline=$((SECONDS + 90))
until first=$(get 2>/dev/null); do
  if ((SECONDS > deadline)) || [[ $(docker inspect --format '{{.State.Running}}' "$app") != true ]]; then
    echo "smoke-test: $image did not answer GET / within 90 s; its log:" >&2
    docker logs "$app" 2>&1 | tail -40 >&2
    exit 1
  fi
  sleep 1
done
second=$(get)

if ! n1=$(count "$first") || ! n2=$(count "$second") || ((n2 <= n1)); then
  printf 'smoke-test: GET / did not count up:\n  first:  %s\n  second: %s\n' "$first" "$second" >&2
  exit 1
fi
echo "smoke-test: $image answers GET / and counts ($n1 -> $n2): $(grep -o 'Hello! This page has been seen [0-9]* times\.' <<<"$second")"
