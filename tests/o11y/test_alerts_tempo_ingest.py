"""Alerts on the distributed Tempo and its Kafka, on small stacks, proven by promtool."""

from pathlib import Path

from o11y.alerts.scenario import ProvenAlert
from o11y.alerts.selfmonitoring import selfmonitoring_alerts
from o11y.alerts.tempo_ingest import (
    KAFKA_BROKER_DOWN,
    KAFKA_UNDER_REPLICATED,
    TEMPO_COMPONENT_DOWN,
    TEMPO_INGEST_LAG,
    TEMPO_KAFKA_WRITES_FAILING,
    tempo_ingest_alerts,
)
from tests.o11y.promtool_proof import prove
from tests.small_stacks import PROD, small_stack
from tests.trees import as_dict

EXTERNAL = {"bootstrap_server": "kafka.shared.svc:9092"}
TEMPO_ALERTS = {TEMPO_COMPONENT_DOWN, TEMPO_KAFKA_WRITES_FAILING, TEMPO_INGEST_LAG}
KAFKA_ALERTS = {KAFKA_BROKER_DOWN, KAFKA_UNDER_REPLICATED}


def names(alerts: list[ProvenAlert]) -> set[str]:
    return {a.definition.name for a in alerts}


def test_the_monolithic_tempo_gets_none_of_them() -> None:
    assert tempo_ingest_alerts(small_stack("dev")) == []


def test_the_platform_kafka_is_watched_only_where_the_platform_runs_it() -> None:
    own = small_stack("prod")
    assert names(tempo_ingest_alerts(own)) == TEMPO_ALERTS | KAFKA_ALERTS
    assert names(selfmonitoring_alerts(own)) >= TEMPO_ALERTS | KAFKA_ALERTS
    external = small_stack("prod", {"platform": {**as_dict(PROD["platform"]), "kafka": EXTERNAL}})
    assert names(tempo_ingest_alerts(external)) == TEMPO_ALERTS


def test_a_missing_broker_is_counted_against_the_stack_brokers() -> None:
    stack = small_stack(
        "prod", {"platform": {**as_dict(PROD["platform"]), "replicas": {"kafka": 5}}}
    )
    (down,) = [a for a in tempo_ingest_alerts(stack) if a.definition.name == KAFKA_BROKER_DOWN]
    assert " < 5 " in down.definition.expr


def test_the_components_are_selected_by_the_chart_job_names() -> None:
    (down,) = [
        a
        for a in tempo_ingest_alerts(small_stack("prod"))
        if a.definition.name == TEMPO_COMPONENT_DOWN
    ]
    assert 'absent(up{job="obs/distributor"})' in down.definition.expr
    assert 'absent(up{job="obs/live-store"})' in down.definition.expr


def test_tempo_ingest_alerts_fire_and_stay_silent_in_promtool(
    promtool: str, tmp_path: Path
) -> None:
    prove(promtool, small_stack("prod"), tempo_ingest_alerts(small_stack("prod")), tmp_path)
