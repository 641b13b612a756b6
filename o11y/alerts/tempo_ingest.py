"""Alerts on the distributed Tempo and its Kafka ingest path (production profile).

Two tables: the Tempo components and their Kafka ingest path (`ALERTS`, where Tempo runs
distributed) and the Kafka the platform runs for it (`KAFKA_ALERTS`, where the platform runs
its own); the monolithic Tempo gets none. Runbooks: o11y/alerts/runbooks/tempo_ingest.py.

Component health from the `up` of each component's ServiceMonitor (job `<namespace>/<component>`,
tempo-distributed 3.3.0), Kafka writes and partition lag from Tempo's own metrics (Tempo 3.0.3:
`tempo_distributor_produce_failures_total` in pkg/ingest/writer_client.go,
`tempo_ingest_group_partition_lag_seconds` in pkg/ingest/metrics.go), and the platform's Kafka
from Strimzi's Kafka exporter.
"""

from o11y.alertdef import AlertSpec, Owner
from o11y.conventions import (
    KAFKA_EXPORTER_JOB,
    RELEASE_TEMPO,
    TEMPO_COMPONENTS,
    TEMPO_DISTRIBUTOR,
    TEMPO_INGEST_CONSUMERS,
    platform_logs,
)
from o11y.model.stack import Stack
from o11y.severity import Priority

TEMPO_COMPONENT_DOWN = "TempoComponentDown"
TEMPO_KAFKA_WRITES_FAILING = "TempoKafkaWritesFailing"
TEMPO_INGEST_LAG = "TempoIngestPartitionLag"
KAFKA_BROKER_DOWN = "TempoKafkaBrokerDown"
KAFKA_UNDER_REPLICATED = "TempoKafkaUnderReplicatedPartitions"

GROUP = "observability"
# Seconds a partition may lag per consumer before someone looks, from tempo-mixin 3.0.3:
# TempoBlockBuilderPartitionLagCritical (300s: blocks reach the bucket late, searches miss them)
# and TempoLiveStorePartitionLagWarning (200s: recent traces are missing from queries).
LAG_SECONDS = {"block-builder": 300, "live-store": 200}
LAG = "tempo_ingest_group_partition_lag_seconds"
PRODUCE_FAILURES = "tempo_distributor_produce_failures_total"
UNDER_REPLICATED = "kafka_topic_partition_under_replicated_partition"

KAFKA_EXPORTER = f'job="{KAFKA_EXPORTER_JOB}"'
# `by (job)`: both branches of the alert carry the exporter's job (absent() keeps its
# matcher's label).
BROKERS = f"max by (job) (kafka_brokers{{{KAFKA_EXPORTER}}})"


def component_job(stack: Stack, component: str) -> str:
    """The `job` of a component's targets (the chart's ServiceMonitor relabelling)."""
    return f"{stack.kubernetes.namespace}/{component}"


def component_targets(stack: Stack) -> str:
    """`up` of every Tempo component's targets (the dashboards read the same)."""
    return f'up{{job=~"{stack.kubernetes.namespace}/({"|".join(TEMPO_COMPONENTS)})"}}'


def tempo_logs(stack: Stack, containers: tuple[str, ...]) -> str:
    return platform_logs(stack.kubernetes.namespace, containers, f"{RELEASE_TEMPO}-.*")


def produce_failures(stack: Stack) -> str:
    """Records the distributors failed to write to Kafka, per second, by reason."""
    job = component_job(stack, TEMPO_DISTRIBUTOR)
    return f'sum by (reason) (rate({PRODUCE_FAILURES}{{job="{job}"}}[5m]))'


def _components_down(stack: Stack) -> str:
    # `absent` keeps the job label of its equality matcher: a component without any target
    # (every pod gone, or never scheduled) fires too.
    absent = " or ".join(f'absent(up{{job="{component_job(stack, c)}"}})' for c in TEMPO_COMPONENTS)
    return f"sum by (job) ({component_targets(stack)}) == 0 or {absent}"


def _lagging(stack: Stack) -> str:
    """Each consumer against its own bar."""
    return " or ".join(
        f'max by (container, partition) (avg_over_time({LAG}{{namespace="{stack.kubernetes.namespace}", '
        f'container="{container}"}}[6m])) > {LAG_SECONDS[container]}'
        for container in TEMPO_INGEST_CONSUMERS
    )


ALERTS: tuple[AlertSpec[Stack], ...] = (
    AlertSpec(TEMPO_COMPONENT_DOWN, expr=_components_down, for_="5m", priority=Priority.P1),
    AlertSpec(
        TEMPO_KAFKA_WRITES_FAILING,
        expr=lambda stack: f"{produce_failures(stack)} > 0",
        for_="10m",
        priority=Priority.P1,
    ),
    AlertSpec(TEMPO_INGEST_LAG, expr=_lagging, for_="5m", priority=Priority.P2),
)
KAFKA_ALERTS: tuple[AlertSpec[Stack], ...] = (
    AlertSpec(
        KAFKA_BROKER_DOWN,
        expr=lambda stack: (
            f"{BROKERS} < {stack.platform.replicas.kafka} "
            f"or absent(kafka_brokers{{{KAFKA_EXPORTER}}})"
        ),
        for_="5m",
        priority=Priority.P2,
    ),
    AlertSpec(
        KAFKA_UNDER_REPLICATED,
        expr=lambda _: f"sum by (topic) ({UNDER_REPLICATED}{{{KAFKA_EXPORTER}}}) > 0",
        for_="10m",
        priority=Priority.P2,
    ),
)


def subjects(stack: Stack) -> list[tuple[Stack, Owner]]:
    """The stack, where Tempo runs distributed; the platform team owns it."""
    if stack.platform.tempo_mode != "distributed":
        return []
    return [(stack, Owner(GROUP, stack.alerting.platform_team))]


def kafka_subjects(stack: Stack) -> list[tuple[Stack, Owner]]:
    """The stack, where the distributed Tempo writes to a Kafka of the platform's own."""
    return subjects(stack) if stack.platform.own_kafka else []
