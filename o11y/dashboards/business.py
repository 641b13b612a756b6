"""Business dashboards (D3, seed 003 task 2.1): one per domain (billing, membership, events,
messaging) built from the catalog's `business_rules`: the attempt/failure funnel, the failure
share against its alert threshold, failure reasons, and the p95 latency of the domain's routes
against their performance budgets.

A rule belongs to the domain whose metric prefix its counters carry; a new rule (or domain
counter pair) in the catalog shows up here with no change to this module.
"""

from dataclasses import dataclass

from o11y.conventions import METRIC_HTTP_DURATION, route_selector, service_selector
from o11y.dashboards.layout import DashboardSpec, Row
from o11y.dashboards.panels import (
    JsonObject,
    ceiling,
    piechart,
    prometheus,
    quantile,
    stat,
    timeseries,
    with_matchers,
)
from o11y.model.alerting import BusinessRule
from o11y.model.catalog import EndpointBudget, Service
from o11y.model.stack import Stack


@dataclass(frozen=True)
class Domain:
    key: str
    title: str
    metric_prefix: str  # counters of this domain start with it (billing_checkout_attempts_total)
    route_prefix: str  # its HTTP routes start with it (/api/billing/checkout)


# The domains of seed 003 task 2.1. Counter names follow `<domain>_<action>_{attempts,failures}_total`
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


def selected(metric: str, selector: str) -> str:
    """`metric` (a name or `name{matchers}`) narrowed to `selector`."""
    name, brace, rest = metric.partition("{")
    if not brace:
        return f"{name}{{{selector}}}"
    inner = rest.removesuffix("}").strip()
    return f"{name}{{{with_matchers(selector, inner) if inner else selector}}}"


def rule_panels(rule: BusinessRule) -> tuple[JsonObject, ...]:
    selector = service_selector(rule.service)
    attempts = f"sum(rate({selected(rule.total_metric, selector)}[{rule.window}]))"
    failures = f"sum(rate({selected(rule.failed_metric, selector)}[{rule.window}]))"
    share = f"{failures} / {attempts}"
    limit = rule.max_failure_percent / 100
    return (
        timeseries(
            f"{rule.title}: funnel",
            [
                prometheus(attempts, "attempted"),
                prometheus(f"{attempts} - {failures}", "succeeded"),
                prometheus(failures, "failed"),
            ],
            "ops",
            width=9,
            description=f"{rule.total_metric} and {rule.failed_metric} on {rule.service}.",
        ),
        stat(
            f"{rule.title}: failure share",
            [prometheus(share, "failed")],
            "percentunit",
            steps=ceiling(limit),
            width=3,
            height=8,
            description=f"Alerts ({rule.priority}) above {rule.max_failure_percent:g}% over {rule.window}.",
        ),
        timeseries(
            f"{rule.title}: failure share",
            [prometheus(share, "failed")],
            "percentunit",
            steps=ceiling(limit),
            width=6,
        ),
        piechart(
            f"{rule.title}: failure reasons",
            [
                prometheus(
                    f"sum by (reason) (increase({selected(rule.failed_metric, selector)}[$__range]))",
                    "{{reason}}",
                    instant=True,
                )
            ],
            width=6,
        ),
    )


def route_latency(service: Service, endpoint: EndpointBudget) -> JsonObject:
    selector = with_matchers(service_selector(service.name), route_selector(endpoint.route))
    return timeseries(
        f"p95 latency {endpoint.method} {endpoint.route}",
        [prometheus(quantile(0.95, METRIC_HTTP_DURATION, selector), "p95")],
        "s",
        steps=ceiling(endpoint.p95_seconds),
        width=8,
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
        description=f"{domain.title} KPIs from the catalog's business rules (D3).",
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
