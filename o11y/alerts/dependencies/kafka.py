"""Kafka alerts: a consumer group lags behind, brokers are missing.

Two tables: one row per consumer group whose lag matters (`LAG_ALERTS`), one per cluster
(`ALERTS`). Metric names are those of kafka_exporter; the platform team owns the cluster.
Runbooks: o11y/alerts/runbooks/dependencies/kafka.py.
"""

from dataclasses import dataclass

from o11y.alertdef import AlertSpec, Owner
from o11y.alerts.dependencies.dependency import Used, dependency_labels, stores
from o11y.conventions import DEPENDENCY_LABEL, dependency_selector
from o11y.model.catalog import Kafka
from o11y.model.stack import Stack
from o11y.promql import selector
from o11y.severity import Priority

KAFKA_LAG = "KafkaConsumerLagHigh"
KAFKA_BROKERS = "KafkaBrokersMissing"

CONSUMER_GROUP_LABEL = "consumergroup"


@dataclass(frozen=True)
class ConsumerGroup:
    """A consumer group of a catalog Kafka whose lag matters."""

    kafka: Used[Kafka]
    name: str


def lag(group: ConsumerGroup) -> str:
    return selector(
        "kafka_consumergroup_lag",
        dependency_selector(group.kafka.store.name),
        f'{CONSUMER_GROUP_LABEL}="{group.name}"',
    )


def lag_labels(group: ConsumerGroup) -> dict[str, str]:
    return {DEPENDENCY_LABEL: group.kafka.store.name, CONSUMER_GROUP_LABEL: group.name}


def brokers(kafka: Used[Kafka]) -> str:
    return f"max by ({DEPENDENCY_LABEL}) (kafka_brokers{{{dependency_selector(kafka.store.name)}}})"


LAG_ALERTS: tuple[AlertSpec[ConsumerGroup], ...] = (
    AlertSpec(
        KAFKA_LAG,
        expr=lambda group: (
            f"sum by ({DEPENDENCY_LABEL}, {CONSUMER_GROUP_LABEL}) ({lag(group)}) "
            f"> {group.kafka.store.max_lag}"
        ),
        for_="5m",
        priority=Priority.P1,
        labels=lag_labels,
    ),
)
ALERTS: tuple[AlertSpec[Used[Kafka]], ...] = (
    AlertSpec(
        KAFKA_BROKERS,
        expr=lambda kafka: f"{brokers(kafka)} < {len(kafka.store.brokers)}",
        for_="5m",
        priority=Priority.P2,
        labels=lambda kafka: dependency_labels(kafka.store.name),
    ),
)


def lag_subjects(stack: Stack) -> list[tuple[ConsumerGroup, Owner]]:
    """Every consumer group of every Kafka of the catalog."""
    return [
        (ConsumerGroup(kafka, name), owner)
        for kafka, owner in stores(stack, Kafka)
        for name in kafka.store.consumer_groups
    ]


def subjects(stack: Stack) -> list[tuple[Used[Kafka], Owner]]:
    """Every Kafka of the catalog."""
    return stores(stack, Kafka)
