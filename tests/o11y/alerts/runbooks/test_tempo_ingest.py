"""The distributed Tempo runbooks point at the stack's namespace, Tempo's components and Kafka's broker count."""

import pytest

from o11y.alertdef import AlertDefinition
from o11y.alerts.areas import TEMPO_INGEST, TEMPO_KAFKA
from o11y.alerts.runbooks.tempo_ingest import RUNBOOKS
from o11y.alerts.tempo_ingest import (
    KAFKA_BROKER_DOWN,
    TEMPO_COMPONENT_DOWN,
    TEMPO_INGEST_LAG,
    TEMPO_KAFKA_WRITES_FAILING,
)
from o11y.model.stack import Stack
from tests.o11y.alerts.runbooks.checks import (
    assert_complete,
    grouping_labels,
    queries,
    selectors,
    stream_selector,
    template_labels,
)
from tests.small_stacks import PROD, small_stack
from tests.trees import as_dict

NAMESPACE = "traces"


@pytest.fixture(scope="module")
def stack() -> Stack:
    """A production stack running its own Kafka with five brokers, in a namespace of its own."""
    return small_stack(
        "prod",
        {
            "kubernetes": {"context": "test", "namespace": NAMESPACE},
            "platform": {**as_dict(PROD["platform"]), "replicas": {"kafka": 5}},
        },
    )


def _by_name(stack: Stack) -> dict[str, AlertDefinition]:
    return {d.name: d for area in (TEMPO_INGEST, TEMPO_KAFKA) for d in area(stack)}


def test_every_runbook_is_complete(stack: Stack) -> None:
    definitions = _by_name(stack)
    assert list(definitions) == list(RUNBOOKS)
    for definition in definitions.values():
        assert_complete(definition)


def test_the_annotations_read_only_labels_the_alert_keeps(stack: Stack) -> None:
    for definition in _by_name(stack).values():
        read = template_labels(definition.summary + definition.description)
        assert read <= grouping_labels(definition.expr), (definition.name, read)
    assert template_labels(_by_name(stack)[TEMPO_INGEST_LAG].summary) == {"container", "partition"}


def test_queries_logs_and_commands_use_the_stacks_namespace(stack: Stack) -> None:
    for definition in _by_name(stack).values():
        for query in queries(definition, "promql"):
            for matchers in selectors(query):
                if "namespace" in matchers:
                    assert matchers["namespace"] == ("=", NAMESPACE), query
                job = matchers.get("job", ("=", ""))[1]
                if "/" in job:  # a component's ServiceMonitor job: <namespace>/<component>
                    assert job.startswith(f"{NAMESPACE}/"), query
        for logql in queries(definition, "logql"):
            assert stream_selector(logql)["namespace"] == ("=", NAMESPACE), logql
        for step in definition.resolution:
            if "kubectl" in step:
                assert f"kubectl -n {NAMESPACE} " in step, step


def test_a_component_down_counts_the_targets_present(stack: Stack) -> None:
    down = _by_name(stack)[TEMPO_COMPONENT_DOWN]
    first = down.triage[0].query
    assert first.startswith(f'sum by (job) (up{{job=~"{NAMESPACE}/(distributor|')
    assert "absent" not in first
    assert "absent(" in down.expr


def test_failed_writes_are_read_from_the_distributors(stack: Stack) -> None:
    writes = _by_name(stack)[TEMPO_KAFKA_WRITES_FAILING]
    for query in queries(writes, "promql"):
        assert selectors(query) == [{"job": ("=", f"{NAMESPACE}/distributor")}], query
    (logs,) = queries(writes, "logql")
    assert stream_selector(logs) == {
        "namespace": ("=", NAMESPACE),
        "service": ("=~", "distributor"),
    }


def test_the_lag_runbook_reads_the_consumers(stack: Stack) -> None:
    lag = _by_name(stack)[TEMPO_INGEST_LAG]
    cpu = queries(lag, "promql")[1]
    assert selectors(cpu) == [
        {"namespace": ("=", NAMESPACE), "container": ("=~", "block-builder|live-store")}
    ]


def test_the_broker_runbook_counts_the_stacks_brokers(stack: Stack) -> None:
    broker = _by_name(stack)[KAFKA_BROKER_DOWN]
    assert broker.summary == "Tempo's Kafka (tempo-kafka) has fewer than 5 brokers."
    assert "fewer than the 5 brokers of tempo-kafka" in broker.description
    assert "kubectl -n traces get pods -l strimzi.io/cluster=tempo-kafka" in broker.resolution[1]
