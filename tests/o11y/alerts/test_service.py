"""Per-service and per-endpoint alerts: derived from each catalog entry, and proven by promtool."""

from functools import partial
from pathlib import Path

import pytest

from o11y.alertdef import AlertDefinition
from o11y.alerts.areas import ENDPOINT_BUDGETS, SERVICES
from o11y.alerts.service import (
    CARDINALITY_HIGH,
    ENDPOINT_BUDGET,
    ERROR_PAGE,
    ERROR_RATE_CRITICAL,
    ERROR_RATE_HIGH,
    ERROR_TICKET,
    LATENCY_P95_HIGH,
    LATENCY_P99_HIGH,
    LATENCY_PAGE,
    LATENCY_TICKET,
    PROBE_FAILING,
    REQUEST_RATE_DROP,
    SCRAPE_SAMPLES,
    SERVICE_DOWN,
    BudgetSubject,
    ErrorRateLevel,
    LatencyLevel,
    ServiceSubject,
)
from o11y.conventions import (
    HEALTH_JOB,
    HTTP_CODE_LABEL,
    METRIC_HTTP_DURATION,
    METRIC_HTTP_REQUESTS,
    METRIC_PROBE_SUCCESS,
    ROUTE_LABEL,
    SERVICE_LABEL,
)
from o11y.model.catalog import EndpointBudget, Service
from o11y.model.stack import Stack
from o11y.severity import Priority
from tests.o11y.alerts.scenario import (
    Case,
    Proof,
    Proofs,
    Series,
    area_proofs,
    counting,
    fast_bucket,
    histogram,
    prove,
    series,
    slow_bucket,
    steady,
)
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
# Test input: a service answering this many requests a minute (10 req/s).
PER_MINUTE = 600


def _labels(service: Service) -> dict[str, str]:
    return {SERVICE_LABEL: service.name}


def _target(service: Service) -> dict[str, str]:
    return {SERVICE_LABEL: service.name, "job": service.name, "instance": "10.0.0.1:8080"}


def _down(s: ServiceSubject) -> Proof:
    service = s.service
    up = _target(service)
    # The blackbox exporter answering the health Probe is up and carries `service` too.
    probe = {SERVICE_LABEL: service.name, "job": HEALTH_JOB, "instance": "blackbox:9115"}
    return Proof(
        fires=(
            Case(
                "every target is down while its health probe is scraped",
                (series("up", up, steady(0, 10)), series("up", probe, steady(1, 10))),
                "5m",
                _labels(service),
            ),
            Case("no target exists", (), "5m", _labels(service)),
        ),
        silent=(Case("a target is up", (series("up", up, steady(1, 10)),), "5m"),),
    )


def _probe(s: ServiceSubject) -> Proof:
    service = s.service
    target = {
        SERVICE_LABEL: service.name,
        "job": "probe/blackbox",
        "instance": f"http://{service.name}.{service.namespace}.svc:{service.port}{service.health_path}",
    }
    return Proof(
        fires=(
            Case(
                "every probe fails",
                (series(METRIC_PROBE_SUCCESS, target, steady(0, 10)),),
                "5m",
                _labels(service),
            ),
        ),
        silent=(
            Case(
                "the probe succeeds", (series(METRIC_PROBE_SUCCESS, target, steady(1, 10)),), "5m"
            ),
        ),
    )


def _traffic(service: Service, error_percent: float, per_minute: float) -> tuple[Series, ...]:
    errors = per_minute * error_percent / 100
    ok = {SERVICE_LABEL: service.name, ROUTE_LABEL: "/", "method": "GET", HTTP_CODE_LABEL: "200"}
    failed = {**ok, HTTP_CODE_LABEL: "500"}
    return (
        series(METRIC_HTTP_REQUESTS, ok, counting(per_minute - errors, 30)),
        series(METRIC_HTTP_REQUESTS, failed, counting(errors, 30)),
    )


def _error_rate(s: ServiceSubject, level: ErrorRateLevel) -> Proof:
    service = s.service
    threshold = level.percent(service)
    fires_percent = min(100.0, max(threshold * 2, threshold + 1))
    quiet_percent = threshold / 2
    return Proof(
        fires=(
            Case(
                f"{fires_percent:g}% of requests fail",
                _traffic(service, fires_percent, PER_MINUTE),
                "20m",
                _labels(service),
            ),
        ),
        silent=(
            Case(
                f"{quiet_percent:g}% of requests fail",
                _traffic(service, quiet_percent, PER_MINUTE),
                "20m",
            ),
            Case(
                "every request fails but traffic is below the floor",
                _traffic(service, 100, s.stack.alerting.low_traffic_rps * 60 / 2),
                "20m",
            ),
        ),
    )


def _latency(s: ServiceSubject, level: LatencyLevel) -> Proof:
    service = s.service
    threshold = level.seconds(service)
    buckets = service.latency_buckets
    route = {SERVICE_LABEL: service.name, ROUTE_LABEL: "/"}
    slow = slow_bucket(buckets, threshold)
    return Proof(
        fires=(
            Case(
                "every request is slower than the budget",
                histogram(METRIC_HTTP_DURATION, route, buckets, slow, PER_MINUTE, 30),
                "20m",
                _labels(service),
            ),
        ),
        silent=(
            Case(
                "every request is within the budget",
                histogram(
                    METRIC_HTTP_DURATION,
                    route,
                    buckets,
                    fast_bucket(buckets, threshold),
                    PER_MINUTE,
                    30,
                ),
                "20m",
            ),
            Case(
                "slow requests but traffic is below the floor",
                histogram(
                    METRIC_HTTP_DURATION,
                    route,
                    buckets,
                    slow,
                    s.stack.alerting.low_traffic_rps * 60 / 2,
                    30,
                ),
                "20m",
            ),
        ),
    )


def _request_rate_drop(s: ServiceSubject) -> Proof:
    service = s.service
    labels = {
        SERVICE_LABEL: service.name,
        ROUTE_LABEL: "/",
        "method": "GET",
        HTTP_CODE_LABEL: "200",
    }
    dropped = (
        f"{counting(PER_MINUTE, 70)} "
        f"{counting(PER_MINUTE / 5, 14, 70 * PER_MINUTE + PER_MINUTE / 5)}"
    )
    return Proof(
        fires=(
            Case(
                "traffic falls to a fifth",
                (series(METRIC_HTTP_REQUESTS, labels, dropped),),
                "80m",
                _labels(service),
            ),
        ),
        silent=(
            Case(
                "traffic is steady",
                (series(METRIC_HTTP_REQUESTS, labels, counting(PER_MINUTE, 85)),),
                "80m",
            ),
            Case(
                "traffic was below the floor before it dropped",
                (series(METRIC_HTTP_REQUESTS, labels, f"{counting(1, 70)} {counting(0, 14, 70)}"),),
                "80m",
            ),
        ),
    )


def _cardinality(s: ServiceSubject) -> Proof:
    limit = s.stack.alerting.max_series_per_service
    target = _target(s.service)
    return Proof(
        fires=(
            Case(
                "the service exposes too many series",
                (series(SCRAPE_SAMPLES, target, steady(limit + 1, 40)),),
                "35m",
                _labels(s.service),
            ),
        ),
        silent=(
            Case(
                "the service is within the limit",
                (series(SCRAPE_SAMPLES, target, steady(limit, 40)),),
                "35m",
            ),
        ),
    )


def _endpoint_budget(b: BudgetSubject) -> Proof:
    buckets = b.service.latency_buckets
    route = {SERVICE_LABEL: b.service.name, ROUTE_LABEL: b.endpoint.route}
    slow = slow_bucket(buckets, b.seconds)
    return Proof(
        fires=(
            Case(
                f"the route's {b.quantile} is over budget",
                histogram(METRIC_HTTP_DURATION, route, buckets, slow, PER_MINUTE, 30),
                "25m",
                route,
            ),
        ),
        silent=(
            Case(
                f"the route's {b.quantile} is within budget",
                histogram(
                    METRIC_HTTP_DURATION,
                    route,
                    buckets,
                    fast_bucket(buckets, b.seconds),
                    PER_MINUTE,
                    30,
                ),
                "25m",
            ),
            Case(
                "another route is slow",
                histogram(
                    METRIC_HTTP_DURATION,
                    {**route, ROUTE_LABEL: "/other"},
                    buckets,
                    slow,
                    PER_MINUTE,
                    30,
                ),
                "25m",
            ),
        ),
    )


PROOFS: Proofs[ServiceSubject] = {
    SERVICE_DOWN: _down,
    PROBE_FAILING: _probe,
    ERROR_RATE_CRITICAL: partial(_error_rate, level=ERROR_PAGE),
    ERROR_RATE_HIGH: partial(_error_rate, level=ERROR_TICKET),
    LATENCY_P99_HIGH: partial(_latency, level=LATENCY_PAGE),
    LATENCY_P95_HIGH: partial(_latency, level=LATENCY_TICKET),
    REQUEST_RATE_DROP: _request_rate_drop,
    CARDINALITY_HIGH: _cardinality,
}
ENDPOINT_PROOFS: Proofs[BudgetSubject] = {ENDPOINT_BUDGET: _endpoint_budget}


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


def _alerts(stack: Stack) -> list[AlertDefinition]:
    return [*SERVICES(stack), *ENDPOINT_BUDGETS(stack)]


def _for(stack: Stack, service: str, name: str) -> list[str]:
    return [d.expr for d in _alerts(stack) if d.service == service and d.name == name]


def test_every_catalog_service_gets_every_service_alert(stack: Stack) -> None:
    alerts = _alerts(stack)
    for service in stack.services:
        mine = [d for d in alerts if d.service == service.name]
        assert {d.name for d in mine} - {ENDPOINT_BUDGET} == EVERY_SERVICE
        assert len([d for d in mine if d.name == ENDPOINT_BUDGET]) == 3 * len(service.endpoints)
        assert {d.team for d in mine} == {service.team}
        assert {d.group for d in mine} == {f"service-{service.name}"}


def test_error_rate_thresholds_and_priorities_follow_the_catalog(stack: Stack) -> None:
    (critical,) = _for(stack, "shop", ERROR_RATE_CRITICAL)
    assert critical == (
        'sum by (service) (rate(http_requests_total{service="shop",code=~"5.."}[5m]))'
        ' / sum by (service) (rate(http_requests_total{service="shop"}[5m])) * 100 > 5'
        ' and sum by (service) (rate(http_requests_total{service="shop"}[5m])) > 0.1'
    )
    (high,) = _for(stack, "shop", ERROR_RATE_HIGH)
    assert " * 100 > 1 and " in high
    definitions = {d.name: d for d in _alerts(stack) if d.service == "shop"}
    assert definitions[SERVICE_DOWN].priority == Priority.P0
    assert definitions[ERROR_RATE_CRITICAL].priority == Priority.P0
    assert definitions[LATENCY_P99_HIGH].priority == Priority.P1
    assert definitions[ERROR_RATE_HIGH].priority == Priority.P2
    assert (definitions[ERROR_RATE_CRITICAL].for_, definitions[ERROR_RATE_HIGH].for_) == (
        "2m",
        "5m",
    )


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
    budgets = [d for d in ENDPOINT_BUDGETS(stack) if d.service == "shop"]
    checkout = [d for d in budgets if d.labels["route"] == "/api/checkout"]
    assert [d.labels["quantile"] for d in checkout] == ["p50", "p95", "p99"]
    assert [d.expr.split(" and ")[0].rsplit(" > ", 1)[1] for d in checkout] == ["0.25", "1", "2.5"]
    assert 'route="/api/checkout"' in checkout[0].expr
    assert {(d.group, d.priority, d.for_) for d in checkout} == {
        ("service-shop", Priority.P2, "10m")
    }


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
    proven = [
        (definition, proof)
        for definition, proof in [
            *area_proofs(SERVICES, PROOFS, stack),
            *area_proofs(ENDPOINT_BUDGETS, ENDPOINT_PROOFS, stack),
        ]
        if definition.service == "payments"
    ]
    assert {d.name for d, _ in proven} == EVERY_SERVICE | {ENDPOINT_BUDGET}
    prove(promtool, stack, proven, tmp_path)


def test_service_alerts_fire_and_stay_silent_in_promtool(
    stack: Stack, promtool: str, tmp_path: Path
) -> None:
    proven = [
        *area_proofs(SERVICES, PROOFS, stack),
        *area_proofs(ENDPOINT_BUDGETS, ENDPOINT_PROOFS, stack),
    ]
    prove(promtool, stack, proven, tmp_path)
