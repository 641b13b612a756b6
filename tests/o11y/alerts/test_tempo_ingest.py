"""Alerts on the distributed Tempo and its Kafka, on small stacks, proven by promtool."""

from pathlib import Path

from o11y.alerts.areas import AREAS, TEMPO_INGEST, TEMPO_KAFKA
from o11y.alerts.tempo_ingest import (
    KAFKA_BROKER_DOWN,
    KAFKA_UNDER_REPLICATED,
    LAG,
    PRODUCE_FAILURES,
    TEMPO_COMPONENT_DOWN,
    TEMPO_INGEST_LAG,
    TEMPO_KAFKA_WRITES_FAILING,
    UNDER_REPLICATED,
    component_job,
)
from o11y.conventions import (
    KAFKA_EXPORTER_JOB,
    KAFKA_TOPIC_TRACES,
    TEMPO_COMPONENTS,
    TEMPO_DISTRIBUTOR,
)
from o11y.model.stack import Stack
from tests.o11y.alerts.scenario import (
    Case,
    Proof,
    Proofs,
    area_proofs,
    counting,
    prove,
    series,
    steady,
)
from tests.small_stacks import PROD, small_stack
from tests.trees import as_dict

EXTERNAL = {"bootstrap_server": "kafka.shared.svc:9092"}
TEMPO_ALERTS = {TEMPO_COMPONENT_DOWN, TEMPO_KAFKA_WRITES_FAILING, TEMPO_INGEST_LAG}
KAFKA_ALERTS = {KAFKA_BROKER_DOWN, KAFKA_UNDER_REPLICATED}
KAFKA_EXPORTER_TARGET = {"job": KAFKA_EXPORTER_JOB, "instance": "10.0.2.5:9404"}


def _component_down(stack: Stack) -> Proof:
    distributor = {"job": component_job(stack, TEMPO_DISTRIBUTOR)}
    up = [
        series(
            "up", {"job": component_job(stack, c), "instance": f"10.0.1.{i}:3200"}, steady(1, 15)
        )
        for i, c in enumerate(TEMPO_COMPONENTS)
        if c != TEMPO_DISTRIBUTOR
    ]
    distributors = {**distributor, "instance": "10.0.1.9:3200"}
    return Proof(
        fires=(
            Case(
                "every distributor is down",
                (*up, series("up", distributors, steady(0, 15))),
                "10m",
                distributor,
            ),
            Case("the distributors are not scraped", tuple(up), "10m", distributor),
        ),
        silent=(
            Case(
                "every component has a replica up",
                (*up, series("up", distributors, steady(1, 15))),
                "10m",
            ),
        ),
    )


def _kafka_writes(stack: Stack) -> Proof:
    reason = {"reason": "timeout"}
    distributor = {
        "job": component_job(stack, TEMPO_DISTRIBUTOR),
        "instance": "10.0.1.9:3200",
        **reason,
    }
    return Proof(
        fires=(
            Case(
                "records time out",
                (series(PRODUCE_FAILURES, distributor, counting(60, 20)),),
                "15m",
                reason,
            ),
        ),
        silent=(
            Case(
                "failures stopped long ago",
                (series(PRODUCE_FAILURES, distributor, steady(12, 20)),),
                "15m",
            ),
        ),
    )


def _ingest_lag(stack: Stack) -> Proof:
    labels = {
        "namespace": stack.kubernetes.namespace,
        "container": "block-builder",
        "partition": "0",
    }
    target = {**labels, "job": component_job(stack, "block-builder"), "group": "block-builder"}
    live = {**target, "container": "live-store", "job": component_job(stack, "live-store")}
    return Proof(
        fires=(
            Case(
                "a block-builder is ten minutes behind",
                (series(LAG, target, steady(600, 20)),),
                "15m",
                {"container": "block-builder", "partition": "0"},
            ),
        ),
        silent=(
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


def _broker_down(stack: Stack) -> Proof:
    expected = stack.platform.replicas.kafka
    job = {"job": KAFKA_EXPORTER_JOB}
    return Proof(
        fires=(
            Case(
                "a broker is gone",
                (series("kafka_brokers", KAFKA_EXPORTER_TARGET, steady(expected - 1, 15)),),
                "10m",
                job,
            ),
            Case("the exporter reports nothing", (), "10m", job),
        ),
        silent=(
            Case(
                "every broker is there",
                (series("kafka_brokers", KAFKA_EXPORTER_TARGET, steady(expected, 15)),),
                "10m",
            ),
        ),
    )


def _under_replicated(_: Stack) -> Proof:
    partition = {**KAFKA_EXPORTER_TARGET, "topic": KAFKA_TOPIC_TRACES, "partition": "0"}
    return Proof(
        fires=(
            Case(
                "a partition is under-replicated",
                (series(UNDER_REPLICATED, partition, steady(1, 20)),),
                "15m",
                {"topic": KAFKA_TOPIC_TRACES},
            ),
        ),
        silent=(
            Case(
                "every replica is in sync",
                (series(UNDER_REPLICATED, partition, steady(0, 20)),),
                "15m",
            ),
        ),
    )


PROOFS: Proofs[Stack] = {
    TEMPO_COMPONENT_DOWN: _component_down,
    TEMPO_KAFKA_WRITES_FAILING: _kafka_writes,
    TEMPO_INGEST_LAG: _ingest_lag,
    KAFKA_BROKER_DOWN: _broker_down,
    KAFKA_UNDER_REPLICATED: _under_replicated,
}


def names(stack: Stack) -> set[str]:
    return {a.name for area in (TEMPO_INGEST, TEMPO_KAFKA) for a in area(stack)}


def test_the_monolithic_tempo_gets_none_of_them() -> None:
    assert names(small_stack("dev")) == set()


def test_the_platform_kafka_is_watched_only_where_the_platform_runs_it() -> None:
    own = small_stack("prod")
    assert names(own) == TEMPO_ALERTS | KAFKA_ALERTS
    observability = {a.name for area in AREAS["observability"] for a in area(own)}
    assert observability >= TEMPO_ALERTS | KAFKA_ALERTS
    external = small_stack("prod", {"platform": {**as_dict(PROD["platform"]), "kafka": EXTERNAL}})
    assert names(external) == TEMPO_ALERTS


def test_a_missing_broker_is_counted_against_the_stack_brokers() -> None:
    stack = small_stack(
        "prod", {"platform": {**as_dict(PROD["platform"]), "replicas": {"kafka": 5}}}
    )
    (down,) = [a for a in TEMPO_KAFKA(stack) if a.name == KAFKA_BROKER_DOWN]
    assert " < 5 " in down.expr


def test_the_components_are_selected_by_the_chart_job_names() -> None:
    (down,) = [a for a in TEMPO_INGEST(small_stack("prod")) if a.name == TEMPO_COMPONENT_DOWN]
    assert 'absent(up{job="obs/distributor"})' in down.expr
    assert 'absent(up{job="obs/live-store"})' in down.expr


def test_tempo_ingest_alerts_fire_and_stay_silent_in_promtool(
    promtool: str, tmp_path: Path
) -> None:
    stack = small_stack("prod")
    proven = [
        *area_proofs(TEMPO_INGEST, PROOFS, stack),
        *area_proofs(TEMPO_KAFKA, PROOFS, stack),
    ]
    assert {alert.name for alert, _ in proven} == set(PROOFS)
    prove(promtool, stack, proven, tmp_path)
