"""Prints deploy/kubernetes/components/monitoring/prometheus-rule.yaml: the groups of deploy/monitoring/hitcounter-alerts.yml
in a PrometheusRule. .ci/monitoring.sh fails when the committed file differs; regenerate it with
    python3 .ci/monitoring/prometheus-rule.py > deploy/kubernetes/components/monitoring/prometheus-rule.yaml
"""
import sys
from pathlib import Path

import yaml

root = Path(__file__).resolve().parents[2]
rules = yaml.safe_load((root / "deploy/monitoring/hitcounter-alerts.yml").read_text())
sys.stdout.write("""# The alert rules of deploy/monitoring/hitcounter-alerts.yml for the prometheus-operator, made by
# .ci/monitoring/prometheus-rule.py (run it again after changing the rules; .ci/monitoring.sh checks they agree).
""")
sys.stdout.write(yaml.safe_dump({
    "apiVersion": "monitoring.coreos.com/v1",
    "kind": "PrometheusRule",
    "metadata": {"name": "hit-counter",
                 "labels": {"app.kubernetes.io/part-of": "hit-counter", "app.kubernetes.io/component": "web"}},
    "spec": {"groups": rules["groups"]},
}, sort_keys=False, width=1000))
