"""Kafka alerts: consumer group lag and missing brokers, proven by promtool."""

from pathlib import Path

from o11y.alerts.areas import KAFKA, KAFKA_CONSUMER_GROUPS
from o11y.alerts.dependencies.dependency import Used, dependency_labels
from o11y.alerts.dependencies.kafka import KAFKA_BROKERS, KAFKA_LAG, ConsumerGroup, lag_labels
from o11y.model.catalog import Kafka
from o11y.model.stack import Stack
from o11y.severity import Priority
from tests.o11y.alerts.dependencies import exporter_target
from tests.o11y.alerts.scenario import Case, Proof, Proofs, area_proofs, prove, series, steady


def _lag(group: ConsumerGroup) -> Proof:
    max_lag = group.kafka.store.max_lag
    labels = {
        **exporter_target(group.kafka.store.name),
        "consumergroup": group.name,
        "topic": "events",
        "partition": "0",
    }
    other = {**labels, "consumergroup": f"{group.name}-other"}
    return Proof(
        fires=(
            Case(
                "lag above the limit",
                (series("kafka_consumergroup_lag", labels, steady(max_lag + 1, 15)),),
                "10m",
                lag_labels(group),
            ),
        ),
        silent=(
            Case(
                "lag at the limit",
                (series("kafka_consumergroup_lag", labels, steady(max_lag, 15)),),
                "10m",
            ),
            Case(
                "another group lags",
                (series("kafka_consumergroup_lag", other, steady(max_lag * 10, 15)),),
                "10m",
            ),
        ),
    )


def _brokers(kafka: Used[Kafka]) -> Proof:
    target = exporter_target(kafka.store.name)
    expected = len(kafka.store.brokers)
    return Proof(
        fires=(
            Case(
                "a broker is missing",
                (series("kafka_brokers", target, steady(expected - 1, 15)),),
                "10m",
                dependency_labels(kafka.store.name),
            ),
        ),
        silent=(
            Case(
                "every broker is there",
                (series("kafka_brokers", target, steady(expected, 15)),),
                "10m",
            ),
        ),
    )


LAG_PROOFS: Proofs[ConsumerGroup] = {KAFKA_LAG: _lag}
PROOFS: Proofs[Used[Kafka]] = {KAFKA_BROKERS: _brokers}


def test_kafka_lag_pages_above_the_configured_lag(stack: Stack) -> None:
    (lag,) = KAFKA_CONSUMER_GROUPS(stack)
    assert lag.expr == (
        "sum by (dependency, consumergroup) (kafka_consumergroup_lag"
        '{dependency="bus",consumergroup="orders"}) > 500'
    )
    assert lag.priority == Priority.P1
    assert lag.labels == {"dependency": "bus", "consumergroup": "orders"}


def test_kafka_brokers_are_counted_against_the_catalog_brokers(stack: Stack) -> None:
    (brokers,) = KAFKA(stack)
    assert brokers.expr == 'max by (dependency) (kafka_brokers{dependency="bus"}) < 1'


def test_kafka_alerts_fire_and_stay_silent_in_promtool(
    stack: Stack, promtool: str, tmp_path: Path
) -> None:
    proven = [
        *area_proofs(KAFKA_CONSUMER_GROUPS, LAG_PROOFS, stack),
        *area_proofs(KAFKA, PROOFS, stack),
    ]
    prove(promtool, stack, proven, tmp_path)
