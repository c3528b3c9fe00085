#!/usr/bin/env bash
# CI stage: the monitoring in deploy/monitoring/ checked like code (issue 25). promtool checks the alert rules and runs
# their unit tests; then a real Prometheus (Debian's) scrapes the real app (the embedded launcher, counting in a real
# redis-server) every second under a little load, and every query of every dashboard panel and every alert rule is
# evaluated through Prometheus's HTTP API: each must return data. An alert's expr ends in one comparison with a number
# ("QUERY > 0"), which returns nothing while all is well, so the query before that comparison is what is evaluated.
# The prometheus-operator objects of deploy/kubernetes/components/monitoring are validated against the operator's
# CRD schemas (npm @kubernetes-models/prometheus-operator, pinned by .ci/monitoring/package-lock.json).
# Needs prometheus (with promtool), redis-server, curl, python3-yaml and npm; .ci/run installs them. Stops what it starts.
set -euo pipefail
cd "$(dirname "$0")/.."

MONITORING=deploy/monitoring
LOAD_REQUESTS=1500 # per client, 2 clients: a little load, bounded in count
LOAD_SECONDS=20    # and in time, on a busy machine

step() { echo "== monitoring $*"; }
ok() { echo "   ok: $*"; }
fail() {
  echo "   FAILED: $*" >&2
  exit 1
}

work=$(mktemp -d /tmp/hit-counter-monitoring.XXXXXX)
pids=()
on_exit() {
  local status=$? pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if ((status != 0)); then
    for log in "$work"/*.log; do
      [[ -f $log ]] && { echo "--- $log (last 40 lines)"; tail -40 "$log"; }
    done
  fi
  rm -rf "$work"
}
trap on_exit EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

await() { # await DESCRIPTION COMMAND...: up to 60 s
  local what=$1 deadline=$((SECONDS + 60))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "$what: not within 60 s"
    sleep 0.5
  done
}

step "rules: promtool check rules, promtool test rules"
promtool check rules "$MONITORING"/*-alerts.yml
(cd "$MONITORING" && promtool test rules ./*.test.yml)
python3 - "$MONITORING" <<'EOF'
# Each alert has a summary and a runbook_url naming a section of docs/operations.md that exists.
import glob, re, sys, yaml

headings = set()
for line in open("docs/operations.md", encoding="utf-8"):
    if line.startswith("#"):
        title = line.lstrip("#").strip().lower()
        headings.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
problems = []
for path in glob.glob(sys.argv[1] + "/*-alerts.yml"):
    for group in yaml.safe_load(open(path))["groups"]:
        for rule in group["rules"]:
            if "alert" not in rule:
                continue
            notes = rule.get("annotations", {})
            anchor = notes.get("runbook_url", "").partition("docs/operations.md#")[2]
            if not notes.get("summary"):
                problems.append(f"{rule['alert']}: no summary")
            if anchor not in headings:
                problems.append(f"{rule['alert']}: runbook_url {notes.get('runbook_url')!r} names no section of docs/operations.md")
if problems:
    sys.exit("\n".join(problems))
print("   ok: every alert has a summary and a runbook section in docs/operations.md")
EOF

step "Kubernetes: the PodMonitor and PrometheusRule against the prometheus-operator's CRD schemas"
if ! (cd .ci/monitoring && npm ci --silent --no-audit --no-fund --engine-strict=false >/dev/null 2>&1); then
  (cd .ci/monitoring && npm ci --no-audit --no-fund) >&2
  fail "npm ci in .ci/monitoring"
fi
component=deploy/kubernetes/components/monitoring
python3 .ci/monitoring/prometheus-rule.py | diff -u "$component/prometheus-rule.yaml" - \
  || fail "$component/prometheus-rule.yaml differs from the rules: python3 .ci/monitoring/prometheus-rule.py >$component/prometheus-rule.yaml"
node .ci/monitoring/validate.mjs "$component/pod-monitor.yaml" "$component/prometheus-rule.yaml" | sed 's/^/   /'
# The validator must be able to say no: a scrape interval that is no duration.
sed 's/interval: 15s/interval: soon/' "$component/pod-monitor.yaml" >"$work/broken-pod-monitor.yaml"
if node .ci/monitoring/validate.mjs "$work/broken-pod-monitor.yaml" >"$work/broken.txt"; then
  fail "the validator passed a PodMonitor whose interval is no duration"
fi
ok "the validator rejects a broken copy: $(cut -c1-120 "$work/broken.txt")"
# Rendered into the single overlay by kubectl's kustomize, as an operator would add it: the PodMonitor must select
# the web pods and their port. .ci/kubernetes.sh fetches that kubectl (Debian bookworm's is too old for components).
KUBECTL=${HIT_COUNTER_CI_CACHE:-/var/cache/hit-counter-ci}/kubectl
if [[ -x $KUBECTL ]]; then
  overlay=target/monitoring-overlay # inside the project: kustomize takes relative paths only
  mkdir -p "$overlay"
  printf '%s\n' 'apiVersion: kustomize.config.k8s.io/v1beta1' 'kind: Kustomization' 'resources:' \
    '- ../../deploy/kubernetes/overlays/single' 'components:' '- ../../deploy/kubernetes/components/monitoring' \
    >"$overlay/kustomization.yaml"
  "$KUBECTL" kustomize "$overlay" >"$work/rendered.yaml" || fail "kubectl kustomize of single + the monitoring component"
  python3 - "$work/rendered.yaml" "$work/rendered-monitoring.yaml" <<'EOF'
import sys, yaml

objects = [o for o in yaml.safe_load_all(open(sys.argv[1])) if o]
monitor = next(o for o in objects if o["kind"] == "PodMonitor")
wanted = monitor["spec"]["selector"]["matchLabels"]
ports = {e["port"] for e in monitor["spec"]["podMetricsEndpoints"]}
pods = [o["spec"]["template"] for o in objects if o["kind"] == "Deployment"
        if wanted.items() <= o["spec"]["template"]["metadata"]["labels"].items()]
named = {p.get("name") for pod in pods for c in pod["spec"]["containers"] for p in c.get("ports", [])}
if not pods or not ports <= named:
    sys.exit(f"the PodMonitor selects {len(pods)} Deployments, with ports {sorted(named)}; it scrapes {sorted(ports)}")
yaml.safe_dump_all([o for o in objects if o["apiVersion"].startswith("monitoring.coreos.com/")], open(sys.argv[2], "w"))
EOF
  node .ci/monitoring/validate.mjs "$work/rendered-monitoring.yaml" >/dev/null || fail "the rendered objects do not validate"
  ok "rendered into overlays/single: the PodMonitor selects the web Deployment's pods and their port http"
else
  ok "no $KUBECTL (run .ci/kubernetes.sh once to fetch it): the component's files were validated, not rendered"
fi

step "Compose: docker-compose.monitoring.yml and the Prometheus configuration it mounts"
promtool check config deploy/monitoring/prometheus-compose.yml
CI_CACHE=${HIT_COUNTER_CI_CACHE:-/var/cache/hit-counter-ci}
if [[ -x $CI_CACHE/docker-compose && -x $CI_CACHE/npm/node_modules/.bin/dclint ]]; then
  "$CI_CACHE/docker-compose" -f docker-compose.yml -f docker-compose.monitoring.yml config --quiet \
    || fail "docker compose config with docker-compose.monitoring.yml"
  lint=$("$CI_CACHE/npm/node_modules/.bin/dclint" --max-warnings 0 docker-compose.monitoring.yml) || fail "dclint: $lint"
  ok "docker-compose.yml with docker-compose.monitoring.yml: compose config --quiet; dclint, no error or warning"
else
  ok "no Compose or dclint in $CI_CACHE (run .ci/containers.sh once to fetch them): the override was not checked"
fi

step "the app: embedded launcher counting in a real redis-server, on loopback ports of their own"
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
pids+=($!)
await "redis-server on $redis_port" redis-cli -p "$redis_port" ping
./mvnw -q compile dependency:build-classpath -Dmdep.outputFile="$work/classpath" -Dmdep.includeScope=compile
app_port=$(free_port)
PORT=$app_port REDIS_URL=redis://127.0.0.1:$redis_port java -cp "target/classes:$(cat "$work/classpath")" \
  dev.hitcounter.EmbeddedLauncher >"$work/app.log" 2>&1 &
pids+=($!)
await "the app on $app_port" curl -fsS "http://127.0.0.1:$app_port/readyz"
ok "app on 127.0.0.1:$app_port, Redis on 127.0.0.1:$redis_port"

step "/metrics: promtool check metrics"
curl -fsS "http://127.0.0.1:$app_port/metrics" >"$work/metrics.txt"
# The lint's complaints are printed; the exposition must parse (a parse error is a non-zero exit with no lint line).
if ! promtool check metrics <"$work/metrics.txt" >"$work/lint.txt" 2>&1; then
  if grep -qi "error while linting\|text format parsing error" "$work/lint.txt"; then
    cat "$work/lint.txt"
    fail "/metrics does not parse"
  fi
fi
sed 's/^/   lint: /' "$work/lint.txt"
ok "/metrics parses ($(grep -c '^# TYPE' "$work/metrics.txt") families)"

step "Prometheus scraping the app every second, with the alert rules loaded"
prometheus_port=$(free_port)
cat >"$work/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $PWD/$MONITORING/hitcounter-alerts.yml
scrape_configs:
  - job_name: hit-counter
    static_configs:
      - targets: ['127.0.0.1:$app_port']
EOF
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --web.listen-address="127.0.0.1:$prometheus_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)
api=http://127.0.0.1:$prometheus_port/api/v1
await "Prometheus on $prometheus_port" curl -fsS "http://127.0.0.1:$prometheus_port/-/ready"
await "a scrape of the app" sh -c "curl -fsS '$api/query?query=up%7Bjob%3D%22hit-counter%22%7D%3D%3D1' | grep -q '\"value\"'"
ok "Prometheus on 127.0.0.1:$prometheus_port"

step "load: 2 clients, each up to $LOAD_REQUESTS requests or $LOAD_SECONDS s (views, badges, a 404)"
load() {
  local i deadline=$((SECONDS + LOAD_SECONDS))
  for ((i = 0; i < LOAD_REQUESTS && SECONDS < deadline; i++)); do
    curl -s -o /dev/null "http://127.0.0.1:$app_port/"
    if ((i % 10 == 0)); then
      curl -s -o /dev/null -A "monitoring.sh" "http://127.0.0.1:$app_port/badge/ci.svg"
      curl -s -o /dev/null "http://127.0.0.1:$app_port/no-such-page"
    fi
  done
}
load &
load_a=$!
load &
load_b=$!
wait "$load_a" "$load_b"
sleep 3 # three more scrapes after the load
ok "views in Redis: $(redis-cli -p "$redis_port" get views)"

step "every panel and every rule returns data from Prometheus"
python3 - "$api" "$MONITORING" <<'EOF'
import glob, json, re, sys, urllib.parse, urllib.request, yaml

api, monitoring = sys.argv[1], sys.argv[2]
# An alert's expr is QUERY, then one comparison with a number (the rules file's convention); QUERY is evaluated.
THRESHOLD = re.compile(r"^(?P<query>.*\S)\s*(?:==|!=|>=|<=|>|<)\s*(?:bool\s+)?[-+]?[0-9.]+(?:e[-+]?[0-9]+)?\s*$", re.S)
# The dashboard's variables, as Grafana fills them in: its job, all instances, a rate window of 30 scrapes.
VARIABLES = {"$__rate_interval": "30s", "$job": "hit-counter", "$instance": ".*"}

queries = []
for path in sorted(glob.glob(monitoring + "/*-alerts.yml")):
    for group in yaml.safe_load(open(path))["groups"]:
        for rule in group["rules"]:
            name = rule.get("alert") or rule.get("record")
            expr = rule["expr"].strip()
            if "alert" in rule:
                match = THRESHOLD.match(expr)
                if not match:
                    sys.exit(f"{path}: {name}: expr does not end in a comparison with a number: {expr}")
                expr = match["query"]
            queries.append((f"rule {name}", expr))
for path in sorted(glob.glob(monitoring + "/*-dashboard.json")):
    dashboard = json.load(open(path))
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            selector = re.fullmatch(r"label_values\((.*), \w+\)", variable["definition"])[1]
            queries.append((f"variable ${variable['name']}", selector))
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            queries.append((f"panel {panel['title']!r} {target['refId']}", target["expr"]))

empty = []
for where, expr in queries:
    for name, value in VARIABLES.items():
        expr = expr.replace(name, value)
    url = api + "/query?" + urllib.parse.urlencode({"query": expr})
    answer = json.load(urllib.request.urlopen(url, timeout=10))
    series = answer["data"]["result"] if answer["status"] == "success" else []
    print(f"   {len(series):3d} series  {where}: {expr}")
    if not series:
        empty.append(where)
if empty:
    sys.exit("these return nothing against the real app: " + ", ".join(empty))
print(f"   ok: all {len(queries)} queries returned data")
EOF

rules=$(curl -fsS "$api/rules" | python3 -c 'import json, sys; print(sum(len(g["rules"]) for g in json.load(sys.stdin)["data"]["groups"]))')
((rules > 0)) || fail "Prometheus loaded no rules"
firing=$(curl -fsS "$api/alerts" | python3 -c 'import json, sys; print(" ".join(a["labels"]["alertname"] for a in json.load(sys.stdin)["data"]["alerts"]))')
ok "Prometheus loaded $rules rules; alerts pending or firing against the healthy app: ${firing:-none}"
echo "== monitoring passed"
