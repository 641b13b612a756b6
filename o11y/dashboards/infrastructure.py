"""The infrastructure dashboard (D2, seed 002/004): Kubernetes cluster state, nodes, and one row
per catalog dependency: database pools (postgres_exporter), cache hit rate (redis_exporter),
Kafka throughput and consumer lag (kafka_exporter), partner API health (callers' counters).

Metric names are the exporters' own (node-exporter, kube-state-metrics, postgres_exporter
v0.20, redis_exporter v1.89, kafka_exporter v1.9: the chart versions pinned in o11y/charts.py).
"""

from o11y.conventions import (
    METRIC_PARTNER_REQUESTS,
    OUTCOME_ERROR,
    OUTCOME_LABEL,
    SERVICE_LABEL,
    dependency_selector,
    partner_selector,
)
from o11y.dashboards.layout import DashboardSpec, Row
from o11y.dashboards.panels import (
    GREEN_ABOVE_ONE,
    RATE_WINDOW,
    JsonObject,
    ceiling,
    prometheus,
    stat,
    sum_rate,
    timeseries,
    with_matchers,
)
from o11y.model.catalog import Kafka, PartnerApi, Postgres, Redis
from o11y.model.stack import Stack

# Node usage turns red at 90% (seed 003 alert list: node CPU > 90%).
NODE_LIMIT = 0.9
# Real filesystems only: tmpfs/overlay report the container view, not a disk that fills.
_DISKS = 'fstype!~"tmpfs|overlay|squashfs", mountpoint!~"/run.*"'


def cluster_panels() -> tuple[JsonObject, ...]:
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
            [prometheus('sum(kube_pod_status_phase{phase=~"Pending|Failed|Unknown"})')],
            steps=ceiling(1),
        ),
        stat(
            "Unavailable replicas",
            [prometheus("sum(kube_deployment_status_replicas_unavailable)")],
            steps=ceiling(1),
        ),
        stat(
            "Container restarts (1h)",
            [prometheus("sum(increase(kube_pod_container_status_restarts_total[1h]))")],
            steps=ceiling(1),
        ),
        stat(
            "Running pods",
            [prometheus('sum(kube_pod_status_phase{phase="Running"})')],
        ),
        timeseries(
            "Restarts by namespace (1h)",
            [
                prometheus(
                    "sum by (namespace) (increase(kube_pod_container_status_restarts_total[1h]))",
                    "{{namespace}}",
                )
            ],
            width=12,
        ),
        timeseries(
            "Pods by phase",
            [prometheus("sum by (phase) (kube_pod_status_phase)", "{{phase}}")],
            width=12,
        ),
    )


def node_panels() -> tuple[JsonObject, ...]:
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


def postgres_panels(db: Postgres) -> tuple[JsonObject, ...]:
    selector = dependency_selector(db.name)
    database = with_matchers(selector, f'datname="{db.database}"')
    return (
        stat("Up", [prometheus(f"min(pg_up{{{selector}}})")], "bool_yes_no", steps=GREEN_ABOVE_ONE),
        timeseries(
            "Connection pool usage",
            [
                prometheus(
                    f"sum(pg_stat_database_numbackends{{{selector}}})"
                    f" / max(pg_settings_max_connections{{{selector}}})",
                    "used / max_connections",
                )
            ],
            "percentunit",
            steps=ceiling(db.max_connections_percent / 100),
            maximum=1,
            width=10,
            description=f"Alerts above {db.max_connections_percent:g}% (catalog).",
        ),
        timeseries(
            f"Transactions on {db.database}",
            [
                prometheus(sum_rate("pg_stat_database_xact_commit", database), "commits"),
                prometheus(sum_rate("pg_stat_database_xact_rollback", database), "rollbacks"),
            ],
            "ops",
            width=10,
        ),
    )


def redis_panels(cache: Redis) -> tuple[JsonObject, ...]:
    selector = dependency_selector(cache.name)
    hits = sum_rate("redis_keyspace_hits_total", selector)
    misses = sum_rate("redis_keyspace_misses_total", selector)
    return (
        stat(
            "Up", [prometheus(f"min(redis_up{{{selector}}})")], "bool_yes_no", steps=GREEN_ABOVE_ONE
        ),
        timeseries(
            "Cache hit rate",
            [prometheus(f"{hits} / ({hits} + {misses})", "hit rate")],
            "percentunit",
            maximum=1,
        ),
        timeseries(
            "Connected clients",
            [
                prometheus(f"sum(redis_connected_clients{{{selector}}})", "clients"),
            ],
            width=6,
        ),
        timeseries(
            "Memory used",
            [prometheus(f"sum(redis_memory_used_bytes{{{selector}}})", "used")],
            "bytes",
            width=6,
        ),
    )


def kafka_panels(kafka: Kafka) -> tuple[JsonObject, ...]:
    selector = dependency_selector(kafka.name)
    groups = "|".join(kafka.consumer_groups) or ".+"
    lagged = with_matchers(selector, f'consumergroup=~"{groups}"')
    return (
        stat("Brokers", [prometheus(f"max(kafka_brokers{{{selector}}})")], steps=GREEN_ABOVE_ONE),
        timeseries(
            "Messages in by topic",
            [
                prometheus(
                    sum_rate("kafka_topic_partition_current_offset", selector, ("topic",)),
                    "{{topic}}",
                )
            ],
            "ops",
            width=10,
        ),
        timeseries(
            "Consumer lag",
            [
                prometheus(
                    f"sum by (consumergroup, topic) (kafka_consumergroup_lag{{{lagged}}})",
                    "{{consumergroup}} {{topic}}",
                )
            ],
            "short",
            steps=ceiling(kafka.max_lag),
            width=10,
            description=f"Pages above {kafka.max_lag} messages (catalog, seed 002).",
        ),
    )


def partner_panels(partner: PartnerApi) -> tuple[JsonObject, ...]:
    """A partner API has no exporter: its health is its callers' outgoing-call counter."""
    selector = partner_selector(partner.partner_label)
    failed = with_matchers(selector, f'{OUTCOME_LABEL}="{OUTCOME_ERROR}"')
    share = (
        f"{sum_rate(METRIC_PARTNER_REQUESTS, failed)}"
        f" / {sum_rate(METRIC_PARTNER_REQUESTS, selector)}"
    )
    return (
        stat(
            "Failed calls",
            [prometheus(share, "failed")],
            "percentunit",
            steps=ceiling(partner.error_rate_percent / 100),
            description=f"Alerts above {partner.error_rate_percent:g}% (catalog, seed 002).",
        ),
        timeseries(
            "Calls by caller",
            [
                prometheus(
                    sum_rate(METRIC_PARTNER_REQUESTS, selector, (SERVICE_LABEL, OUTCOME_LABEL)),
                    f"{{{{{SERVICE_LABEL}}}}} {{{{{OUTCOME_LABEL}}}}}",
                )
            ],
            "ops",
            width=10,
        ),
        timeseries(
            "Failed share",
            [prometheus(share, "failed")],
            "percentunit",
            steps=ceiling(partner.error_rate_percent / 100),
            width=10,
        ),
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
            description="Kubernetes, nodes, databases, cache and Kafka (D2).",
            rows=(
                Row("Kubernetes cluster", cluster_panels()),
                Row("Nodes", node_panels()),
                *rows,
            ),
        )
    ]
