"""Alerts on the distributed Tempo and its Kafka ingest path (production profile).

Component health from the `up` of each component's ServiceMonitor (job `<namespace>/<component>`,
tempo-distributed 3.3.0), Kafka writes and partition lag from Tempo's own metrics (Tempo 3.0.3:
`tempo_distributor_produce_failures_total` in pkg/ingest/writer_client.go,
`tempo_ingest_group_partition_lag_seconds` in pkg/ingest/metrics.go), and the platform's Kafka
from Strimzi's Kafka exporter.
"""

from o11y.alertdef import AlertDefinition, TriageQuery
from o11y.alerts.scenario import Case, ProvenAlert, counting, series, steady
from o11y.conventions import (
    KAFKA_CLUSTER,
    KAFKA_EXPORTER_JOB,
    KAFKA_TOPIC_TRACES,
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


def tempo_ingest_alerts(stack: Stack) -> list[ProvenAlert]:
    """Alerts of the distributed Tempo; none for the monolith."""
    if stack.platform.tempo_mode != "distributed":
        return []
    alerts = [_component_down(stack), _kafka_writes(stack), _ingest_lag(stack)]
    if stack.platform.own_kafka:
        alerts += [_broker_down(stack), _under_replicated(stack)]
    return alerts


def component_job(stack: Stack, component: str) -> str:
    """The `job` of a component's targets (the chart's ServiceMonitor relabelling)."""
    return f"{stack.kubernetes.namespace}/{component}"


def component_targets(stack: Stack) -> str:
    """`up` of every Tempo component's targets (the dashboards read the same)."""
    return f'up{{job=~"{stack.kubernetes.namespace}/({"|".join(TEMPO_COMPONENTS)})"}}'


def _tempo_logs(stack: Stack, containers: tuple[str, ...]) -> str:
    return platform_logs(stack.kubernetes.namespace, containers, f"{RELEASE_TEMPO}-.*")


def _component_down(stack: Stack) -> ProvenAlert:
    namespace = stack.kubernetes.namespace
    up = component_targets(stack)
    # `absent` keeps the job label of its equality matcher: a component without any target
    # (every pod gone, or never scheduled) fires too.
    absent = " or ".join(f'absent(up{{job="{component_job(stack, c)}"}})' for c in TEMPO_COMPONENTS)
    definition = AlertDefinition(
        name=TEMPO_COMPONENT_DOWN,
        group=GROUP,
        expr=f"sum by (job) ({up}) == 0 or {absent}",
        for_="5m",
        priority=Priority.P1,
        team=stack.alerting.platform_team,
        summary="Tempo component {{ $labels.job }} has no replica up.",
        description=(
            "No replica of {{ $labels.job }} has answered a scrape for 5 minutes. Without "
            "distributors no trace is ingested; without block-builders nothing reaches the bucket; "
            "without live-stores, queriers or the query-frontend trace search fails."
        ),
        symptom="Every pod of one distributed Tempo component is down or not scraped.",
        impact="Traces are lost (write path) or cannot be searched (read path) until it is back.",
        triage=(
            TriageQuery("Targets per component", f"sum by (job) ({up})"),
            TriageQuery(
                "Tempo pods not ready",
                f'kube_pod_status_ready{{namespace="{namespace}", condition="false", '
                f'pod=~"{RELEASE_TEMPO}-.*"}} == 1',
            ),
            TriageQuery(
                "Tempo errors", _tempo_logs(stack, TEMPO_COMPONENTS) + ' |= "level=error"', "logql"
            ),
        ),
        causes=(
            "A bad configuration after a deploy: every pod of the component crash-loops.",
            "Pods are Pending: no node has room for their requests, or the spread over nodes cannot be met.",
            "Kafka is unreachable: distributors, block-builders and live-stores do not become ready.",
        ),
        resolution=(
            f"`kubectl -n {namespace} get pods -l app.kubernetes.io/instance={RELEASE_TEMPO}` and describe the failing ones.",
            f"`kubectl -n {namespace} logs <pod> --previous` for the crash reason; roll back with the previous commit's `pulumi up`.",
        ),
        related=(TEMPO_KAFKA_WRITES_FAILING, KAFKA_BROKER_DOWN),
    )
    distributor = {"job": component_job(stack, TEMPO_DISTRIBUTOR)}
    ups = [
        series(
            "up", {"job": component_job(stack, c), "instance": f"10.0.1.{i}:3200"}, steady(1, 15)
        )
        for i, c in enumerate(TEMPO_COMPONENTS)
        if c != TEMPO_DISTRIBUTOR
    ]
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                "every distributor is down",
                (*ups, series("up", {**distributor, "instance": "10.0.1.9:3200"}, steady(0, 15))),
                "10m",
                distributor,
            ),
            Case("the distributors are not scraped", tuple(ups), "10m", distributor),
        ),
        silent=lambda: (
            Case(
                "every component has a replica up",
                (*ups, series("up", {**distributor, "instance": "10.0.1.9:3200"}, steady(1, 15))),
                "10m",
            ),
        ),
    )


def _kafka_writes(stack: Stack) -> ProvenAlert:
    failures = f'sum by (reason) (rate({PRODUCE_FAILURES}{{job="{component_job(stack, TEMPO_DISTRIBUTOR)}"}}[5m]))'
    definition = AlertDefinition(
        name=TEMPO_KAFKA_WRITES_FAILING,
        group=GROUP,
        expr=f"{failures} > 0",
        for_="10m",
        priority=Priority.P1,
        team=stack.alerting.platform_team,
        summary="Tempo distributors fail to write spans to Kafka ({{ $labels.reason }}).",
        description=(
            "For 10 minutes the distributors have failed to produce records to the trace topic "
            "(reason {{ $labels.reason }}). A failed write fails the collector's push: spans are "
            "retried, then dropped by the collector."
        ),
        symptom="Records to the Kafka trace topic fail; the collector's Tempo exporter reports errors.",
        impact="Traces are lost once the collector's retries and queue are exhausted.",
        triage=(
            TriageQuery("Failed records by reason", failures),
            TriageQuery(
                "Bytes written to Kafka per partition",
                f'sum by (partition) (rate(tempo_distributor_kafka_write_bytes_total{{job="{component_job(stack, TEMPO_DISTRIBUTOR)}"}}[5m]))',
            ),
            TriageQuery(
                "Distributor errors",
                _tempo_logs(stack, (TEMPO_DISTRIBUTOR,)) + ' |= "failed to write to kafka"',
                "logql",
            ),
        ),
        causes=(
            "Kafka brokers are down or the topic has no in-sync leader (see TempoKafkaBrokerDown).",
            "The topic is missing, or SASL credentials are wrong (an external Kafka).",
            "The distributors' produce buffer is full: Kafka is slower than the incoming spans.",
        ),
        resolution=(
            "Fix Kafka first: brokers, topic and credentials; the distributors recover on their own.",
            "If Kafka is healthy but slow, add partitions (replicas.tempo_partitions) and brokers.",
        ),
        related=(KAFKA_BROKER_DOWN, TEMPO_COMPONENT_DOWN),
    )
    labels = {"job": component_job(stack, TEMPO_DISTRIBUTOR), "instance": "10.0.1.9:3200"}
    reason = {"reason": "timeout"}
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                "records time out",
                (series(PRODUCE_FAILURES, {**labels, **reason}, counting(60, 20)),),
                "15m",
                reason,
            ),
        ),
        silent=lambda: (
            Case(
                "failures stopped long ago",
                (series(PRODUCE_FAILURES, {**labels, **reason}, steady(12, 20)),),
                "15m",
            ),
        ),
    )


def _ingest_lag(stack: Stack) -> ProvenAlert:
    namespace = stack.kubernetes.namespace
    lagging = " or ".join(
        f'max by (container, partition) (avg_over_time({LAG}{{namespace="{namespace}", '
        f'container="{container}"}}[6m])) > {LAG_SECONDS[container]}'
        for container in TEMPO_INGEST_CONSUMERS
    )
    definition = AlertDefinition(
        name=TEMPO_INGEST_LAG,
        group=GROUP,
        expr=lagging,
        for_="5m",
        priority=Priority.P2,
        team=stack.alerting.platform_team,
        summary="Tempo {{ $labels.container }} lags on partition {{ $labels.partition }}.",
        description=(
            "The {{ $labels.container }} consuming partition {{ $labels.partition }} of the trace "
            "topic has been behind by more than its bar for 5 minutes. Block-builders: blocks reach the "
            "bucket late. Live-stores: the most recent traces are missing from searches."
        ),
        symptom="A consumer of the trace topic falls behind the distributors' writes.",
        impact="Recent traces are missing from queries; if the lag outgrows the topic's retention, spans are lost.",
        triage=(
            TriageQuery(
                "Lag per consumer and partition (seconds)",
                f'max by (container, partition) ({LAG}{{namespace="{namespace}"}})',
            ),
            TriageQuery(
                "Consumer CPU against its limit",
                f'sum by (pod) (rate(container_cpu_usage_seconds_total{{namespace="{namespace}", '
                f'container=~"{"|".join(TEMPO_INGEST_CONSUMERS)}"}}[5m]))',
            ),
            TriageQuery(
                "Consumer errors",
                _tempo_logs(stack, TEMPO_INGEST_CONSUMERS) + ' |= "level=error"',
                "logql",
            ),
        ),
        causes=(
            "More spans than one consumer per partition keeps up with (CPU or memory limits).",
            "Object storage is slow or failing (block-builders flush to it).",
            "A consumer restarted and replays the partition from its last committed offset.",
        ),
        resolution=(
            "Raise `platform.resources.tempo`, or add partitions: `replicas.tempo_partitions` (the topic, block-builders and live-stores follow).",
            "Check object storage access from the block-builders' logs.",
        ),
        related=(TEMPO_COMPONENT_DOWN,),
    )
    labels = {"namespace": namespace, "container": "block-builder", "partition": "0"}
    target = {**labels, "job": component_job(stack, "block-builder"), "group": "block-builder"}
    live = {**target, "container": "live-store", "job": component_job(stack, "live-store")}
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                "a block-builder is ten minutes behind",
                (series(LAG, target, steady(600, 20)),),
                "15m",
                {"container": "block-builder", "partition": "0"},
            ),
        ),
        silent=lambda: (
            Case(
                "consumers keep up",
                (series(LAG, target, steady(5, 20)), series(LAG, live, steady(3, 20))),
                "15m",
            ),
            Case(
                "a live-store is 150s behind, under its 200s bar",
                (series(LAG, {**live, "partition": "1"}, steady(150, 20)),),
                "15m",
            ),
        ),
    )


def _broker_down(stack: Stack) -> ProvenAlert:
    expected = stack.platform.replicas.kafka
    # `by (job)`: both branches carry the exporter's job (absent() keeps its matcher's label).
    brokers = f'max by (job) (kafka_brokers{{job="{KAFKA_EXPORTER_JOB}"}})'
    definition = AlertDefinition(
        name=KAFKA_BROKER_DOWN,
        group=GROUP,
        expr=f'{brokers} < {expected} or absent(kafka_brokers{{job="{KAFKA_EXPORTER_JOB}"}})',
        for_="5m",
        priority=Priority.P2,
        team=stack.alerting.platform_team,
        summary=f"Tempo's Kafka ({KAFKA_CLUSTER}) has fewer than {expected} brokers.",
        description=(
            f"The Kafka exporter has seen fewer than the {expected} brokers of {KAFKA_CLUSTER} for "
            "5 minutes (or reports nothing). Partitions keep their writes while a majority of "
            "replicas is in sync; one more loss stops Tempo's ingestion."
        ),
        symptom="A broker of the platform's Kafka is down, or the exporter cannot reach any.",
        impact="Tempo's ingest path has lost its redundancy; with a second loss no span is written.",
        triage=(
            TriageQuery("Brokers seen", brokers),
            TriageQuery(
                "Kafka pods not ready",
                f'kube_pod_status_ready{{namespace="{stack.kubernetes.namespace}", '
                f'condition="false"}} == 1',
            ),
        ),
        causes=(
            "A broker pod was evicted or its node is gone; Strimzi recreates it on its volume.",
            "A broker's volume is full (the topic's retention against platform.storage.kafka).",
        ),
        resolution=(
            f"`kubectl -n {stack.kubernetes.namespace} get kafka {KAFKA_CLUSTER} -o yaml` for the operator's conditions.",
            f"`kubectl -n {stack.kubernetes.namespace} get pods -l strimzi.io/cluster={KAFKA_CLUSTER}` and the broker's logs.",
        ),
        related=(KAFKA_UNDER_REPLICATED, TEMPO_KAFKA_WRITES_FAILING),
    )
    target = {"job": KAFKA_EXPORTER_JOB, "instance": "10.0.2.5:9404"}
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                "a broker is gone",
                (series("kafka_brokers", target, steady(expected - 1, 15)),),
                "10m",
                {"job": KAFKA_EXPORTER_JOB},
            ),
            Case("the exporter reports nothing", (), "10m", {"job": KAFKA_EXPORTER_JOB}),
        ),
        silent=lambda: (
            Case(
                "every broker is there",
                (series("kafka_brokers", target, steady(expected, 15)),),
                "10m",
            ),
        ),
    )


def _under_replicated(stack: Stack) -> ProvenAlert:
    metric = "kafka_topic_partition_under_replicated_partition"
    under = f'sum by (topic) ({metric}{{job="{KAFKA_EXPORTER_JOB}"}})'
    definition = AlertDefinition(
        name=KAFKA_UNDER_REPLICATED,
        group=GROUP,
        expr=f"{under} > 0",
        for_="10m",
        priority=Priority.P2,
        team=stack.alerting.platform_team,
        summary="Topic {{ $labels.topic }} of Tempo's Kafka has under-replicated partitions.",
        description=(
            "For 10 minutes partitions of {{ $labels.topic }} have had fewer in-sync "
            "replicas than configured: one more broker loss can stop writes to them."
        ),
        symptom="Partitions run with fewer in-sync replicas than their replication factor.",
        impact="Tempo's ingest path has no redundancy left on those partitions.",
        triage=(
            TriageQuery(
                "Under-replicated partitions", f'{metric}{{job="{KAFKA_EXPORTER_JOB}"}} > 0'
            ),
            TriageQuery("Brokers seen", f'max(kafka_brokers{{job="{KAFKA_EXPORTER_JOB}"}})'),
        ),
        causes=(
            "A broker is down or restarting (a rolling update by the operator).",
            "A broker cannot keep up with replication (disk or network).",
        ),
        resolution=(
            "Bring the broker back (TempoKafkaBrokerDown); the replicas catch up on their own.",
            "If a broker is slow, check its volume and CPU against platform.resources.kafka.",
        ),
        related=(KAFKA_BROKER_DOWN,),
    )
    target = {"job": KAFKA_EXPORTER_JOB, "instance": "10.0.2.5:9404", "topic": KAFKA_TOPIC_TRACES}
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                "a partition is under-replicated",
                (series(metric, {**target, "partition": "0"}, steady(1, 20)),),
                "15m",
                {"topic": KAFKA_TOPIC_TRACES},
            ),
        ),
        silent=lambda: (
            Case(
                "every replica is in sync",
                (series(metric, {**target, "partition": "0"}, steady(0, 20)),),
                "15m",
            ),
        ),
    )
