#!/usr/bin/env bash
# Starts IMAGE alone (no Redis: in-memory counter, no network at all) and checks through a second container in
# the app's network namespace that GET / answers and counts. Remote Docker on CircleCI forwards no ports, so the
# probe joins the app's namespace instead of using a published port.
#
#   smoke-test.sh IMAGE            SMOKE_CURL_IMAGE: an image with curl (default: IMAGE itself)
# With SMOKE_REDIS_IMAGE set, a Redis from that image runs first and the app joins its network namespace with
# REDIS_URL pointing at it: then the views must be counted in Redis (its `views` key). SMOKE_PLATFORM (e.g.
# linux/arm64) runs the app and the probe for that platform, under emulation if the host is another (issue 23).
set -euo pipefail

image=${1:?usage: smoke-test.sh IMAGE}
curl_image=${SMOKE_CURL_IMAGE:-$image}
app=hit-counter-smoke-$$
probe=$app-probe
redis=$app-redis
platform=()
[[ -z ${SMOKE_PLATFORM:-} ]] || platform=(--platform "$SMOKE_PLATFORM")
# SMOKE_JAVA_TOOL_OPTIONS: JVM flags for the app only (e.g. a faster start under emulation).
app_env=()
[[ -z ${SMOKE_JAVA_TOOL_OPTIONS:-} ]] || app_env=(-e "JAVA_TOOL_OPTIONS=$SMOKE_JAVA_TOOL_OPTIONS")

# The probe first: a probe that could not start (the app had died) still holds the app's network namespace.
remove_containers() {
  local c
  for c in "$probe" "$app" "$redis"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
}
trap remove_containers EXIT
if [[ -n ${SMOKE_REDIS_IMAGE:-} ]]; then
  docker run -d --name "$redis" --network none "$SMOKE_REDIS_IMAGE" >/dev/null
  docker run -d --name "$app" --network "container:$redis" -e REDIS_URL=redis://127.0.0.1:6379 "${app_env[@]}" \
    "${platform[@]}" \
    "$image" >/dev/null
else
  docker run -d --name "$app" --network none "${app_env[@]}" "${platform[@]}" "$image" >/dev/null
fi

# The body is the verdict, not curl's exit code: `docker run --rm` through podman's Docker API (used to prove
# this pipeline offline) reports 0 whatever the container exits with, and removes the probe only later, so the
# probe is removed here, before the next one and before the app.
count() {
  local body
  body=$(docker run --name "$probe" --network "container:$app" "${platform[@]}" --entrypoint curl "$curl_image" \
    --silent --show-error --fail --max-time 5 http://127.0.0.1:8080/ 2>&1) || true
  docker rm -f "$probe" >/dev/null 2>&1 || true
  if [[ $body =~ Hello!\ This\ page\ has\ been\ seen\ ([0-9]+)\ times\. ]]; then
    echo "${BASH_REMATCH[1]}"
  else
    echo "smoke-test: GET / answered: ${body:0:200}" >&2
    return 1
  fi
}

# Under emulation Tomcat starts several times slower.
deadline=$((SECONDS + ${SMOKE_TIMEOUT:-90}))
until first=$(count 2>/dev/null); do
  if ((SECONDS > deadline)) || [[ $(docker inspect --format '{{.State.Running}}' "$app") != true ]]; then
    echo "smoke-test: $image did not answer GET / with its page within ${SMOKE_TIMEOUT:-90} s; its log:" >&2
    docker logs "$app" 2>&1 | tail -40 >&2
    exit 1
  fi
  sleep 1
done

if ! second=$(count) || ((second <= first)); then
  echo "smoke-test: a second GET / did not count up (first $first, then ${second:-no page})" >&2
  exit 1
fi
if [[ -n ${SMOKE_REDIS_IMAGE:-} ]]; then
  stored=$(docker exec "$redis" redis-cli GET views)
  if [[ $stored != "$second" ]]; then
    echo "smoke-test: Redis holds views=$stored, but the page said $second" >&2
    exit 1
  fi
  echo "smoke-test: the views are counted in Redis (views=$stored)"
fi
echo "smoke-test: $image answers GET / with 'Hello! This page has been seen N times.' and counts: $first -> $second"
