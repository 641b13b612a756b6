"""Runbooks of the distributed Tempo and its Kafka (o11y/alerts/tempo_ingest.py)."""

from o11y.alertdef import Runbook, Runbooks, TriageQuery
from o11y.alerts.tempo_ingest import (
    BROKERS,
    KAFKA_BROKER_DOWN,
    KAFKA_EXPORTER,
    KAFKA_UNDER_REPLICATED,
    LAG,
    TEMPO_COMPONENT_DOWN,
    TEMPO_INGEST_LAG,
    TEMPO_KAFKA_WRITES_FAILING,
    UNDER_REPLICATED,
    component_job,
    component_targets,
    produce_failures,
    tempo_logs,
)
from o11y.conventions import (
    KAFKA_CLUSTER,
    RELEASE_TEMPO,
    TEMPO_COMPONENTS,
    TEMPO_DISTRIBUTOR,
    TEMPO_INGEST_CONSUMERS,
)
from o11y.model.stack import Stack


def _component_down(stack: Stack) -> Runbook:
    namespace = stack.kubernetes.namespace
    return Runbook(
        summary="Tempo component {{ $labels.job }} has no replica up.",
        description=(
            "No replica of {{ $labels.job }} has answered a scrape for 5 minutes. Without "
            "distributors no trace is ingested; without block-builders nothing reaches the bucket; "
            "without live-stores, queriers or the query-frontend trace search fails."
        ),
        symptom="Every pod of one distributed Tempo component is down or not scraped.",
        impact="Traces are lost (write path) or cannot be searched (read path) until it is back.",
        triage=(
            TriageQuery("Targets per component", f"sum by (job) ({component_targets(stack)})"),
            TriageQuery(
                "Tempo pods not ready",
                f'kube_pod_status_ready{{namespace="{namespace}", condition="false", '
                f'pod=~"{RELEASE_TEMPO}-.*"}} == 1',
            ),
            TriageQuery(
                "Tempo errors", tempo_logs(stack, TEMPO_COMPONENTS) + ' |= "level=error"', "logql"
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


def _kafka_writes(stack: Stack) -> Runbook:
    return Runbook(
        summary="Tempo distributors fail to write spans to Kafka ({{ $labels.reason }}).",
        description=(
            "For 10 minutes the distributors have failed to produce records to the trace topic "
            "(reason {{ $labels.reason }}). A failed write fails the collector's push: spans are "
            "retried, then dropped by the collector."
        ),
        symptom="Records to the Kafka trace topic fail; the collector's Tempo exporter reports errors.",
        impact="Traces are lost once the collector's retries and queue are exhausted.",
        triage=(
            TriageQuery("Failed records by reason", produce_failures(stack)),
            TriageQuery(
                "Bytes written to Kafka per partition",
                f'sum by (partition) (rate(tempo_distributor_kafka_write_bytes_total{{job="{component_job(stack, TEMPO_DISTRIBUTOR)}"}}[5m]))',
            ),
            TriageQuery(
                "Distributor errors",
                tempo_logs(stack, (TEMPO_DISTRIBUTOR,)) + ' |= "failed to write to kafka"',
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


def _ingest_lag(stack: Stack) -> Runbook:
    namespace = stack.kubernetes.namespace
    return Runbook(
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
                tempo_logs(stack, TEMPO_INGEST_CONSUMERS) + ' |= "level=error"',
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


def _broker_down(stack: Stack) -> Runbook:
    namespace, expected = stack.kubernetes.namespace, stack.platform.replicas.kafka
    return Runbook(
        summary=f"Tempo's Kafka ({KAFKA_CLUSTER}) has fewer than {expected} brokers.",
        description=(
            f"The Kafka exporter has seen fewer than the {expected} brokers of {KAFKA_CLUSTER} for "
            "5 minutes (or reports nothing). Partitions keep their writes while a majority of "
            "replicas is in sync; one more loss stops Tempo's ingestion."
        ),
        symptom="A broker of the platform's Kafka is down, or the exporter cannot reach any.",
        impact="Tempo's ingest path has lost its redundancy; with a second loss no span is written.",
        triage=(
            TriageQuery("Brokers seen", BROKERS),
            TriageQuery(
                "Kafka pods not ready",
                f'kube_pod_status_ready{{namespace="{namespace}", condition="false"}} == 1',
            ),
        ),
        causes=(
            "A broker pod was evicted or its node is gone; Strimzi recreates it on its volume.",
            "A broker's volume is full (the topic's retention against platform.storage.kafka).",
        ),
        resolution=(
            f"`kubectl -n {namespace} get kafka {KAFKA_CLUSTER} -o yaml` for the operator's conditions.",
            f"`kubectl -n {namespace} get pods -l strimzi.io/cluster={KAFKA_CLUSTER}` and the broker's logs.",
        ),
        related=(KAFKA_UNDER_REPLICATED, TEMPO_KAFKA_WRITES_FAILING),
    )


def _under_replicated(_: Stack) -> Runbook:
    return Runbook(
        summary="Topic {{ $labels.topic }} of Tempo's Kafka has under-replicated partitions.",
        description=(
            "For 10 minutes partitions of {{ $labels.topic }} have had fewer in-sync "
            "replicas than configured: one more broker loss can stop writes to them."
        ),
        symptom="Partitions run with fewer in-sync replicas than their replication factor.",
        impact="Tempo's ingest path has no redundancy left on those partitions.",
        triage=(
            TriageQuery(
                "Under-replicated partitions", f"{UNDER_REPLICATED}{{{KAFKA_EXPORTER}}} > 0"
            ),
            TriageQuery("Brokers seen", f"max(kafka_brokers{{{KAFKA_EXPORTER}}})"),
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


RUNBOOKS: Runbooks[Stack] = {
    TEMPO_COMPONENT_DOWN: _component_down,
    TEMPO_KAFKA_WRITES_FAILING: _kafka_writes,
    TEMPO_INGEST_LAG: _ingest_lag,
    KAFKA_BROKER_DOWN: _broker_down,
    KAFKA_UNDER_REPLICATED: _under_replicated,
}
