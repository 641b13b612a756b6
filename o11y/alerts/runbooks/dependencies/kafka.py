"""Runbooks of the Kafka alerts (o11y/alerts/dependencies/kafka.py)."""

from o11y.alertdef import Runbook, Runbooks, TriageQuery
from o11y.alerts.dependencies.dependency import WINDOW, Used
from o11y.alerts.dependencies.kafka import (
    KAFKA_BROKERS,
    KAFKA_LAG,
    ConsumerGroup,
    brokers,
    lag,
)
from o11y.conventions import dependency_selector
from o11y.model.catalog import Kafka


def _consumer_errors(group: ConsumerGroup) -> str:
    """Error logs of the services that use the cluster, mentioning the group (Loki indexes
    `service` and `level`; the group is only in the log line)."""
    users = "|".join(group.kafka.users)
    service = f'service=~"{users}", ' if users else ""
    return f'{{{service}level=~"error|fatal"}} |= "{group.name}"'


def _lag(group: ConsumerGroup) -> Runbook:
    kafka = group.kafka.store
    return Runbook(
        summary=f"Kafka consumer group {group.name} lags more than {kafka.max_lag} messages.",
        description=(
            f"Consumer group {group.name} on {kafka.name} is more than {kafka.max_lag} messages "
            "behind for 5 minutes: consumers are stuck or failing, and the work behind the "
            "queue is not being processed."
        ),
        symptom="Messages pile up: the consumer group's lag is above its limit.",
        impact=f"Whatever {group.name} does with the messages happens late, or not at all.",
        triage=(
            TriageQuery("Lag per topic and partition", f"sum by (topic, partition) ({lag(group)})"),
            TriageQuery(
                "Produce vs consume rate per topic",
                f"sum by (topic) (rate(kafka_topic_partition_current_offset{{{dependency_selector(kafka.name)}}}[{WINDOW}]))",
            ),
            TriageQuery(
                "Consumer logs: errors that name the group", _consumer_errors(group), "logql"
            ),
        ),
        causes=(
            "Consumers crash-loop or are scaled to zero.",
            "A poison message fails processing again and again on one partition.",
            "Consumers are slower than producers (a slow database write, a traffic peak).",
        ),
        resolution=(
            "Check the consumer pods; scale them out (up to the partition count).",
            "If one partition lags, inspect its head message; skip or dead-letter a poison message.",
        ),
        related=(KAFKA_BROKERS,),
    )


def _brokers(kafka: Used[Kafka]) -> Runbook:
    name, expected = kafka.store.name, len(kafka.store.brokers)
    return Runbook(
        summary=f"Kafka {name} has fewer than {expected} brokers.",
        description=f"kafka_exporter sees fewer than the {expected} configured brokers of {name} for 5 minutes.",
        symptom="A Kafka broker left the cluster.",
        impact="Partitions led by the broker move; under-replicated partitions risk data loss if another broker fails.",
        triage=(
            TriageQuery("Brokers seen", brokers(kafka)),
            TriageQuery(
                "Under-replicated partitions",
                f"sum by (topic) (kafka_topic_partition_under_replicated_partition{{{dependency_selector(name)}}})",
            ),
        ),
        causes=("A broker pod restarted or its node failed.", "Broker disk full."),
        resolution=(
            "Bring the broker back (its pods where it runs in the cluster); check its disk and logs.",
        ),
        related=(KAFKA_LAG,),
    )


LAG_RUNBOOKS: Runbooks[ConsumerGroup] = {KAFKA_LAG: _lag}
RUNBOOKS: Runbooks[Used[Kafka]] = {KAFKA_BROKERS: _brokers}
