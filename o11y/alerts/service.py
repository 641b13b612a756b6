"""Alerts every catalog service gets from its catalog entry: down, probe, errors, latency,
traffic drop and metric cardinality (`ALERTS`, one set per service), and its per-endpoint
performance budgets (`ENDPOINT_ALERTS`, one per endpoint and budgeted quantile).

Thresholds are the service's own (5xx > 5% over 5m is P0, p99 > 2s is P1;
error rate > 1% and p95 > 500ms for 5 minutes, request rate drop > 50% for 2 minutes).
Runbooks: o11y/alerts/runbooks/service.py.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from o11y.alertdef import AlertSpec, Owner
from o11y.conventions import (
    METRIC_HTTP_DURATION,
    METRIC_HTTP_REQUESTS,
    METRIC_PROBE_SUCCESS,
    ROUTE_LABEL,
    SERVER_ERRORS,
    SERVICE_LABEL,
    route_selector,
    service_scrape_selector,
    service_selector,
)
from o11y.model.catalog import EndpointBudget, Service
from o11y.model.stack import Stack
from o11y.promql import by, percent_of, quantile, selector, sum_rate
from o11y.severity import Priority

SERVICE_DOWN = "ServiceDown"
PROBE_FAILING = "ServiceProbeFailing"
ERROR_RATE_CRITICAL = "ServiceErrorRateCritical"
ERROR_RATE_HIGH = "ServiceErrorRateHigh"
LATENCY_P99_HIGH = "ServiceLatencyP99High"
LATENCY_P95_HIGH = "ServiceLatencyP95High"
REQUEST_RATE_DROP = "ServiceRequestRateDrop"
ENDPOINT_BUDGET = "EndpointLatencyBudgetExceeded"
CARDINALITY_HIGH = "ServiceCardinalityHigh"

# The symptoms a down service causes; ServiceDown inhibits them (o11y/rules.py INHIBITIONS).
SYMPTOMS = (
    PROBE_FAILING,
    ERROR_RATE_CRITICAL,
    ERROR_RATE_HIGH,
    LATENCY_P99_HIGH,
    LATENCY_P95_HIGH,
    REQUEST_RATE_DROP,
    ENDPOINT_BUDGET,
)

# Rate windows. 5m: "over 5m". A traffic drop compares the last 5 minutes with the
# hour before them: a real drop halves traffic within minutes, daily seasonality does not.
WINDOW = "5m"
DROP_BASELINE = "1h"
DROP_BASELINE_OFFSET = "5m"
DROP_FACTOR = 0.5
# Endpoint budgets are judged over a longer span than the service-wide latency alerts: they
# file tickets about a route, so a 10-minute blip should not.
BUDGET_FOR = "10m"
GROUP = "service-{name}"
SCRAPE_SAMPLES = "scrape_samples_post_metric_relabeling"

_BY_SERVICE = (SERVICE_LABEL,)
_BY_ROUTE = (SERVICE_LABEL, ROUTE_LABEL)


def percentile(q: float) -> str:
    """0.99 -> `p99`."""
    return f"p{q * 100:g}"


@dataclass(frozen=True)
class ServiceSubject:
    """A catalog service of a stack: what the per-service alerts watch."""

    stack: Stack
    service: Service


@dataclass(frozen=True)
class BudgetSubject:
    """One quantile of an endpoint's performance budget."""

    stack: Stack
    service: Service
    endpoint: EndpointBudget
    q: float
    seconds: float

    @property
    def quantile(self) -> str:
        """The alert's `quantile` label: p50, p95, p99."""
        return percentile(self.q)


@dataclass(frozen=True)
class ErrorRateLevel:
    """A 5xx share (percent, from the catalog) held for `for_`."""

    percent: Callable[[Service], float]
    for_: str


@dataclass(frozen=True)
class LatencyLevel:
    """A quantile of the service's request duration and its budget (seconds, from the catalog)."""

    q: float
    seconds: Callable[[Service], float]

    @property
    def label(self) -> str:
        return percentile(self.q)


# The page and the ticket on errors, the page and the ticket on latency.
ERROR_PAGE = ErrorRateLevel(lambda s: s.error_rate_page_percent, "2m")
ERROR_TICKET = ErrorRateLevel(lambda s: s.error_rate_ticket_percent, "5m")
LATENCY_PAGE = LatencyLevel(0.99, lambda s: s.latency_p99_seconds)
LATENCY_TICKET = LatencyLevel(0.95, lambda s: s.latency_p95_seconds)

# The quantiles of an endpoint's performance budget and where the catalog sets each.
BUDGET_QUANTILES: tuple[tuple[float, Callable[[EndpointBudget], float]], ...] = (
    (0.5, lambda e: e.p50_seconds),
    (0.95, lambda e: e.p95_seconds),
    (0.99, lambda e: e.p99_seconds),
)


def requests(service: Service, *matchers: str) -> str:
    return selector(METRIC_HTTP_REQUESTS, service_selector(service.name), *matchers)


def errors(service: Service) -> str:
    return requests(service, SERVER_ERRORS)


def duration_buckets(service: Service, *matchers: str) -> str:
    return selector(f"{METRIC_HTTP_DURATION}_bucket", service_selector(service.name), *matchers)


def duration_count(service: Service, *matchers: str) -> str:
    return selector(f"{METRIC_HTTP_DURATION}_count", service_selector(service.name), *matchers)


def scrape_up(service: Service) -> str:
    return selector("up", service_scrape_selector(service.name))


def probe_success(service: Service) -> str:
    return selector(METRIC_PROBE_SUCCESS, service_selector(service.name))


def error_percent(service: Service, labels: tuple[str, ...]) -> str:
    """The share of 5xx answers over `WINDOW`, by `labels`."""
    return percent_of(
        sum_rate(errors(service), WINDOW, labels), sum_rate(requests(service), WINDOW, labels)
    )


def request_rate(service: Service) -> str:
    return sum_rate(requests(service), WINDOW, _BY_SERVICE)


def request_rate_before(service: Service) -> str:
    """The request rate of the hour before the last `WINDOW`: a traffic drop's baseline."""
    return (
        f"sum {by(_BY_SERVICE)}(rate({requests(service)}[{DROP_BASELINE}] "
        f"offset {DROP_BASELINE_OFFSET}))"
    )


def scrape_samples(service: Service) -> str:
    return selector(SCRAPE_SAMPLES, service_selector(service.name))


def _traffic_guard(stack: Stack, count_series: str, labels: tuple[str, ...]) -> str:
    return f"{sum_rate(count_series, WINDOW, labels)} > {stack.alerting.low_traffic_rps:g}"


def _down(s: ServiceSubject) -> str:
    # absent() returns the matchers' labels (service and job); keep only `service` so both
    # branches name the same alert.
    up = scrape_up(s.service)
    return f"sum {by(_BY_SERVICE)}({up}) == 0 or sum {by(_BY_SERVICE)}(absent({up}))"


def _error_rate(s: ServiceSubject, level: ErrorRateLevel) -> str:
    return (
        f"{error_percent(s.service, _BY_SERVICE)} > {level.percent(s.service):g} "
        f"and {_traffic_guard(s.stack, requests(s.service), _BY_SERVICE)}"
    )


def _latency(s: ServiceSubject, level: LatencyLevel) -> str:
    return (
        f"{quantile(level.q, duration_buckets(s.service), WINDOW, _BY_SERVICE)} "
        f"> {level.seconds(s.service):g} "
        f"and {_traffic_guard(s.stack, duration_count(s.service), _BY_SERVICE)}"
    )


def _request_rate_drop(s: ServiceSubject) -> str:
    before = request_rate_before(s.service)
    return (
        f"{request_rate(s.service)} < {DROP_FACTOR:g} * {before} "
        f"and {before} > {s.stack.alerting.low_traffic_rps:g}"
    )


def _endpoint_budget(b: BudgetSubject) -> str:
    # The duration histogram carries `route` but not `method` (docs/CONTRACT.md): a route's
    # budget is judged on all its methods; `method` is kept as a label for the reader.
    route = route_selector(b.endpoint.route)
    return (
        f"{quantile(b.q, duration_buckets(b.service, route), WINDOW, _BY_ROUTE)} > {b.seconds:g} "
        f"and {_traffic_guard(b.stack, duration_count(b.service, route), _BY_ROUTE)}"
    )


def _budget_labels(b: BudgetSubject) -> dict[str, str]:
    return {ROUTE_LABEL: b.endpoint.route, "method": b.endpoint.method, "quantile": b.quantile}


ALERTS: tuple[AlertSpec[ServiceSubject], ...] = (
    AlertSpec(SERVICE_DOWN, expr=_down, for_="2m", priority=Priority.P0),
    AlertSpec(
        PROBE_FAILING,
        expr=lambda s: f"max {by(_BY_SERVICE)}({probe_success(s.service)}) == 0",
        for_="2m",
        priority=Priority.P1,
    ),
    AlertSpec(
        ERROR_RATE_CRITICAL,
        expr=partial(_error_rate, level=ERROR_PAGE),
        for_=ERROR_PAGE.for_,
        priority=Priority.P0,
    ),
    AlertSpec(
        ERROR_RATE_HIGH,
        expr=partial(_error_rate, level=ERROR_TICKET),
        for_=ERROR_TICKET.for_,
        priority=Priority.P2,
    ),
    AlertSpec(
        LATENCY_P99_HIGH,
        expr=partial(_latency, level=LATENCY_PAGE),
        for_="5m",
        priority=Priority.P1,
    ),
    AlertSpec(
        LATENCY_P95_HIGH,
        expr=partial(_latency, level=LATENCY_TICKET),
        for_="5m",
        priority=Priority.P2,
    ),
    AlertSpec(REQUEST_RATE_DROP, expr=_request_rate_drop, for_="2m", priority=Priority.P1),
    AlertSpec(
        CARDINALITY_HIGH,
        expr=lambda s: (
            f"sum {by(_BY_SERVICE)}({scrape_samples(s.service)}) "
            f"> {s.stack.alerting.max_series_per_service}"
        ),
        for_="30m",
        priority=Priority.P3,
    ),
)

ENDPOINT_ALERTS: tuple[AlertSpec[BudgetSubject], ...] = (
    AlertSpec(
        ENDPOINT_BUDGET,
        expr=_endpoint_budget,
        for_=BUDGET_FOR,
        priority=Priority.P2,
        labels=_budget_labels,
    ),
)


def _owner(service: Service) -> Owner:
    return Owner(GROUP.format(name=service.name), service.team, service.name)


def subjects(stack: Stack) -> list[tuple[ServiceSubject, Owner]]:
    """Every catalog service, in catalog order; its team owns its alerts."""
    return [(ServiceSubject(stack, service), _owner(service)) for service in stack.services]


def budget_subjects(stack: Stack) -> list[tuple[BudgetSubject, Owner]]:
    """Every budgeted quantile of every endpoint, in catalog order, in its service's group."""
    return [
        (BudgetSubject(stack, service, endpoint, q, seconds(endpoint)), _owner(service))
        for service in stack.services
        for endpoint in service.endpoints
        for q, seconds in BUDGET_QUANTILES
    ]
