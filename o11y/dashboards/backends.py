"""The observability backends' own health, where the platform runs them in pieces: the
distributed Tempo (its components, the Kafka ingest path and its lag), the Kafka the platform
runs for it, and Grafana's database. One row each, only for what the stack deploys; a stack
with none of them (a development stack) has no such dashboard.

The queries are the alerts' own (o11y/alerts/tempo_ingest.py, o11y/alerts/selfmonitoring.py),
so a red panel and a page always agree.
"""

from o11y.alerts.tempo_ingest import (
    LAG,
    LAG_SECONDS,
    PRODUCE_FAILURES,
    component_job,
    component_targets,
)
from o11y.conventions import (
    GRAFANA_HEALTH_JOB,
    KAFKA_EXPORTER_JOB,
    TEMPO_DISTRIBUTOR,
    TEMPO_INGEST_CONSUMERS,
)
from o11y.dashboards.panels import (
    GREEN_ABOVE_ONE,
    PanelBuilder,
    ceiling,
    prometheus,
    stat,
    timeseries,
)
from o11y.dashboards.spec import DashboardSpec, Row
from o11y.model.stack import Stack
from o11y.promql import RATE_WINDOW, legend, sum_of, sum_rate

JOB = ("job",)
REASON = ("reason",)
TOPIC = ("topic",)


def tempo_panels(stack: Stack) -> tuple[PanelBuilder, ...]:
    consumers = "|".join(TEMPO_INGEST_CONSUMERS)
    lag = f'{LAG}{{namespace="{stack.kubernetes.namespace}", container=~"{consumers}"}}'
    failures = f'{PRODUCE_FAILURES}{{job="{component_job(stack, TEMPO_DISTRIBUTOR)}"}}'
    limits = ", ".join(f"{c} {LAG_SECONDS[c]}s" for c in TEMPO_INGEST_CONSUMERS)
    return (
        stat(
            "Components with no target up",
            [prometheus(f"count({sum_of(component_targets(stack), JOB)} == 0) or vector(0)")],
            steps=ceiling(1),
            description="Pages (TempoComponentDown) when one stays at 0 targets for 5 minutes.",
        ),
        timeseries(
            "Targets up by component",
            [prometheus(sum_of(component_targets(stack), JOB), legend(JOB))],
        ).span(10),
        timeseries(
            "Distributor writes to Kafka failing",
            [prometheus(sum_rate(failures, RATE_WINDOW, REASON), legend(REASON))],
            "ops",
            steps=ceiling(1e-9),
            description="Every failed write is a span lost; alerts after 10 minutes of any.",
        ).span(10),
        timeseries(
            "Ingest lag by partition",
            [prometheus(f"max by (container, partition) ({lag})", "{{container}} {{partition}}")],
            "s",
            description=f"How far behind Kafka each consumer reads; alerts above {limits}.",
        ).span(24),
    )


def kafka_panels(stack: Stack) -> tuple[PanelBuilder, ...]:
    exporter = f'job="{KAFKA_EXPORTER_JOB}"'
    expected = stack.platform.replicas.kafka
    return (
        stat(
            "Brokers",
            [prometheus(f"max(kafka_brokers{{{exporter}}})")],
            steps=((None, "red"), (expected, "green")),
            description=f"Alerts below {expected}, the brokers the platform runs.",
        ),
        timeseries(
            "Under-replicated partitions by topic",
            [
                prometheus(
                    sum_of(
                        f"kafka_topic_partition_under_replicated_partition{{{exporter}}}", TOPIC
                    ),
                    "{{topic}}",
                )
            ],
            steps=ceiling(1),
        ).span(10),
        timeseries(
            "Consumer lag by group",
            [
                prometheus(
                    sum_of(f"kafka_consumergroup_lag{{{exporter}}}", ("consumergroup", "topic")),
                    "{{consumergroup}} {{topic}}",
                )
            ],
        ).span(10),
    )


def grafana_panels() -> tuple[PanelBuilder, ...]:
    job = f'job="{GRAFANA_HEALTH_JOB}"'
    return (
        stat(
            "Database health",
            [prometheus(f"min(probe_success{{{job}}})")],
            steps=GREEN_ABOVE_ONE,
            description='1 while /api/health says "database": "ok" (blackbox probe).',
        ),
        timeseries(
            "/api/health answer",
            [prometheus(f"max(probe_http_status_code{{{job}}})", "HTTP status")],
            description="503 while Grafana cannot reach its database; 0 when it does not answer.",
        ).span(10),
    )


def dashboards(stack: Stack) -> list[DashboardSpec]:
    rows: list[Row] = []
    if stack.platform.tempo_mode == "distributed":
        rows.append(Row("Tempo", tempo_panels(stack)))
    if stack.platform.own_kafka:
        rows.append(Row("Tempo's Kafka", kafka_panels(stack)))
    if stack.platform.grafana_database is not None:
        rows.append(Row("Grafana", grafana_panels()))
    if not rows:
        return []
    return [
        DashboardSpec(
            key="backends",
            title="Observability backends",
            description="Distributed Tempo and its Kafka ingest path, and Grafana's database.",
            rows=tuple(rows),
        )
    ]
