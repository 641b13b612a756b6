"""The service runbooks name their service and point every query at its own series, pods and logs."""

import re

import pytest

from o11y.alertdef import AlertDefinition
from o11y.alerts.areas import ENDPOINT_BUDGETS, SERVICES
from o11y.alerts.runbooks.service import ENDPOINT_RUNBOOKS, RUNBOOKS
from o11y.alerts.service import (
    CARDINALITY_HIGH,
    ERROR_RATE_CRITICAL,
    ERROR_RATE_HIGH,
    LATENCY_P95_HIGH,
    LATENCY_P99_HIGH,
    SERVICE_DOWN,
)
from o11y.model.stack import Stack
from tests.o11y.alerts.runbooks.checks import assert_complete, queries, selectors, stream_selector
from tests.small_stacks import SERVICE, small_stack

CHECKOUT = {
    "route": "/api/checkout",
    "method": "POST",
    "p50_seconds": 0.25,
    "p95_seconds": 1,
    "p99_seconds": 2.5,
}


@pytest.fixture(scope="module")
def stack() -> Stack:
    """Two services in two namespaces, one with its own thresholds, labels and an endpoint budget."""
    return small_stack(
        overrides={
            "services": [
                {**SERVICE, "endpoints": [CHECKOUT]},
                {
                    **SERVICE,
                    "name": "llm",
                    "display_name": "LLM",
                    "namespace": "ai",
                    "selector": {"app": "llm-server", "tier": "backend"},
                    "error_rate_page_percent": 20,
                    "error_rate_ticket_percent": 7.5,
                    "latency_p99_seconds": 30,
                    "latency_p95_seconds": 10,
                    "latency_buckets": [0.1, 0.5, 1, 2.5, 5, 10, 30, 60],
                },
            ],
            "alerting": {
                "platform_team": "core",
                "low_traffic_rps": 0.25,
                "max_series_per_service": 1234,
            },
        }
    )


def _alerts(stack: Stack) -> list[AlertDefinition]:
    return [*SERVICES(stack), *ENDPOINT_BUDGETS(stack)]


def _of(stack: Stack, service: str, name: str) -> AlertDefinition:
    (definition,) = [d for d in SERVICES(stack) if d.service == service and d.name == name]
    return definition


def test_every_runbook_names_its_service_and_is_complete(stack: Stack) -> None:
    for service in stack.services:
        mine = [d for d in SERVICES(stack) if d.service == service.name]
        assert [d.name for d in mine] == list(RUNBOOKS)
        for definition in mine:
            assert service.display_name in definition.summary, definition.name
            assert service.name in definition.description, definition.name
            assert_complete(definition)


def test_an_endpoint_runbook_names_its_route_quantile_and_budget(stack: Stack) -> None:
    budgets = ENDPOINT_BUDGETS(stack)
    assert {d.name for d in budgets} == set(ENDPOINT_RUNBOOKS)
    assert [d.summary for d in budgets] == [
        "POST /api/checkout p50 latency is above its 0.25s budget.",
        "POST /api/checkout p95 latency is above its 1s budget.",
        "POST /api/checkout p99 latency is above its 2.5s budget.",
    ]
    for definition, seconds in zip(budgets, ("0.25s", "1s", "2.5s"), strict=True):
        assert "shop POST /api/checkout" in definition.description
        (traces,) = [q.query for q in definition.triage if q.language == "traceql"]
        assert traces == f'{{ resource.service.name = "shop" && duration > {seconds} }}'
        assert_complete(definition)


def test_promql_triage_selects_the_services_own_series(stack: Stack) -> None:
    for service in stack.services:
        own = {
            ("service", ("=", service.name)),
            ("container", ("=", service.name)),
        }
        for definition in [d for d in _alerts(stack) if d.service == service.name]:
            selecting = 0
            for query in queries(definition, "promql"):
                found = selectors(query)
                for matchers in found:
                    assert own & set(matchers.items()), (definition.name, query)
                    assert matchers.get("namespace", ("=", service.namespace)) == (
                        "=",
                        service.namespace,
                    ), query
                selecting += bool(found)
            assert selecting, definition.name


def test_logs_and_traces_are_the_services_own(stack: Stack) -> None:
    for service in stack.services:
        for definition in [d for d in _alerts(stack) if d.service == service.name]:
            for logql in queries(definition, "logql"):
                assert stream_selector(logql) == {"service": ("=", service.name)}, logql
            for traceql in queries(definition, "traceql"):
                assert f'resource.service.name = "{service.name}"' in traceql


def test_thresholds_in_the_prose_are_the_services_own(stack: Stack) -> None:
    assert _of(stack, "llm", ERROR_RATE_CRITICAL).summary.startswith(
        "LLM answers more than 20% of requests with 5xx"
    )
    assert _of(stack, "llm", ERROR_RATE_HIGH).summary.startswith(
        "LLM answers more than 7.5% of requests with 5xx"
    )
    assert "(only while it serves more than 0.25 req/s)" in (
        _of(stack, "llm", ERROR_RATE_HIGH).description
    )
    p99 = _of(stack, "llm", LATENCY_P99_HIGH)
    assert p99.summary == "LLM p99 latency is above 30s."
    assert '{ resource.service.name = "llm" && duration > 30s }' in queries(p99, "traceql")
    assert _of(stack, "llm", LATENCY_P95_HIGH).summary == "LLM p95 latency is above 10s."
    assert _of(stack, "shop", CARDINALITY_HIGH).summary == "Shop exposes more than 1234 series."


def test_the_commands_name_the_services_namespace_deployment_and_pods(stack: Stack) -> None:
    down = _of(stack, "llm", SERVICE_DOWN)
    assert down.resolution[0].startswith("`kubectl -n ai get pods -l app=llm-server,tier=backend`")
    assert "`kubectl -n ai rollout undo deployment/llm`" in down.resolution[1]
    critical = _of(stack, "shop", ERROR_RATE_CRITICAL)
    assert "`kubectl -n apps rollout undo deployment/shop`" in critical.resolution[0]
    assert (
        "`kubectl -n ai scale deployment/llm" in _of(stack, "llm", LATENCY_P99_HIGH).resolution[0]
    )


def test_down_shows_the_targets_and_readiness_that_are_present(stack: Stack) -> None:
    """The alert also fires when nothing is scraped: its queries list what exists, not absent()."""
    down = _of(stack, "shop", SERVICE_DOWN)
    promql = queries(down, "promql")
    # The service's own scrape: its blackbox probe carries `service` too, with job "health".
    assert promql[0] == 'up{service="shop",job="shop"}'
    assert promql[1] == (
        'sum by (pod) (kube_pod_container_status_ready{namespace="apps",container="shop"})'
    )
    assert not any("absent" in query for query in promql)


def test_cardinality_counts_the_services_own_scrape_not_its_probe(stack: Stack) -> None:
    promql = queries(_of(stack, "shop", CARDINALITY_HIGH), "promql")
    assert promql == [
        'topk(10, count by (__name__) ({service="shop",job="shop"}))',
        'sum by (instance) (scrape_series_added{service="shop",job="shop"})',
    ]


def test_pod_queries_select_the_services_own_container_not_its_namespace() -> None:
    stack = small_stack()
    triage = [
        q.query
        for d in _alerts(stack)
        for q in d.triage
        if "kube_pod" in q.query or "container_cpu" in q.query
    ]
    assert triage
    for query in triage:
        found = re.findall(r"\{([^}]*)\}", query)
        assert found
        assert all(s == 'namespace="apps",container="shop"' for s in found), query


def test_the_page_and_the_ticket_for_errors_say_how_they_differ() -> None:
    definitions = {d.name: d for d in SERVICES(small_stack())}
    critical, high = definitions[ERROR_RATE_CRITICAL], definitions[ERROR_RATE_HIGH]
    assert critical.summary == (
        "Shop answers more than 5% of requests with 5xx (over 5m, for 2m): down for its users."
    )
    assert high.summary == (
        "Shop answers more than 1% of requests with 5xx (over 5m, for 5m): degraded, not yet down."
    )
    assert (critical.related, high.related) == (
        (SERVICE_DOWN, ERROR_RATE_HIGH),
        (SERVICE_DOWN, ERROR_RATE_CRITICAL),
    )
