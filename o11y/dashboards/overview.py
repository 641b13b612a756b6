"""The single pane of glass (D1, seed 002): every catalog service's health and RED on one page,
firing alerts, and a link from each service to its own dashboard.
"""

from o11y.conventions import (
    METRIC_HTTP_DURATION,
    METRIC_HTTP_REQUESTS,
    METRIC_PROBE_SUCCESS,
    SEVERITY_LABEL,
    service_selector,
)
from o11y.dashboards.layout import DashboardSpec, Row
from o11y.dashboards.panels import (
    GREEN_ABOVE_ONE,
    JsonObject,
    ceiling,
    dashboard_link,
    error_ratio,
    prometheus,
    quantile,
    stat,
    sum_rate,
    timeseries,
)
from o11y.dashboards.service import service_dashboard_uid
from o11y.model.catalog import Service
from o11y.model.stack import Stack


def service_health_row(service: Service) -> tuple[JsonObject, ...]:
    """Probe, request rate, 5xx share and p95 of one service; each stat opens its dashboard."""
    selector = service_selector(service.name)
    links = [dashboard_link(f"{service.display_name} dashboard", service_dashboard_uid(service))]
    name = service.display_name
    return (
        stat(
            f"{name}: up",
            [prometheus(f"min({METRIC_PROBE_SUCCESS}{{{selector}}})", "probe")],
            "bool_yes_no",
            steps=GREEN_ABOVE_ONE,
            width=6,
            height=3,
            links=links,
        ),
        stat(
            f"{name}: requests",
            [prometheus(sum_rate(METRIC_HTTP_REQUESTS, selector), "rps")],
            "reqps",
            width=6,
            height=3,
            links=links,
        ),
        stat(
            f"{name}: 5xx share",
            [prometheus(error_ratio(selector), "5xx")],
            "percentunit",
            steps=ceiling(service.error_rate_page_percent / 100),
            width=6,
            height=3,
            links=links,
        ),
        stat(
            f"{name}: p95",
            [prometheus(quantile(0.95, METRIC_HTTP_DURATION, selector), "p95")],
            "s",
            steps=ceiling(service.latency_p95_seconds),
            width=6,
            height=3,
            links=links,
        ),
    )


def all_services_panels(stack: Stack) -> tuple[JsonObject, ...]:
    """RED of every service on shared axes: one series per service, each through its selector."""
    services = stack.services
    return (
        timeseries(
            "Request rate by service",
            [
                prometheus(sum_rate(METRIC_HTTP_REQUESTS, service_selector(s.name)), s.display_name)
                for s in services
            ],
            "reqps",
        ),
        timeseries(
            "5xx share by service",
            [prometheus(error_ratio(service_selector(s.name)), s.display_name) for s in services],
            "percentunit",
        ),
        timeseries(
            "p95 latency by service",
            [
                prometheus(
                    quantile(0.95, METRIC_HTTP_DURATION, service_selector(s.name)), s.display_name
                )
                for s in services
            ],
            "s",
        ),
    )


def alerts_panel() -> JsonObject:
    return timeseries(
        "Firing alerts by severity",
        [
            prometheus(
                f'sum by ({SEVERITY_LABEL}) (ALERTS{{alertstate="firing"}})',
                f"{{{{{SEVERITY_LABEL}}}}}",
            )
        ],
        "short",
        width=24,
        height=6,
    )


def dashboards(stack: Stack) -> list[DashboardSpec]:
    return [
        DashboardSpec(
            key="overview",
            title="Overview: all services",
            description="Single pane of glass: health and RED of every catalog service (D1).",
            rows=(
                Row("All services", all_services_panels(stack)),
                Row("Alerts", (alerts_panel(),)),
                *(Row(s.display_name, service_health_row(s)) for s in stack.services),
            ),
        )
    ]
