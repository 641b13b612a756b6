"""The single pane of glass: a status grid of every catalog service first (probe, traffic, 5xx
share, p95; each tile opens the service's dashboard), then SLO budgets and dependencies, the
alerts that are firing, and RED of all services on shared axes.
"""

from grafana_foundation_sdk.builders.dashboard import DashboardLink
from grafana_foundation_sdk.models.dashboard import DashboardLinkType

from o11y.conventions import (
    METRIC_HTTP_DURATION,
    METRIC_HTTP_REQUESTS,
    METRIC_PROBE_SUCCESS,
    SERVICE_LABEL,
    SEVERITY_LABEL,
    WATCHDOG_ALERT,
    dependency_selector,
    service_selector,
)
from o11y.dashboards import slo
from o11y.dashboards.infrastructure import partner_failed_share
from o11y.dashboards.panels import (
    GREEN_ABOVE_ONE,
    PERCENT_DECIMALS,
    PanelBuilder,
    ceiling,
    dashboard_link,
    per_series,
    prometheus,
    stat,
    table,
    timeseries,
)
from o11y.dashboards.service import service_dashboard_uid
from o11y.dashboards.spec import DashboardSpec, Row
from o11y.model.catalog import Kafka, PartnerApi, Postgres, Redis, Service
from o11y.model.stack import Stack
from o11y.promql import RATE_WINDOW, buckets, error_ratio, quantile, selector, sum_of, sum_rate

# Every firing alert but the dead man's switch, which fires always by design.
FIRING = selector("ALERTS", 'alertstate="firing"', f'alertname!="{WATCHDOG_ALERT}"')


def _requests(service: Service) -> str:
    return selector(METRIC_HTTP_REQUESTS, service_selector(service.name))


def _p95(service: Service) -> str:
    durations = buckets(METRIC_HTTP_DURATION, service_selector(service.name))
    return quantile(0.95, durations, RATE_WINDOW, ())


def _open(service: Service) -> DashboardLink:
    return dashboard_link(f"{service.display_name} dashboard", service_dashboard_uid(service))


def status_grid(stack: Stack) -> tuple[PanelBuilder, ...]:
    """One tile per service in each stat: up, traffic, 5xx share against its page threshold,
    p95 against its alert threshold. A tile opens that service's dashboard."""
    services = stack.services
    probe = stat(
        "Health probe",
        [
            prometheus(
                f"min({selector(METRIC_PROBE_SUCCESS, service_selector(s.name))})", s.display_name
            )
            for s in services
        ],
        "bool_yes_no",
        steps=GREEN_ABOVE_ONE,
        description="The blackbox probe of each service's health endpoint.",
    )
    traffic = stat(
        "Requests",
        [prometheus(sum_rate(_requests(s), RATE_WINDOW), s.display_name) for s in services],
        "reqps",
    )
    errors = stat(
        "5xx share",
        [prometheus(error_ratio(_requests(s), RATE_WINDOW), s.display_name) for s in services],
        "percentunit",
        steps=ceiling(0.05),
        decimals=PERCENT_DECIMALS,
        description="Each tile turns red at its service's paging threshold (catalog).",
    )
    latency = stat(
        "p95 latency",
        [prometheus(_p95(s), s.display_name) for s in services],
        "s",
        steps=ceiling(0.5),
        description="Each tile turns red at its service's p95 alert threshold (catalog).",
    )
    for service in services:
        opens = [_open(service)]
        probe = per_series(probe, service.display_name, links=opens)
        traffic = per_series(traffic, service.display_name, links=opens)
        errors = per_series(
            errors,
            service.display_name,
            links=opens,
            steps=ceiling(service.error_rate_page_percent / 100),
        )
        latency = per_series(
            latency, service.display_name, links=opens, steps=ceiling(service.latency_p95_seconds)
        )
    height = 3 + 2 * ((len(services) + 7) // 8)
    return tuple(panel.span(24).height(height) for panel in (probe, traffic, errors, latency))


def dependency_up(stack: Stack) -> PanelBuilder:
    """Every exporter-watched dependency: 1 = reachable (database, cache, at least one broker)."""
    targets = []
    for dependency in stack.dependencies:
        matcher = dependency_selector(dependency.name)
        if isinstance(dependency, Postgres):
            targets.append(prometheus(f"min({selector('pg_up', matcher)})", dependency.name))
        elif isinstance(dependency, Redis):
            targets.append(prometheus(f"min({selector('redis_up', matcher)})", dependency.name))
        elif isinstance(dependency, Kafka):
            brokers = selector("kafka_brokers", matcher)
            targets.append(prometheus(f"clamp_max(max({brokers}), 1)", dependency.name))
    return stat(
        "Dependencies up",
        targets,
        "bool_yes_no",
        steps=GREEN_ABOVE_ONE,
        description="Databases, caches and Kafka clusters of the catalog, from their exporters.",
    ).span(12)


def partner_failures(partners: list[PartnerApi]) -> PanelBuilder:
    """The failed share of every partner API's calls, each against its own threshold."""
    panel = stat(
        "Partner API failed calls",
        [prometheus(partner_failed_share(p), p.name) for p in partners],
        "percentunit",
        steps=ceiling(0.1),
        decimals=PERCENT_DECIMALS,
    )
    for partner in partners:
        panel = per_series(panel, partner.name, steps=ceiling(partner.error_rate_percent / 100))
    return panel.span(12)


def alert_panels() -> tuple[PanelBuilder, ...]:
    by_severity = sum_of(FIRING, (SEVERITY_LABEL,))
    return (
        table(
            "Firing alerts",
            [prometheus(sum_of(FIRING, ("alertname", SERVICE_LABEL, SEVERITY_LABEL)))],
            description=f"Every firing alert but the {WATCHDOG_ALERT} heartbeat.",
            sort_by=SEVERITY_LABEL,
        ),
        timeseries(
            "Firing alerts by severity",
            [prometheus(by_severity, f"{{{{{SEVERITY_LABEL}}}}}")],
        ).span(12),
    )


def all_services_panels(stack: Stack) -> tuple[PanelBuilder, ...]:
    """RED of every service on shared axes: one series per service, each through its selector."""
    services = stack.services
    return (
        timeseries(
            "Request rate by service",
            [prometheus(sum_rate(_requests(s), RATE_WINDOW), s.display_name) for s in services],
            "reqps",
        ),
        timeseries(
            "5xx share by service",
            [prometheus(error_ratio(_requests(s), RATE_WINDOW), s.display_name) for s in services],
            "percentunit",
            decimals=PERCENT_DECIMALS,
        ),
        timeseries(
            "p95 latency by service",
            [prometheus(_p95(s), s.display_name) for s in services],
            "s",
        ),
    )


def dashboards(stack: Stack) -> list[DashboardSpec]:
    summary: list[PanelBuilder] = []
    if any(s.slos for s in stack.services):
        summary.append(slo.budget_overview(stack))
    if any(isinstance(d, Postgres | Redis | Kafka) for d in stack.dependencies):
        summary.append(dependency_up(stack))
    partners = [d for d in stack.dependencies if isinstance(d, PartnerApi)]
    if partners:
        summary.append(partner_failures(partners))
    rows = [Row("Status of every service", status_grid(stack))]
    if summary:
        rows.append(Row("SLOs and dependencies", tuple(summary)))
    rows.append(Row("Alerts", alert_panels()))
    rows.append(Row("All services", all_services_panels(stack)))
    return [
        DashboardSpec(
            key="overview",
            title="Overview: all services",
            description="Single pane of glass: status, SLOs, dependencies and alerts of every"
            " catalog service; each tile opens the service's dashboard.",
            rows=tuple(rows),
            links=(
                DashboardLink("Services")
                .type(DashboardLinkType.DASHBOARDS)
                .tags(["services"])
                .as_dropdown(True)
                .keep_time(True),
            ),
        )
    ]
