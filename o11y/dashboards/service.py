"""One dashboard per catalog service (D1, D5): health, RED per route, saturation, the service's
own metrics and its SLO budgets. A new catalog entry gets this dashboard with no other change.
"""

from o11y.conventions import (
    METRIC_HTTP_DURATION,
    METRIC_HTTP_REQUESTS,
    METRIC_PROBE_SUCCESS,
    dashboard_uid,
    service_scrape_selector,
    service_selector,
)
from o11y.dashboards import logs
from o11y.dashboards import slo as slo_panels
from o11y.dashboards.layout import DashboardSpec, Row
from o11y.dashboards.panels import (
    GREEN_ABOVE_ONE,
    JsonObject,
    ceiling,
    error_ratio,
    error_ratio_timeseries,
    latency_timeseries,
    prometheus,
    quantile,
    request_rate_timeseries,
    stat,
    sum_rate,
    timeseries,
)
from o11y.model.catalog import Service, ServiceMetric
from o11y.model.stack import Stack


def dashboard_key(service: Service) -> str:
    """The key (and so the uid) of a service's dashboard; links from other dashboards use it."""
    return f"service-{service.name}"


def service_dashboard_uid(service: Service) -> str:
    return dashboard_uid(dashboard_key(service))


def health_panels(service: Service) -> tuple[JsonObject, ...]:
    """Is it up (probe, scrape targets), how busy, how many errors, how slow: one number each."""
    selector = service_selector(service.name)
    page_ratio = service.error_rate_page_percent / 100
    return (
        stat(
            "Health probe",
            [prometheus(f"min({METRIC_PROBE_SUCCESS}{{{selector}}})", "probe")],
            "bool_yes_no",
            steps=GREEN_ABOVE_ONE,
            description=f"Blackbox probe of {service.health_path}: 1 = the last probe passed.",
        ),
        stat(
            "Instances up",
            [prometheus(f"sum(up{{{service_scrape_selector(service.name)}}})", "up")],
            steps=GREEN_ABOVE_ONE,
            description="Scrape targets answering /metrics.",
        ),
        stat("Requests", [prometheus(sum_rate(METRIC_HTTP_REQUESTS, selector), "rps")], "reqps"),
        stat(
            "5xx share",
            [prometheus(error_ratio(selector), "5xx")],
            "percentunit",
            steps=ceiling(page_ratio),
            description=f"Pages above {service.error_rate_page_percent:g}% (catalog).",
        ),
        stat(
            "p95 latency",
            [prometheus(quantile(0.95, METRIC_HTTP_DURATION, selector), "p95")],
            "s",
            steps=ceiling(service.latency_p95_seconds),
        ),
        stat(
            "p99 latency",
            [prometheus(quantile(0.99, METRIC_HTTP_DURATION, selector), "p99")],
            "s",
            steps=ceiling(service.latency_p99_seconds),
        ),
    )


def red_panels(service: Service) -> tuple[JsonObject, ...]:
    selector = service_selector(service.name)
    return (
        request_rate_timeseries(selector),
        error_ratio_timeseries(selector),
        latency_timeseries(selector, budget_seconds=service.latency_p95_seconds),
    )


def saturation_panels(service: Service) -> tuple[JsonObject, ...]:
    """Process CPU and memory from the default collectors of prom-client and prometheus_client,
    scraped with the service's own labels (no pod-name guessing)."""
    selector = service_selector(service.name)
    return (
        timeseries(
            "CPU (cores)",
            [prometheus(sum_rate("process_cpu_seconds_total", selector, ("pod",)), "{{pod}}")],
            "short",
        ),
        timeseries(
            "Resident memory",
            [prometheus(f"sum by (pod) (process_resident_memory_bytes{{{selector}}})", "{{pod}}")],
            "bytes",
        ),
        timeseries(
            "Health probe duration",
            [prometheus(f"max(probe_duration_seconds{{{selector}}})", "probe")],
            "s",
        ),
    )


def metric_panel(service: Service, metric: ServiceMetric) -> JsonObject:
    """A service-specific metric (seed 001), read as its catalog entry says."""
    selector = service_selector(service.name)
    if metric.read_as == "gauge":
        expr, title = f"sum({metric.name}{{{selector}}})", metric.title
    elif metric.read_as == "p95":
        expr, title = quantile(0.95, metric.name, selector), metric.title
    else:
        expr, title = sum_rate(metric.name, selector), f"{metric.title} per second"
    return timeseries(title, [prometheus(expr, metric.name)], metric.unit, width=8)


def dashboard(service: Service) -> DashboardSpec:
    selector_note = service_selector(service.name)
    rows = [
        Row("Health", health_panels(service)),
        Row("Requests, errors, duration by route", red_panels(service)),
        Row("Saturation", saturation_panels(service)),
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
                tuple(p for s in service.slos for p in slo_panels.slo_panels(service, s)),
            )
        )
    return DashboardSpec(
        key=dashboard_key(service),
        title=f"Service: {service.display_name}",
        description=f"{service.display_name} (team {service.team}); series {{{selector_note}}}.",
        rows=tuple(rows),
        labels=(service.name, f"team-{service.team}"),
        links=(logs.logs_link(service.name),),
    )


def dashboards(stack: Stack) -> list[DashboardSpec]:
    return [dashboard(service) for service in stack.services]
