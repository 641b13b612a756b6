"""prometheus-operator-crds values: the operator's CRDs as a release of their own.

Helm installs a chart's `crds/` directory once and never upgrades it, so CRDs that came with
kube-prometheus-stack would stay at the first version while a chart bump runs a newer operator
on them. This chart ships the same CRDs as templates, which Helm upgrades with the chart.
kube-prometheus-stack then installs none (`crds.enabled: false`, o11y/helm/kube_prometheus_stack.py);
the two charts are pinned to the same operator version (o11y/charts.py).
"""

from o11y.helm.pods import Values

# Uninstalling the release must never delete the CRDs: that would delete every ServiceMonitor,
# Probe and PrometheusRule in the cluster, ours and everyone else's.
KEEP = {"helm.sh/resource-policy": "keep"}


def values() -> Values:
    return {"crds": {"annotations": dict(KEEP)}}
