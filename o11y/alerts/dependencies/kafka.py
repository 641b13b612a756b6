"""Kafka alerts: a consumer group lags behind, brokers are missing.

Metric names are those of kafka_exporter; the platform team owns the cluster.
"""

from o11y.alertdef import AlertDefinition, TriageQuery
from o11y.alerts.dependencies.dependency import (
    GROUP,
    WINDOW,
    dependency_labels,
    exporter_target,
)
from o11y.alerts.scenario import Case, ProvenAlert, series, steady
from o11y.conventions import DEPENDENCY_LABEL, dependency_selector
from o11y.model.catalog import Kafka
from o11y.model.stack import Stack
from o11y.promql import selector
from o11y.severity import Priority

KAFKA_LAG = "KafkaConsumerLagHigh"
KAFKA_BROKERS = "KafkaBrokersMissing"


def kafka_alerts(stack: Stack, kafka: Kafka) -> list[ProvenAlert]:
    return [
        *(_kafka_lag(stack, kafka, group) for group in kafka.consumer_groups),
        _kafka_brokers(stack, kafka),
    ]


def _consumer_errors(stack: Stack, kafka: Kafka, group: str) -> str:
    """Error logs of the services that use the cluster, mentioning the group (Loki indexes
    `service` and `level`; the group is only in the log line)."""
    users = "|".join(s.name for s in stack.services if kafka.name in s.uses)
    service = f'service=~"{users}", ' if users else ""
    return f'{{{service}level=~"error|fatal"}} |= "{group}"'


def _kafka_lag(stack: Stack, kafka: Kafka, group: str) -> ProvenAlert:
    lag_series = selector(
        "kafka_consumergroup_lag", dependency_selector(kafka.name), f'consumergroup="{group}"'
    )
    labels = {DEPENDENCY_LABEL: kafka.name, "consumergroup": group}
    definition = AlertDefinition(
        name=KAFKA_LAG,
        group=GROUP.format(name=kafka.name),
        expr=f"sum by ({DEPENDENCY_LABEL}, consumergroup) ({lag_series}) > {kafka.max_lag}",
        for_="5m",
        priority=Priority.P1,
        team=stack.alerting.platform_team,
        labels=labels,
        summary=f"Kafka consumer group {group} lags more than {kafka.max_lag} messages.",
        description=(
            f"Consumer group {group} on {kafka.name} is more than {kafka.max_lag} messages "
            "behind for 5 minutes: consumers are stuck or failing, and the work behind the "
            "queue (game results, rewards) is not being processed."
        ),
        symptom="Messages pile up: the consumer group's lag is above its limit.",
        impact="Work behind the queue (game results, rewards, automations) is delayed.",
        triage=(
            TriageQuery("Lag per topic and partition", f"sum by (topic, partition) ({lag_series})"),
            TriageQuery(
                "Produce vs consume rate per topic",
                f"sum by (topic) (rate(kafka_topic_partition_current_offset{{{dependency_selector(kafka.name)}}}[{WINDOW}]))",
            ),
            TriageQuery(
                "Consumer logs: errors that name the group",
                _consumer_errors(stack, kafka, group),
                "logql",
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
    lag_labels = {
        **exporter_target(kafka.name),
        "consumergroup": group,
        "topic": "events",
        "partition": "0",
    }
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                "lag above the limit",
                (series("kafka_consumergroup_lag", lag_labels, steady(kafka.max_lag + 1, 15)),),
                "10m",
                labels,
            ),
        ),
        silent=lambda: (
            Case(
                "lag at the limit",
                (series("kafka_consumergroup_lag", lag_labels, steady(kafka.max_lag, 15)),),
                "10m",
            ),
            Case(
                "another group lags",
                (
                    series(
                        "kafka_consumergroup_lag",
                        {**lag_labels, "consumergroup": f"{group}-other"},
                        steady(kafka.max_lag * 10, 15),
                    ),
                ),
                "10m",
            ),
        ),
    )


def _kafka_brokers(stack: Stack, kafka: Kafka) -> ProvenAlert:
    brokers = f"max by ({DEPENDENCY_LABEL}) (kafka_brokers{{{dependency_selector(kafka.name)}}})"
    expected = len(kafka.brokers)
    definition = AlertDefinition(
        name=KAFKA_BROKERS,
        group=GROUP.format(name=kafka.name),
        expr=f"{brokers} < {expected}",
        for_="5m",
        priority=Priority.P2,
        team=stack.alerting.platform_team,
        labels=dependency_labels(kafka.name),
        summary=f"Kafka {kafka.name} has fewer than {expected} brokers.",
        description=f"kafka_exporter sees fewer than the {expected} configured brokers of {kafka.name} for 5 minutes.",
        symptom="A Kafka broker left the cluster.",
        impact="Partitions led by the broker move; under-replicated partitions risk data loss if another broker fails.",
        triage=(
            TriageQuery("Brokers seen", brokers),
            TriageQuery(
                "Under-replicated partitions",
                f"sum by (topic) (kafka_topic_partition_under_replicated_partition{{{dependency_selector(kafka.name)}}})",
            ),
        ),
        causes=("A broker pod restarted or its node failed.", "Broker disk full."),
        resolution=(
            "Bring the broker back (`kubectl -n data get pods`); check its disk and logs.",
        ),
        related=(KAFKA_LAG,),
    )
    target = exporter_target(kafka.name)
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                "a broker is missing",
                (series("kafka_brokers", target, steady(expected - 1, 15)),),
                "10m",
                dependency_labels(kafka.name),
            ),
        ),
        silent=lambda: (
            Case(
                "every broker is there",
                (series("kafka_brokers", target, steady(expected, 15)),),
                "10m",
            ),
        ),
    )
