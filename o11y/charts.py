"""The pinned Helm charts: name, version and repository of every chart the platform installs.

The one place a chart version changes. Versions and repositories as listed in the snapshot the
chart data in o11y/chartdata was derived from: grafana, loki, tempo and tempo-distributed moved
to the grafana-community repository in January 2026; mimir-distributed is still published by
grafana.
"""

from dataclasses import dataclass
from typing import Literal

ChartName = Literal[
    "prometheus-operator-crds",
    "kube-prometheus-stack",
    "grafana",
    "loki",
    "tempo",
    "tempo-distributed",
    "strimzi-kafka-operator",
    "mimir-distributed",
    "opentelemetry-collector",
    "prometheus-blackbox-exporter",
    "prometheus-postgres-exporter",
    "prometheus-redis-exporter",
    "prometheus-kafka-exporter",
]


@dataclass(frozen=True)
class Chart:
    name: ChartName
    version: str
    repository: str


PROMETHEUS_COMMUNITY = "https://prometheus-community.github.io/helm-charts"
GRAFANA_COMMUNITY = "https://grafana-community.github.io/helm-charts"
GRAFANA = "https://grafana.github.io/helm-charts"
OPEN_TELEMETRY = "https://open-telemetry.github.io/opentelemetry-helm-charts"
STRIMZI = "https://strimzi.io/charts/"

CHARTS: dict[ChartName, Chart] = {
    chart.name: chart
    for chart in (
        # The CRDs of the operator kube-prometheus-stack runs (same appVersion, v0.93.1), as
        # templates: Helm upgrades them with the chart, unlike a chart's `crds/` directory.
        Chart("prometheus-operator-crds", "31.0.1", PROMETHEUS_COMMUNITY),
        Chart("kube-prometheus-stack", "88.5.3", PROMETHEUS_COMMUNITY),
        Chart("grafana", "12.11.1", GRAFANA_COMMUNITY),
        Chart("loki", "18.11.0", GRAFANA_COMMUNITY),
        # Development stacks: the monolithic chart (o11y/helm/tempo.py).
        Chart("tempo", "2.2.4", GRAFANA_COMMUNITY),
        # Production stacks: Tempo 3.0.3 in microservices, ingesting through Kafka
        # (o11y/helm/tempo_distributed.py).
        Chart("tempo-distributed", "3.3.0", GRAFANA_COMMUNITY),
        # The operator that runs Tempo's Kafka when the stack names no external one
        # (o11y/kafka.py holds its custom resources).
        Chart("strimzi-kafka-operator", "1.2.0", STRIMZI),
        Chart("mimir-distributed", "6.1.0", GRAFANA),
        Chart("opentelemetry-collector", "0.170.0", OPEN_TELEMETRY),
        Chart("prometheus-blackbox-exporter", "11.17.2", PROMETHEUS_COMMUNITY),
        Chart("prometheus-postgres-exporter", "8.2.0", PROMETHEUS_COMMUNITY),
        Chart("prometheus-redis-exporter", "6.29.0", PROMETHEUS_COMMUNITY),
        Chart("prometheus-kafka-exporter", "3.1.1", PROMETHEUS_COMMUNITY),
    )
}

# The prometheus-operator kube-prometheus-stack 88.5.3 installs (its appVersion); the CRDs of
# the ServiceMonitors, Probes and PrometheusRules we create are that version's.
PROMETHEUS_OPERATOR_VERSION = "v0.93.1"
