"""The SLO dashboard: error budget remaining and burn rates per SLO, read from the SLO engine's
recording rules (o11y/slo.py), and performance-budget compliance per endpoint. Each service's
dashboard reuses the SLO panels.
"""

from o11y.conventions import METRIC_HTTP_DURATION, route_selector, service_selector
from o11y.dashboards.panels import (
    PERCENT_DECIMALS,
    BarGauge,
    PanelBuilder,
    Steps,
    bargauge,
    prometheus,
    stat,
    text,
    timeseries,
)
from o11y.dashboards.spec import DashboardSpec, Row
from o11y.model.catalog import EndpointBudget, Service
from o11y.model.slo import SLO
from o11y.model.stack import Stack
from o11y.promql import RATE_WINDOW, buckets, quantile
from o11y.severity import Action
from o11y.slo import (
    BURN_RATE_TABLE,
    HALF_BUDGET,
    RECORD_BUDGET_REMAINING,
    ServiceLevel,
    burn_factor,
    error_ratio_record,
    number,
    service_level,
)

# Red when the budget is spent, orange once half is gone (the engine's "half spent" alert).
BUDGET_STEPS: Steps = ((None, "red"), (0, "orange"), (float(HALF_BUDGET), "green"))
# Compliance = actual quantile / budget: red from 100% of the budget on, orange from 80%.
COMPLIANCE_STEPS: Steps = ((None, "green"), (0.8, "orange"), (1, "red"))
PERFORMANCE_QUANTILES = (0.5, 0.95, 0.99)


def page_windows(level: ServiceLevel) -> list[tuple[str, float]]:
    """The long windows of the paging burn-rate alerts and their factors for this SLO's period
    (14.4 over 1h and 6 over 6h for 30d: SRE Workbook table 5-8, via the engine's table)."""
    return [
        (row.long, float(burn_factor(row, level.period)))
        for row in BURN_RATE_TABLE
        if row.action == Action.PAGE
    ]


def budget_remaining(level: ServiceLevel) -> str:
    """Share of the period's error budget not yet spent (1 = untouched, below 0 = overspent)."""
    return f"{RECORD_BUDGET_REMAINING}{level.selector}"


def burn_rate(level: ServiceLevel, window: str) -> str:
    """How fast the budget burns over `window`: 1 spends exactly the budget in the period."""
    return f"{error_ratio_record(window)}{level.selector} / {number(level.error_budget)}"


def sli(level: ServiceLevel) -> str:
    """The SLI (share of good events) over the whole period."""
    return f"1 - {error_ratio_record(level.period)}{level.selector}"


def sli_decimals(objective: float) -> int:
    """Decimals that tell the SLI from its objective and a hair below it (99.9 -> 2: 99.89% vs
    99.91%; 99.95 -> 3)."""
    written = f"{objective:g}"
    return max(PERCENT_DECIMALS, len(written.partition(".")[2]) + 1)


def slo_panels(stack: Stack, service: Service, slo: SLO) -> tuple[PanelBuilder, ...]:
    """Budget remaining, SLI over the period, and burn rates of one SLO, read from the SLO
    engine's recording rules (o11y/slo.py)."""
    level = service_level(stack, service, slo)
    name = f"{service.display_name} {slo.name}"
    windows = page_windows(level)
    lowest_page = min(factor for _, factor in windows)
    highest_page = max(factor for _, factor in windows)
    return (
        stat(
            f"{name}: budget remaining",
            [prometheus(budget_remaining(level), "remaining")],
            "percentunit",
            steps=BUDGET_STEPS,
            decimals=PERCENT_DECIMALS,
            description=f"Objective {slo.objective:g}% over {slo.period}. {slo.description}".strip(),
        )
        .span(4)
        .height(6),
        stat(
            f"{name}: SLI over {slo.period}",
            [prometheus(sli(level), "SLI")],
            "percentunit",
            steps=((None, "red"), (slo.objective / 100, "green")),
            decimals=sli_decimals(slo.objective),
        )
        .span(4)
        .height(6),
        timeseries(
            f"{name}: burn rate",
            [prometheus(burn_rate(level, window), window) for window, _ in windows],
            "suffix:x",
            steps=((None, "green"), (lowest_page, "orange"), (highest_page, "red")),
            description="1 = the budget lasts exactly the period; the lines are the page factors"
            f" ({', '.join(f'{f:g}x over {w}' for w, f in windows)}).",
        )
        .span(16)
        .height(6),
    )


def budget_overview(stack: Stack) -> BarGauge:
    """Budget remaining of every SLO in one bar chart."""
    targets = [
        prometheus(
            budget_remaining(service_level(stack, service, slo)), f"{service.name} {slo.name}"
        )
        for service in stack.services
        for slo in service.slos
    ]
    return (
        bargauge(
            "Error budget remaining, every SLO",
            targets,
            "percentunit",
            steps=BUDGET_STEPS,
            maximum=1,
            decimals=PERCENT_DECIMALS,
        )
        .span(24)
        .height(max(6, 2 + len(targets)))
    )


def endpoint_compliance(service: Service, endpoint: EndpointBudget) -> PanelBuilder:
    """Actual p50/p95/p99 of one route as a share of its budget (100% = at the budget)."""
    durations = buckets(
        METRIC_HTTP_DURATION, service_selector(service.name), route_selector(endpoint.route)
    )
    budgets = zip(
        PERFORMANCE_QUANTILES,
        (endpoint.p50_seconds, endpoint.p95_seconds, endpoint.p99_seconds),
        strict=True,
    )
    targets = [
        prometheus(
            f"{quantile(q, durations, RATE_WINDOW, ())} / {budget:g}",
            f"p{q * 100:g} (budget {budget:g}s)",
        )
        for q, budget in budgets
    ]
    return bargauge(
        f"{endpoint.method} {endpoint.route}",
        targets,
        "percentunit",
        steps=COMPLIANCE_STEPS,
        maximum=1.5,
    )


def dashboards(stack: Stack) -> list[DashboardSpec]:
    slo_rows = tuple(
        Row(
            f"{service.display_name} SLOs",
            tuple(panel for slo in service.slos for panel in slo_panels(stack, service, slo)),
        )
        for service in stack.services
        if service.slos
    )
    budget_rows = tuple(
        Row(
            f"{service.display_name} performance budgets",
            tuple(endpoint_compliance(service, e) for e in service.endpoints),
        )
        for service in stack.services
        if service.endpoints
    )
    notes = text(
        "How to read",
        "Error budget: the share of the SLO period's allowed bad events not yet spent. "
        "Burn rate 1 spends the budget in exactly the period; the dashed lines are the "
        "burn rates that page. Performance budgets: each bar is the route's latency quantile divided "
        "by its budget from the catalog; 100% is the budget.",
    ).height(3)
    return [
        DashboardSpec(
            key="slo",
            title="SLOs and performance budgets",
            description="Error budgets, burn rates and per-endpoint latency budgets.",
            rows=(
                Row("Summary", (notes, budget_overview(stack))),
                *slo_rows,
                *budget_rows,
            ),
            time_from="now-7d",
        )
    ]
