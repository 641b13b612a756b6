"""Per-service alerts: derived from each catalog entry, and proven by promtool."""

import re
from pathlib import Path

import pytest

from o11y.alerts.service import (
    CARDINALITY_HIGH,
    ENDPOINT_BUDGET,
    ERROR_RATE_CRITICAL,
    ERROR_RATE_HIGH,
    LATENCY_P95_HIGH,
    LATENCY_P99_HIGH,
    PROBE_FAILING,
    REQUEST_RATE_DROP,
    SERVICE_DOWN,
    service_alerts,
)
from o11y.model.catalog import EndpointBudget, Service
from o11y.model.stack import Stack
from o11y.severity import Priority
from tests.o11y.promtool_proof import prove
from tests.small_stacks import SERVICE, small_stack

EVERY_SERVICE = {
    SERVICE_DOWN,
    PROBE_FAILING,
    ERROR_RATE_CRITICAL,
    ERROR_RATE_HIGH,
    LATENCY_P99_HIGH,
    LATENCY_P95_HIGH,
    REQUEST_RATE_DROP,
    CARDINALITY_HIGH,
}


@pytest.fixture(scope="module")
def stack() -> Stack:
    """A service with the default thresholds and an endpoint budget, and a slow one."""
    return small_stack(
        overrides={
            "services": [
                {
                    **SERVICE,
                    "endpoints": [
                        {
                            "route": "/api/checkout",
                            "method": "POST",
                            "p50_seconds": 0.25,
                            "p95_seconds": 1,
                            "p99_seconds": 2.5,
                        }
                    ],
                },
                {
                    **SERVICE,
                    "name": "llm",
                    "display_name": "LLM",
                    "latency_p99_seconds": 30,
                    "latency_p95_seconds": 10,
                    "latency_buckets": [0.1, 0.5, 1, 2.5, 5, 10, 30, 60],
                },
            ]
        }
    )


def _for(stack: Stack, service: str, name: str) -> list[str]:
    return [
        a.definition.expr
        for a in service_alerts(stack)
        if a.definition.service == service and a.definition.name == name
    ]


def test_every_catalog_service_gets_every_service_alert(stack: Stack) -> None:
    alerts = service_alerts(stack)
    for service in stack.services:
        mine = [a.definition for a in alerts if a.definition.service == service.name]
        assert {d.name for d in mine} - {ENDPOINT_BUDGET} == EVERY_SERVICE
        assert len([d for d in mine if d.name == ENDPOINT_BUDGET]) == 3 * len(service.endpoints)
        assert {d.team for d in mine} == {service.team}


def test_error_rate_thresholds_and_priorities_follow_the_catalog(stack: Stack) -> None:
    (critical,) = _for(stack, "shop", ERROR_RATE_CRITICAL)
    assert critical == (
        'sum by (service) (rate(http_requests_total{service="shop",code=~"5.."}[5m]))'
        ' / sum by (service) (rate(http_requests_total{service="shop"}[5m])) * 100 > 5'
        ' and sum by (service) (rate(http_requests_total{service="shop"}[5m])) > 0.1'
    )
    (high,) = _for(stack, "shop", ERROR_RATE_HIGH)
    assert " * 100 > 1 and " in high
    priorities = {
        a.definition.name: a.definition.priority
        for a in service_alerts(stack)
        if a.definition.service == "shop"
    }
    assert priorities[SERVICE_DOWN] == Priority.P0
    assert priorities[ERROR_RATE_CRITICAL] == Priority.P0
    assert priorities[LATENCY_P99_HIGH] == Priority.P1
    assert priorities[ERROR_RATE_HIGH] == Priority.P2


def test_latency_budgets_are_the_services_own(stack: Stack) -> None:
    (p99,) = _for(stack, "llm", LATENCY_P99_HIGH)
    assert p99.startswith(
        "histogram_quantile(0.99, sum by (service, le) "
        '(rate(http_request_duration_seconds_bucket{service="llm"}[5m]))) > 30 and '
    )
    (p95,) = _for(stack, "shop", LATENCY_P95_HIGH)
    assert ") > 0.5 and " in p95


def test_down_covers_a_missing_target(stack: Stack) -> None:
    (down,) = _for(stack, "shop", SERVICE_DOWN)
    assert down == (
        'sum by (service) (up{service="shop",job="shop"}) == 0 or '
        'sum by (service) (absent(up{service="shop",job="shop"}))'
    )


def test_endpoint_budgets_select_the_route(stack: Stack) -> None:
    budgets = [
        a.definition
        for a in service_alerts(stack)
        if a.definition.name == ENDPOINT_BUDGET and a.definition.service == "shop"
    ]
    checkout = [d for d in budgets if d.labels["route"] == "/api/checkout"]
    assert [d.labels["quantile"] for d in checkout] == ["p50", "p95", "p99"]
    assert [d.expr.split(" and ")[0].rsplit(" > ", 1)[1] for d in checkout] == ["0.25", "1", "2.5"]
    assert 'route="/api/checkout"' in checkout[0].expr


def test_a_new_service_is_alerted_and_proven_without_code(
    stack: Stack, promtool: str, tmp_path: Path
) -> None:
    newcomer = Service(
        name="payments",
        display_name="Payments",
        team="core",
        namespace="apps",
        port=7010,
        latency_p99_seconds=1,
        endpoints=[EndpointBudget(route="/pay", p50_seconds=0.1, p95_seconds=0.25, p99_seconds=1)],
    )
    stack = stack.model_copy(update={"services": [*stack.services, newcomer]})
    alerts = [a for a in service_alerts(stack) if a.definition.service == "payments"]
    assert {a.definition.name for a in alerts} == EVERY_SERVICE | {ENDPOINT_BUDGET}
    prove(promtool, stack, alerts, tmp_path)


def test_service_alerts_fire_and_stay_silent_in_promtool(
    stack: Stack, promtool: str, tmp_path: Path
) -> None:
    prove(promtool, stack, service_alerts(stack), tmp_path)


def test_pod_queries_select_the_services_own_container_not_its_namespace() -> None:
    stack = small_stack()
    triage = [
        q.query
        for a in service_alerts(stack)
        for q in a.definition.triage
        if "kube_pod" in q.query or "container_cpu" in q.query
    ]
    assert triage
    for query in triage:
        selectors = re.findall(r"\{([^}]*)\}", query)
        assert selectors
        assert all(s == 'namespace="apps",container="shop"' for s in selectors), query


def test_the_page_and_the_ticket_for_errors_say_how_they_differ() -> None:
    definitions = {a.definition.name: a.definition for a in service_alerts(small_stack())}
    critical, high = definitions[ERROR_RATE_CRITICAL], definitions[ERROR_RATE_HIGH]
    assert critical.summary == (
        "Shop answers more than 5% of requests with 5xx (over 5m, for 2m): down for its users."
    )
    assert high.summary == (
        "Shop answers more than 1% of requests with 5xx (over 5m, for 5m): degraded, not yet down."
    )
