"""Business dashboards: one per domain (billing, membership, events,
messaging) built from the catalog's `business_rules`: the attempt -> success funnel over the
time range and over time, the failure share against its alert threshold, failure reasons, and the p95 latency of the domain's routes
against their performance budgets.

A rule belongs to the domain whose metric prefix its counters carry; a new rule (or domain
counter pair) in the catalog shows up here with no change to this module.
"""

from dataclasses import dataclass

from o11y.conventions import METRIC_HTTP_DURATION, route_selector, service_selector
from o11y.dashboards.panels import (
    PERCENT_DECIMALS,
    PanelBuilder,
    bargauge,
    ceiling,
    piechart,
    prometheus,
    stat,
    timeseries,
)
from o11y.dashboards.promql import RANGE, quantile, selected, share, with_matchers
from o11y.dashboards.spec import DashboardSpec, Row
from o11y.model.alerting import BusinessRule
from o11y.model.catalog import EndpointBudget, Service
from o11y.model.stack import Stack


@dataclass(frozen=True)
class Domain:
    key: str
    title: str
    metric_prefix: str  # counters of this domain start with it (billing_checkout_attempts_total)
    route_prefix: str  # its HTTP routes start with it (/api/billing/checkout)


# The business domains. Counter names follow `<domain>_<action>_{attempts,failures}_total`
# (docs/CONTRACT.md); failure counters carry a bounded `reason` label.
DOMAINS: tuple[Domain, ...] = (
    Domain("billing", "Billing", "billing_", "/api/billing"),
    Domain("membership", "Membership", "membership_", "/api/members"),
    Domain("events", "Events", "events_", "/api/events"),
    Domain("messaging", "Messaging", "messaging_", "/api/messages"),
)
OTHER = Domain("other", "Other", "", "")


def domain_of(rule: BusinessRule) -> Domain:
    return next((d for d in DOMAINS if rule.total_metric.startswith(d.metric_prefix)), OTHER)


def rule_panels(rule: BusinessRule) -> tuple[PanelBuilder, ...]:
    selector = service_selector(rule.service)
    attempts_metric = selected(rule.total_metric, selector)
    failures_metric = selected(rule.failed_metric, selector)
    attempts = f"sum(rate({attempts_metric}[{rule.window}]))"
    failures = f"sum(rate({failures_metric}[{rule.window}]))"
    failed_share = share(failures, attempts)
    limit = rule.max_failure_percent / 100
    attempted_total = f"sum(increase({attempts_metric}[{RANGE}]))"
    failed_total = f"sum(increase({failures_metric}[{RANGE}]))"
    return (
        bargauge(
            f"{rule.title}: funnel over the range",
            [
                prometheus(attempted_total, "attempted", instant=True),
                prometheus(
                    f"{attempted_total} - ({failed_total} or {attempted_total} * 0)",
                    "succeeded",
                    instant=True,
                ),
            ],
            "short",
            steps=((None, "blue"),),
            description=f"{rule.total_metric} and {rule.failed_metric} on {rule.service}.",
        ).span(6),
        stat(
            f"{rule.title}: failure share",
            [prometheus(failed_share, "failed")],
            "percentunit",
            steps=ceiling(limit),
            decimals=PERCENT_DECIMALS,
            description=f"Alerts ({rule.priority}) above {rule.max_failure_percent:g}%"
            f" over {rule.window}.",
        )
        .span(3)
        .height(8),
        timeseries(
            f"{rule.title}: attempts and failures",
            [
                prometheus(attempts, "attempted"),
                prometheus(f"({failures} or {attempts} * 0)", "failed"),
            ],
            "ops",
        ).span(5),
        timeseries(
            f"{rule.title}: failure share over time",
            [prometheus(failed_share, "failed")],
            "percentunit",
            steps=ceiling(limit),
            decimals=PERCENT_DECIMALS,
        ).span(5),
        piechart(
            f"{rule.title}: failure reasons",
            [
                prometheus(
                    f"sum by (reason) (increase({failures_metric}[{RANGE}]))",
                    "{{reason}}",
                    instant=True,
                )
            ],
        ).span(5),
    )


def route_latency(service: Service, endpoint: EndpointBudget) -> PanelBuilder:
    selector = with_matchers(service_selector(service.name), route_selector(endpoint.route))
    return timeseries(
        f"p95 latency {endpoint.method} {endpoint.route}",
        [prometheus(quantile(0.95, METRIC_HTTP_DURATION, selector), "p95")],
        "s",
        steps=ceiling(endpoint.p95_seconds),
        description=f"Budget p95 {endpoint.p95_seconds:g}s (catalog performance budget).",
    )


def domain_dashboard(stack: Stack, domain: Domain, rules: list[BusinessRule]) -> DashboardSpec:
    services = sorted({rule.service for rule in rules})
    latency = tuple(
        route_latency(stack.service(name), endpoint)
        for name in services
        for endpoint in stack.service(name).endpoints
        if domain.route_prefix and endpoint.route.startswith(domain.route_prefix)
    )
    rows = [Row(rule.title, rule_panels(rule)) for rule in rules]
    if latency:
        rows.append(Row("Route latency against budget", latency))
    return DashboardSpec(
        key=f"business-{domain.key}",
        title=f"Business: {domain.title}",
        description=f"{domain.title} KPIs from the catalog's business rules.",
        rows=tuple(rows),
        labels=("business",),
        time_from="now-24h",
    )


def dashboards(stack: Stack) -> list[DashboardSpec]:
    by_domain: dict[Domain, list[BusinessRule]] = {}
    for rule in stack.business_rules:
        by_domain.setdefault(domain_of(rule), []).append(rule)
    order = [*DOMAINS, OTHER]
    return [
        domain_dashboard(stack, domain, by_domain[domain])
        for domain in order
        if domain in by_domain
    ]
