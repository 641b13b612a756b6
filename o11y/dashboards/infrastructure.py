"""The infrastructure dashboard: Kubernetes cluster state (by namespace), nodes, and one row
per catalog dependency: database pools (postgres_exporter), cache hit rate (redis_exporter),
Kafka throughput and consumer lag (kafka_exporter), partner API health (callers' counters).

Metric names are the exporters' own (node-exporter, kube-state-metrics, postgres_exporter
v0.20, redis_exporter v1.89, kafka_exporter v1.9: the chart versions pinned in o11y/charts.py).
"""

from o11y.alerts.infrastructure import NODE_CPU_PERCENT
from o11y.conventions import (
    METRIC_PARTNER_REQUESTS,
    OUTCOME_ERROR,
    OUTCOME_LABEL,
    SERVICE_LABEL,
    dependency_selector,
    partner_selector,
)
from o11y.dashboards.panels import (
    GREEN_ABOVE_ONE,
    PERCENT_DECIMALS,
    PanelBuilder,
    ceiling,
    namespace_variable,
    prometheus,
    stat,
    timeseries,
)
from o11y.dashboards.spec import DashboardSpec, Row
from o11y.model.catalog import Kafka, PartnerApi, Postgres, Redis
from o11y.model.stack import Stack
from o11y.promql import RATE_WINDOW, error_ratio, selector, sum_increase, sum_of, sum_rate

# Node usage turns red where the node CPU alert fires.
NODE_LIMIT = NODE_CPU_PERCENT / 100
# Real filesystems only: tmpfs/overlay report the container view, not a disk that fills.
_DISKS = 'fstype!~"tmpfs|overlay|squashfs", mountpoint!~"/run.*"'
NAMESPACE_VARIABLE = "namespace"
# The namespaces picked in the dashboard's namespace variable (all by default).
IN_NAMESPACES = f'namespace=~"${{{NAMESPACE_VARIABLE}}}"'
RESTARTS = selector("kube_pod_container_status_restarts_total", IN_NAMESPACES)


def cluster_panels() -> tuple[PanelBuilder, ...]:
    """kube-state-metrics: nodes ready, pods not running, restarts, unavailable replicas."""
    return (
        stat(
            "Nodes ready",
            [prometheus('sum(kube_node_status_condition{condition="Ready", status="true"})')],
            steps=GREEN_ABOVE_ONE,
        ),
        stat(
            "Nodes not ready",
            [prometheus('sum(kube_node_status_condition{condition="Ready", status!="true"})')],
            steps=ceiling(1),
        ),
        stat(
            "Pods pending or failed",
            [
                prometheus(
                    f'sum(kube_pod_status_phase{{{IN_NAMESPACES}, phase=~"Pending|Failed|Unknown"}})'
                )
            ],
            steps=ceiling(1),
        ),
        stat(
            "Unavailable replicas",
            [prometheus(f"sum(kube_deployment_status_replicas_unavailable{{{IN_NAMESPACES}}})")],
            steps=ceiling(1),
        ),
        stat(
            "Container restarts (1h)",
            [prometheus(sum_increase(RESTARTS, "1h"))],
            steps=ceiling(1),
        ),
        stat(
            "Running pods",
            [prometheus(f'sum(kube_pod_status_phase{{{IN_NAMESPACES}, phase="Running"}})')],
        ),
        timeseries(
            "Restarts by namespace (1h)",
            [prometheus(sum_increase(RESTARTS, "1h", ("namespace",)), "{{namespace}}")],
        ).span(12),
        timeseries(
            "Pods by phase",
            [prometheus(f"sum by (phase) (kube_pod_status_phase{{{IN_NAMESPACES}}})", "{{phase}}")],
        ).span(12),
    )


def node_panels() -> tuple[PanelBuilder, ...]:
    """node-exporter: CPU, memory and disk usage per node, red at 90%."""
    return (
        timeseries(
            "CPU usage by node",
            [
                prometheus(
                    "1 - avg by (instance) "
                    f'(rate(node_cpu_seconds_total{{mode="idle"}}[{RATE_WINDOW}]))',
                    "{{instance}}",
                )
            ],
            "percentunit",
            steps=ceiling(NODE_LIMIT),
            maximum=1,
        ),
        timeseries(
            "Memory usage by node",
            [
                prometheus(
                    "1 - sum by (instance) (node_memory_MemAvailable_bytes)"
                    " / sum by (instance) (node_memory_MemTotal_bytes)",
                    "{{instance}}",
                )
            ],
            "percentunit",
            steps=ceiling(NODE_LIMIT),
            maximum=1,
        ),
        timeseries(
            "Disk usage by mount",
            [
                prometheus(
                    f"1 - node_filesystem_avail_bytes{{{_DISKS}}}"
                    f" / node_filesystem_size_bytes{{{_DISKS}}}",
                    "{{instance}} {{mountpoint}}",
                )
            ],
            "percentunit",
            steps=ceiling(NODE_LIMIT),
            maximum=1,
        ),
    )


def postgres_panels(db: Postgres) -> tuple[PanelBuilder, ...]:
    matcher = dependency_selector(db.name)
    database = (matcher, f'datname="{db.database}"')
    return (
        stat(
            f"{db.name}: up",
            [prometheus(f"min(pg_up{{{matcher}}})")],
            "bool_yes_no",
            steps=GREEN_ABOVE_ONE,
        ),
        timeseries(
            f"{db.name}: connection pool usage",
            [
                prometheus(
                    f"sum(pg_stat_database_numbackends{{{matcher}}})"
                    f" / max(pg_settings_max_connections{{{matcher}}})",
                    "used / max_connections",
                )
            ],
            "percentunit",
            steps=ceiling(db.max_connections_percent / 100),
            maximum=1,
            decimals=PERCENT_DECIMALS,
            description=f"Alerts above {db.max_connections_percent:g}% (catalog).",
        ).span(10),
        timeseries(
            f"{db.name}: transactions on {db.database}",
            [
                prometheus(
                    sum_rate(selector("pg_stat_database_xact_commit", *database), RATE_WINDOW),
                    "commits",
                ),
                prometheus(
                    sum_rate(selector("pg_stat_database_xact_rollback", *database), RATE_WINDOW),
                    "rollbacks",
                ),
            ],
            "ops",
        ).span(10),
    )


def redis_panels(cache: Redis) -> tuple[PanelBuilder, ...]:
    matcher = dependency_selector(cache.name)
    hits = sum_rate(selector("redis_keyspace_hits_total", matcher), RATE_WINDOW)
    misses = sum_rate(selector("redis_keyspace_misses_total", matcher), RATE_WINDOW)
    return (
        stat(
            f"{cache.name}: up",
            [prometheus(f"min(redis_up{{{matcher}}})")],
            "bool_yes_no",
            steps=GREEN_ABOVE_ONE,
        ),
        timeseries(
            f"{cache.name}: hit rate",
            [prometheus(f"{hits} / ({hits} + {misses})", "hit rate")],
            "percentunit",
            maximum=1,
            decimals=PERCENT_DECIMALS,
        ),
        timeseries(
            f"{cache.name}: connected clients",
            [
                prometheus(f"sum(redis_connected_clients{{{matcher}}})", "clients"),
            ],
        ).span(6),
        timeseries(
            f"{cache.name}: memory used",
            [prometheus(f"sum(redis_memory_used_bytes{{{matcher}}})", "used")],
            "bytes",
        ).span(6),
    )


def kafka_panels(kafka: Kafka) -> tuple[PanelBuilder, ...]:
    matcher = dependency_selector(kafka.name)
    groups = "|".join(kafka.consumer_groups) or ".+"
    lagged = selector("kafka_consumergroup_lag", matcher, f'consumergroup=~"{groups}"')
    return (
        stat(
            f"{kafka.name}: brokers",
            [prometheus(f"max(kafka_brokers{{{matcher}}})")],
            steps=GREEN_ABOVE_ONE,
        ),
        timeseries(
            f"{kafka.name}: messages in by topic",
            [
                prometheus(
                    sum_rate(
                        selector("kafka_topic_partition_current_offset", matcher),
                        RATE_WINDOW,
                        ("topic",),
                    ),
                    "{{topic}}",
                )
            ],
            "ops",
        ).span(10),
        timeseries(
            f"{kafka.name}: consumer lag",
            [
                prometheus(
                    sum_of(lagged, ("consumergroup", "topic")),
                    "{{consumergroup}} {{topic}}",
                )
            ],
            "short",
            steps=ceiling(kafka.max_lag),
            description=f"Pages above {kafka.max_lag} messages (catalog).",
        ).span(10),
    )


def partner_failed_share(partner: PartnerApi) -> str:
    """The share of a partner API's calls that failed, 0 while calls succeed."""
    calls = selector(METRIC_PARTNER_REQUESTS, partner_selector(partner.partner_label))
    return error_ratio(calls, RATE_WINDOW, errors=f'{OUTCOME_LABEL}="{OUTCOME_ERROR}"')


def partner_panels(partner: PartnerApi) -> tuple[PanelBuilder, ...]:
    """A partner API has no exporter: its health is its callers' outgoing-call counter."""
    calls = selector(METRIC_PARTNER_REQUESTS, partner_selector(partner.partner_label))
    failed_share = partner_failed_share(partner)
    return (
        stat(
            f"{partner.name}: failed calls",
            [prometheus(failed_share, "failed")],
            "percentunit",
            steps=ceiling(partner.error_rate_percent / 100),
            decimals=PERCENT_DECIMALS,
            description=f"Alerts above {partner.error_rate_percent:g}% (catalog).",
        ),
        timeseries(
            f"{partner.name}: calls by caller",
            [
                prometheus(
                    sum_rate(calls, RATE_WINDOW, (SERVICE_LABEL, OUTCOME_LABEL)),
                    f"{{{{{SERVICE_LABEL}}}}} {{{{{OUTCOME_LABEL}}}}}",
                )
            ],
            "ops",
        ).span(10),
        timeseries(
            f"{partner.name}: failed share",
            [prometheus(failed_share, "failed")],
            "percentunit",
            steps=ceiling(partner.error_rate_percent / 100),
            decimals=PERCENT_DECIMALS,
        ).span(10),
    )


def dependency_row(dependency: Postgres | Redis | Kafka | PartnerApi) -> Row:
    if isinstance(dependency, Postgres):
        return Row(f"PostgreSQL {dependency.name}", postgres_panels(dependency))
    if isinstance(dependency, Redis):
        return Row(f"Redis {dependency.name}", redis_panels(dependency))
    if isinstance(dependency, Kafka):
        return Row(f"Kafka {dependency.name}", kafka_panels(dependency))
    return Row(f"Partner API {dependency.name}", partner_panels(dependency))


def dashboards(stack: Stack) -> list[DashboardSpec]:
    rows = [dependency_row(d) for d in stack.dependencies]
    return [
        DashboardSpec(
            key="infrastructure",
            title="Infrastructure",
            description="Kubernetes, nodes, databases, cache, Kafka and partner APIs.",
            rows=(
                Row("Kubernetes cluster", cluster_panels()),
                Row("Nodes", node_panels()),
                *rows,
            ),
            variables=(namespace_variable(NAMESPACE_VARIABLE),),
        )
    ]
