"""Business dashboards: one per domain the catalog declares (`business_domains`), from what
the catalog says about it: its KPIs (revenue by plan, messages sent, generations...), its
funnels (the share of customers reaching each step), the failure-rate rules whose counters
carry the domain's prefix (attempts and successes over the range, attempts and failures over
time, the failure share against its alert threshold, failure reasons), and the p95 of the
domain's routes against their performance budgets.

A team adds a domain, a KPI, a funnel or a rule in the catalog, with no change to this module. Rules of
no declared domain are shown on an "Other" dashboard, so none is left out.
"""

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
from o11y.dashboards.spec import DashboardSpec, Row
from o11y.model.alerting import BusinessRule
from o11y.model.catalog import (
    BusinessDomain,
    BusinessFunnel,
    BusinessMetric,
    EndpointBudget,
    Service,
)
from o11y.model.stack import Stack
from o11y.promql import (
    RANGE,
    RATE_WINDOW,
    buckets,
    legend,
    quantile,
    selector,
    share,
    sum_increase,
    sum_of,
    sum_rate,
)

OTHER = BusinessDomain(name="other", title="Other")


def domain_of(stack: Stack, rule: BusinessRule) -> BusinessDomain:
    return next(
        (d for d in stack.business_domains if rule.total_metric.startswith(d.metric_prefix)),
        OTHER,
    )


def kpi_panel(kpi: BusinessMetric) -> PanelBuilder:
    """One KPI, read as the catalog says, split by its `by` label when it has one."""
    matcher = service_selector(kpi.service)
    metric = selector(kpi.name, matcher)
    labels = (kpi.by,) if kpi.by else ()
    series = legend(labels) if labels else kpi.title
    if kpi.read_as == "increase":
        total = sum_increase(metric, RANGE, labels)
        if labels:
            return piechart(
                f"{kpi.title} by {kpi.by}",
                [prometheus(total, series, instant=True)],
                kpi.unit,
                description=f"{kpi.name} over the time range, by {kpi.by}.",
            )
        return stat(
            kpi.title,
            [prometheus(total, series, instant=True)],
            kpi.unit,
            description=f"{kpi.name} over the time range.",
        ).span(8)
    if kpi.read_as == "gauge":
        expr, title = sum_of(metric, labels), kpi.title
    elif kpi.read_as == "p95":
        expr = quantile(0.95, buckets(kpi.name, matcher), RATE_WINDOW, labels)
        title = f"{kpi.title} p95"
    else:
        expr, title = sum_rate(metric, RATE_WINDOW, labels), f"{kpi.title} per second"
    if labels:
        title = f"{title} by {kpi.by}"
    return timeseries(title, [prometheus(expr, series)], kpi.unit)


def rule_panels(rule: BusinessRule) -> tuple[PanelBuilder, ...]:
    matcher = service_selector(rule.service)
    attempts_metric = selector(rule.total_metric, matcher)
    failures_metric = selector(rule.failed_metric, matcher)
    attempts = sum_rate(attempts_metric, rule.window)
    failures = sum_rate(failures_metric, rule.window)
    failed_share = share(failures, attempts)
    limit = rule.max_failure_percent / 100
    attempted_total = sum_increase(attempts_metric, RANGE)
    failed_total = sum_increase(failures_metric, RANGE)
    return (
        bargauge(
            f"{rule.title}: attempted and succeeded over the range",
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
                    sum_increase(failures_metric, RANGE, ("reason",)),
                    "{{reason}}",
                    instant=True,
                )
            ],
        ).span(5),
    )


def route_latency(service: Service, endpoint: EndpointBudget) -> PanelBuilder:
    durations = buckets(
        METRIC_HTTP_DURATION, service_selector(service.name), route_selector(endpoint.route)
    )
    return timeseries(
        f"p95 latency {endpoint.method} {endpoint.route}",
        [prometheus(quantile(0.95, durations, RATE_WINDOW, ()), "p95")],
        "s",
        steps=ceiling(endpoint.p95_seconds),
        description=f"Budget p95 {endpoint.p95_seconds:g}s (catalog performance budget).",
    )


def funnel_panels(funnel: BusinessFunnel) -> tuple[PanelBuilder, ...]:
    """How many of those who entered the funnel over the range reached each step (100% for the
    first), how many entered, and the share that went all the way."""
    matcher = service_selector(funnel.service)
    reached = [sum_increase(selector(stage.metric, matcher), RANGE) for stage in funnel.stages]
    entered = reached[0]
    return (
        bargauge(
            f"{funnel.title}: reached each step",
            [
                prometheus(share(count, entered), stage.title, instant=True)
                for stage, count in zip(funnel.stages, reached, strict=True)
            ],
            "percentunit",
            steps=((None, "blue"),),
            maximum=1,
            description="Share of those who entered that reached each step, over the range: "
            + " -> ".join(f"{s.metric}" for s in funnel.stages),
        )
        .span(12)
        .height(max(6, 2 + 2 * len(funnel.stages))),
        stat(
            f"{funnel.title}: entered",
            [prometheus(entered, funnel.stages[0].title, instant=True)],
            description=f"{funnel.stages[0].metric} over the range.",
        ).span(6),
        stat(
            f"{funnel.title}: conversion",
            [prometheus(share(reached[-1], entered), "conversion", instant=True)],
            "percentunit",
            description=f"{funnel.stages[-1].title} out of {funnel.stages[0].title}.",
        ).span(6),
    )


def domain_dashboard(
    stack: Stack, domain: BusinessDomain, rules: list[BusinessRule]
) -> DashboardSpec:
    latency = tuple(
        route_latency(service, endpoint)
        for service in stack.services
        for endpoint in service.endpoints
        if domain.route_prefix and endpoint.route.startswith(domain.route_prefix)
    )
    rows = []
    if domain.kpis:
        rows.append(Row("KPIs", tuple(kpi_panel(k) for k in domain.kpis)))
    rows += [Row(funnel.title, funnel_panels(funnel)) for funnel in domain.funnels]
    rows += [Row(rule.title, rule_panels(rule)) for rule in rules]
    if latency:
        rows.append(Row("Route latency against budget", latency))
    return DashboardSpec(
        key=f"business-{domain.name}",
        title=f"Business: {domain.title}",
        description=f"{domain.title}: KPIs, failure rates and route latency from the catalog.",
        rows=tuple(rows),
        labels=("business",),
        time_from="now-24h",
    )


def dashboards(stack: Stack) -> list[DashboardSpec]:
    by_domain: dict[str, list[BusinessRule]] = {}
    for rule in stack.business_rules:
        by_domain.setdefault(domain_of(stack, rule).name, []).append(rule)
    boards = [domain_dashboard(stack, d, by_domain.get(d.name, [])) for d in stack.business_domains]
    if OTHER.name in by_domain:
        boards.append(domain_dashboard(stack, OTHER, by_domain[OTHER.name]))
    return boards
