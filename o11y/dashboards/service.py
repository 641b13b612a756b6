"""One dashboard per catalog service: health, RED per route, saturation against the
containers' limits, the service's own metrics, its traces (span metrics with exemplars, service
map, error traces) and logs, and its SLO budgets. A new catalog entry gets this dashboard with
no other change.
"""

from o11y.alerts.infrastructure import CONTAINER_MEMORY_PERCENT
from o11y.conventions import (
    CLIENT_ERRORS,
    LOG_LEVEL_LABEL,
    METRIC_HTTP_DURATION,
    METRIC_HTTP_REQUESTS,
    METRIC_PROBE_SUCCESS,
    METRIC_SPAN_CALLS,
    METRIC_SPAN_DURATION,
    SPAN_STATUS_ERROR,
    dashboard_uid,
    log_stream_selector,
    service_scrape_selector,
    service_selector,
    span_service_selector,
)
from o11y.dashboards import logs
from o11y.dashboards import slo as slo_panels
from o11y.dashboards.panels import (
    GREEN_ABOVE_ONE,
    PERCENT_DECIMALS,
    PanelBuilder,
    ceiling,
    log_lines,
    loki,
    node_graph,
    prometheus,
    service_map,
    stat,
    timeseries,
    trace_search,
)
from o11y.dashboards.spec import DashboardSpec, Row
from o11y.model.catalog import Service, ServiceMetric
from o11y.model.stack import Stack
from o11y.promql import (
    RATE_WINDOW,
    buckets,
    error_ratio,
    legend,
    quantile,
    selector,
    share,
    sum_increase,
    sum_of,
    sum_rate,
)

# Usage against the container limit turns red where the container memory alert fires;
# throttling above 25% of CFS periods slows every request.
LIMIT_USAGE = CONTAINER_MEMORY_PERCENT / 100
THROTTLING = 0.25
ROUTE = ("route",)
POD = ("namespace", "pod")


def dashboard_key(service: Service) -> str:
    """The key (and so the uid) of a service's dashboard; links from other dashboards use it."""
    return f"service-{service.name}"


def service_dashboard_uid(service: Service) -> str:
    return dashboard_uid(dashboard_key(service))


def health_panels(service: Service) -> tuple[PanelBuilder, ...]:
    """Is it up (probe, scrape targets), how busy, how many errors, how slow: one number each."""
    matcher = service_selector(service.name)
    requests = selector(METRIC_HTTP_REQUESTS, matcher)
    durations = buckets(METRIC_HTTP_DURATION, matcher)
    return (
        stat(
            "Health probe",
            [prometheus(f"min({selector(METRIC_PROBE_SUCCESS, matcher)})", "probe")],
            "bool_yes_no",
            steps=GREEN_ABOVE_ONE,
            description=f"Blackbox probe of {service.health_path}: 1 = the last probe passed.",
        ),
        stat(
            "Instances up",
            [prometheus(sum_of(selector("up", service_scrape_selector(service.name))), "up")],
            steps=GREEN_ABOVE_ONE,
            description="Scrape targets answering /metrics.",
        ),
        stat("Requests", [prometheus(sum_rate(requests, RATE_WINDOW), "rps")], "reqps"),
        stat(
            "5xx share",
            [prometheus(error_ratio(requests, RATE_WINDOW), "5xx")],
            "percentunit",
            steps=ceiling(service.error_rate_page_percent / 100),
            decimals=PERCENT_DECIMALS,
            description=f"Pages above {service.error_rate_page_percent:g}% (catalog).",
        ),
        stat(
            "p95 latency",
            [prometheus(quantile(0.95, durations, RATE_WINDOW, ()), "p95")],
            "s",
            steps=ceiling(service.latency_p95_seconds),
        ),
        stat(
            "p99 latency",
            [prometheus(quantile(0.99, durations, RATE_WINDOW, ()), "p99")],
            "s",
            steps=ceiling(service.latency_p99_seconds),
        ),
    )


def request_rate_timeseries(matcher: str) -> PanelBuilder:
    """Requests per second, per route (R of RED)."""
    requests = selector(METRIC_HTTP_REQUESTS, matcher)
    return timeseries(
        "Request rate by route",
        [prometheus(sum_rate(requests, RATE_WINDOW, ROUTE), legend(ROUTE))],
        "reqps",
        description="Requests per second by route (http_requests_total).",
    )


def error_ratio_timeseries(matcher: str) -> PanelBuilder:
    """Share of 5xx and 4xx answers per route (E of RED); 5xx is the SLO's bad event."""
    requests = selector(METRIC_HTTP_REQUESTS, matcher)
    return timeseries(
        "Errors by route (4xx / 5xx share)",
        [
            prometheus(error_ratio(requests, RATE_WINDOW, ROUTE), f"5xx {legend(ROUTE)}"),
            prometheus(
                error_ratio(requests, RATE_WINDOW, ROUTE, CLIENT_ERRORS), f"4xx {legend(ROUTE)}"
            ),
        ],
        "percentunit",
        decimals=PERCENT_DECIMALS,
        description="Share of requests answered with 5xx (server) and 4xx (client), by route;"
        " 0 while a route has traffic and no errors.",
    )


def latency_timeseries(matcher: str, budget_seconds: float) -> PanelBuilder:
    """Latency quantiles per route (D of RED) with exemplars, and the alert threshold."""
    return timeseries(
        "Latency by route p95 / p99",
        [
            prometheus(
                quantile(q, buckets(METRIC_HTTP_DURATION, matcher), RATE_WINDOW, ROUTE),
                f"p{q * 100:g} {legend(ROUTE)}",
                exemplar=True,
            )
            for q in (0.95, 0.99)
        ],
        "s",
        steps=ceiling(budget_seconds),
        description="Quantiles of http_request_duration_seconds by route; the dots are"
        " exemplars: click one to open its trace.",
    )


def red_panels(service: Service) -> tuple[PanelBuilder, ...]:
    matcher = service_selector(service.name)
    return (
        request_rate_timeseries(matcher),
        error_ratio_timeseries(matcher),
        latency_timeseries(matcher, service.latency_p95_seconds),
    )


def _containers(metric: str, service: Service, *matchers: str) -> str:
    """A cAdvisor or kube-state-metrics series of the service's namespace, real containers only."""
    namespace = f'namespace="{service.namespace}"'
    return selector(metric, namespace, 'container!=""', 'container!="POD"', *matchers)


def _per_pod(series: str) -> str:
    return sum_of(series, POD)


def _of_service_pods(expr: str, service: Service) -> str:
    """`expr` (per namespace and pod) kept only for the pods the service's ServiceMonitor scrapes:
    the same pods as its series, with no guessing from pod names."""
    return f"{expr} and on (namespace, pod) {selector('up', service_scrape_selector(service.name))}"


def saturation_panels(service: Service) -> tuple[PanelBuilder, ...]:
    """CPU and memory against the containers' limits, CPU throttling and restarts, per pod."""
    limits = "kube_pod_container_resource_limits"
    cpu = sum_rate(_containers("container_cpu_usage_seconds_total", service), RATE_WINDOW, POD)
    cpu_limit = _per_pod(_containers(limits, service, 'resource="cpu"'))
    memory = _per_pod(_containers("container_memory_working_set_bytes", service))
    memory_limit = _per_pod(_containers(limits, service, 'resource="memory"'))
    throttled = sum_rate(
        _containers("container_cpu_cfs_throttled_periods_total", service), RATE_WINDOW, POD
    )
    periods = sum_rate(_containers("container_cpu_cfs_periods_total", service), RATE_WINDOW, POD)
    restarts = sum_increase(
        _containers("kube_pod_container_status_restarts_total", service), "1h", POD
    )
    return (
        timeseries(
            "CPU against limit",
            [prometheus(_of_service_pods(f"{cpu} / {cpu_limit}", service), "{{pod}}")],
            "percentunit",
            steps=ceiling(LIMIT_USAGE),
            decimals=PERCENT_DECIMALS,
            description="CPU used / CPU limit per pod; pods without a limit have no line.",
        ).span(6),
        timeseries(
            "Memory against limit",
            [prometheus(_of_service_pods(f"{memory} / {memory_limit}", service), "{{pod}}")],
            "percentunit",
            steps=ceiling(LIMIT_USAGE),
            decimals=PERCENT_DECIMALS,
            description="Working set / memory limit per pod: at 100% the container is OOM-killed.",
        ).span(6),
        timeseries(
            "CPU throttling",
            [prometheus(_of_service_pods(share(throttled, periods), service), "{{pod}}")],
            "percentunit",
            steps=ceiling(THROTTLING),
            decimals=PERCENT_DECIMALS,
            description="Share of CFS periods in which the container hit its CPU limit.",
        ).span(6),
        timeseries(
            "Container restarts (1h)",
            [prometheus(_of_service_pods(restarts, service), "{{pod}}")],
            steps=ceiling(1),
        ).span(6),
    )


def metric_panel(service: Service, metric: ServiceMetric) -> PanelBuilder:
    """A service-specific metric, read as its catalog entry says."""
    matcher = service_selector(service.name)
    if metric.read_as == "gauge":
        expr, title = sum_of(selector(metric.name, matcher)), metric.title
    elif metric.read_as == "p95":
        expr = quantile(0.95, buckets(metric.name, matcher), RATE_WINDOW, ())
        title = metric.title
    else:
        expr = sum_rate(selector(metric.name, matcher), RATE_WINDOW)
        title = f"{metric.title} per second"
    return timeseries(title, [prometheus(expr, metric.name)], metric.unit)


def trace_panels(service: Service) -> tuple[PanelBuilder, ...]:
    """RED from the service's spans (span metrics, with exemplars: metrics -> traces), and who
    calls it and whom it calls (service graph)."""
    matcher = span_service_selector(service.name)
    spans = selector(METRIC_SPAN_CALLS, matcher)
    operation = ("span_name",)
    return (
        timeseries(
            "Span rate by operation",
            [prometheus(sum_rate(spans, RATE_WINDOW, operation), legend(operation))],
            "ops",
        ),
        timeseries(
            "Span error share by operation",
            [
                prometheus(
                    error_ratio(spans, RATE_WINDOW, operation, SPAN_STATUS_ERROR),
                    legend(operation),
                )
            ],
            "percentunit",
            decimals=PERCENT_DECIMALS,
        ),
        timeseries(
            "Span latency p95 by operation",
            [
                prometheus(
                    quantile(0.95, buckets(METRIC_SPAN_DURATION, matcher), RATE_WINDOW, operation),
                    legend(operation),
                    exemplar=True,
                )
            ],
            "ms",
            description="From the collector's span metrics; each exemplar dot opens its trace.",
        ),
        node_graph(
            "Service map",
            [service_map(f'server="{service.name}"', f'client="{service.name}"')],
            description="Callers and callees from the traces (servicegraph connector).",
        ),
        trace_search(
            "Recent error traces",
            f'{{resource.service.name="{service.name}" && status=error}}',
            description="Traces of this service with an error span; click a trace id.",
        ),
    )


def log_panels(service: Service) -> tuple[PanelBuilder, ...]:
    stream = log_stream_selector(service.name).removesuffix("}")
    return (
        log_lines(
            "Warnings and errors",
            [loki(f'{stream}, {LOG_LEVEL_LABEL}=~"warn|error"}}')],
            description="The service's warn and error lines; a trace_id opens its trace.",
        ),
    )


def dashboard(stack: Stack, service: Service) -> DashboardSpec:
    selector_note = service_selector(service.name)
    rows = [
        Row("Health", health_panels(service)),
        Row("Requests, errors, duration by route", red_panels(service)),
        Row("Saturation against limits", saturation_panels(service)),
    ]
    if service.metrics:
        rows.append(
            Row(
                f"{service.display_name} metrics",
                tuple(metric_panel(service, m) for m in service.metrics),
            )
        )
    if service.slos:
        rows.append(
            Row(
                "SLOs",
                tuple(p for s in service.slos for p in slo_panels.slo_panels(stack, service, s)),
            )
        )
    rows.append(Row("Traces", trace_panels(service), collapsed=True))
    rows.append(Row("Logs", log_panels(service), collapsed=True))
    return DashboardSpec(
        key=dashboard_key(service),
        title=f"Service: {service.display_name}",
        description=f"{service.display_name} (team {service.team}); series {{{selector_note}}}.",
        rows=tuple(rows),
        labels=(service.name, f"team-{service.team}"),
        links=(logs.logs_link(service.name),),
    )


def dashboards(stack: Stack) -> list[DashboardSpec]:
    return [dashboard(stack, service) for service in stack.services]
