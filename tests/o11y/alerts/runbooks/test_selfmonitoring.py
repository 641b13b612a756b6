"""The runbooks of the stack's own alerts point at the stack's namespace, its workloads and the labels their alerts keep."""

import pytest

from o11y.alertdef import AlertDefinition
from o11y.alerts.areas import GRAFANA_HEALTH, MIMIR_INGEST, SELFMONITORING
from o11y.alerts.runbooks.selfmonitoring import RUNBOOKS
from o11y.alerts.selfmonitoring import (
    GATEWAY_UP,
    GRAFANA_DATABASE,
    LOKI_INGESTION,
    MIMIR_INGESTION,
    OTEL_AGENT_DOWN,
    OTEL_COLLECTOR_DOWN,
    TEMPO_INGESTION,
)
from o11y.conventions import WATCHDOG_ALERT
from o11y.model.stack import Stack
from tests.o11y.alerts.runbooks.checks import (
    assert_complete,
    grouping_labels,
    queries,
    selectors,
    stream_selector,
    template_labels,
)
from tests.small_stacks import small_stack

NAMESPACE = "telemetry"


@pytest.fixture(scope="module")
def stack() -> Stack:
    """A production stack (Mimir, Grafana's database) in a namespace of its own."""
    return small_stack("prod", {"kubernetes": {"context": "test", "namespace": NAMESPACE}})


def _by_name(stack: Stack) -> dict[str, AlertDefinition]:
    return {
        d.name: d for area in (SELFMONITORING, MIMIR_INGEST, GRAFANA_HEALTH) for d in area(stack)
    }


def test_every_runbook_is_complete(stack: Stack) -> None:
    definitions = _by_name(stack)
    assert set(definitions) == set(RUNBOOKS)
    for definition in definitions.values():
        assert_complete(definition)


def test_the_annotations_read_only_labels_the_alert_keeps(stack: Stack) -> None:
    templated = {
        name: template_labels(d.summary + d.description) for name, d in _by_name(stack).items()
    }
    assert templated[OTEL_AGENT_DOWN] == {"namespace", "daemonset"}
    for name, read in templated.items():
        assert read <= grouping_labels(_by_name(stack)[name].expr), name


def test_kubernetes_queries_and_commands_use_the_stacks_namespace(stack: Stack) -> None:
    for definition in _by_name(stack).values():
        for query in queries(definition, "promql"):
            for matchers in selectors(query):
                if "namespace" in matchers:
                    assert matchers["namespace"] == ("=", NAMESPACE), query
        for step in definition.resolution:
            if "kubectl" in step:
                assert f"kubectl -n {NAMESPACE} " in step, step


def test_platform_logs_select_the_namespace_and_the_workloads_containers(stack: Stack) -> None:
    definitions = _by_name(stack)
    services = {
        OTEL_COLLECTOR_DOWN: "opentelemetry-collector",
        LOKI_INGESTION: "loki|distributor|ingester",
        GRAFANA_DATABASE: "grafana",
    }
    for name, containers in services.items():
        (logs,) = queries(definitions[name], "logql")
        assert stream_selector(logs) == {
            "namespace": ("=", NAMESPACE),
            "service": ("=~", containers),
        }, name


def test_the_watchdog_runbook_looks_for_the_watchdog_itself(stack: Stack) -> None:
    watchdog = _by_name(stack)[WATCHDOG_ALERT]
    assert queries(watchdog, "promql")[0] == f'ALERTS{{alertname="{WATCHDOG_ALERT}"}}'


def test_a_missing_gateway_is_triaged_on_the_targets_that_exist(stack: Stack) -> None:
    down = _by_name(stack)[OTEL_COLLECTOR_DOWN]
    assert down.triage[0].query == GATEWAY_UP
    assert f"absent({GATEWAY_UP})" in down.expr


def test_each_backends_runbook_names_it_and_reads_its_own_counters(stack: Stack) -> None:
    definitions = _by_name(stack)
    tempo, mimir = definitions[TEMPO_INGESTION], definitions[MIMIR_INGESTION]
    assert tempo.summary == "Tempo discards more than 1% of received spans."
    assert mimir.summary == "Mimir discards more than 1% of received samples."
    assert "tempo_discarded_spans_total" in tempo.triage[0].query
    assert "cortex_discarded_samples_total" in mimir.triage[0].query


def test_mimir_and_grafanas_database_runbooks_only_where_they_run() -> None:
    names = set(_by_name(small_stack("dev")))
    assert names == set(RUNBOOKS) - {MIMIR_INGESTION, GRAFANA_DATABASE}
