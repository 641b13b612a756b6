"""The SLO engine: SLI recording rules, error-budget figures and multi-window burn-rate alerts.

Spec -> internal model -> generators (the Sloth layering). The catalog (`Service.slos`) and
Sloth `prometheus/v1` specs (o11y/sloth.py) both become `ServiceLevel`s, and every rule comes
from the functions below, so a catalog SLO and a Sloth spec alert the same way.

Record names (what dashboards read), each labelled `slo_service` + `slo_name`:

| record                                    | meaning                                          |
|-------------------------------------------|--------------------------------------------------|
| slo:sli_error:ratio_rate<w>               | share of bad events over window w (5m ... 3d)    |
| slo:sli_error:ratio_rate<period>          | share of bad events over the SLO period          |
| slo:sli_error:rate5m / slo:sli_total:rate5m | bad / all events per second (events SLIs)      |
| slo:objective:ratio                       | objective, 0.999 for 99.9%                       |
| slo:error_budget:ratio                    | 1 - objective                                    |
| slo:time_period:days                      | period length in days                            |
| slo:current_burn_rate:ratio               | 5m error ratio / error budget                    |
| slo:period_burn_rate:ratio                | period error ratio / error budget                |
| slo:period_error_budget_remaining:ratio   | 1 - period burn rate (1 = untouched, <0 = spent) |

Robust to real data: an SLI window with no traffic (0/0) or with no error series yet (a
`code=~"5.."` selector that matches nothing) records 0, not NaN or nothing, so neither the
period average nor the budget figures are poisoned for a whole period by one quiet night.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from o11y.alertdef import AlertDefinition, TriageQuery
from o11y.conventions import (
    HTTP_CODE_LABEL,
    METRIC_HTTP_REQUESTS,
    ROUTE_LABEL,
    SERVER_ERRORS,
    SERVICE_LABEL,
    TEAM_LABEL,
    service_scrape_selector,
    service_selector,
)
from o11y.model.catalog import Service
from o11y.model.slo import SLO, WINDOW, AvailabilitySLO, Period
from o11y.model.stack import Stack
from o11y.model.types import duration_seconds
from o11y.once import once_per_stack
from o11y.promql import absent, buckets, quantile, selector, sum_rate
from o11y.promrules import Rule, RuleGroup
from o11y.severity import Action, Priority

# Labels that identify one SLO on every rule and alert of the engine. Alertmanager inhibits a
# ticket while a page for the same SLO fires with `equal: [slo_service, slo_name]`.
SLO_SERVICE_LABEL = "slo_service"
SLO_NAME_LABEL = "slo_name"
# What an SLO alert is about: `page` / `ticket` burn rate, `budget` half spent, `absent` source.
SLO_ALERT_LABEL = "slo_alert"

# The `{{.window}}` placeholder of SLI queries, spelled as Sloth spells it.
WINDOW_PLACEHOLDER = WINDOW

RECORD_ERROR_RATIO = "slo:sli_error:ratio_rate{window}"
RECORD_ERROR_RATE = "slo:sli_error:rate5m"
RECORD_TOTAL_RATE = "slo:sli_total:rate5m"
RECORD_OBJECTIVE = "slo:objective:ratio"
RECORD_ERROR_BUDGET = "slo:error_budget:ratio"
RECORD_PERIOD_DAYS = "slo:time_period:days"
RECORD_CURRENT_BURN = "slo:current_burn_rate:ratio"
RECORD_PERIOD_BURN = "slo:period_burn_rate:ratio"
RECORD_BUDGET_REMAINING = "slo:period_error_budget_remaining:ratio"

# The window every "current" figure and the period average are built from.
BASE_WINDOW = "5m"


@dataclass(frozen=True)
class BurnRateWindows:
    """One multi-window condition: both windows burn faster than `budget_share` of the period's
    budget would allow in `long` (the short window makes the alert reset quickly)."""

    action: Action
    short: str
    long: str
    budget_share: Decimal


# SRE Workbook, "Alerting on SLOs", table 5-8 ("recommended parameters for a 99.9% SLO"): page
# when 2% of a 30d budget burns in 1h (14.4x) or 5% in 6h (6x); ticket when 10% burns in 1d (3x)
# or in 3d (1x). Stated as budget shares so the factor scales with the period (as Sloth does:
# 13.44x for 28d).
BURN_RATE_TABLE: tuple[BurnRateWindows, ...] = (
    BurnRateWindows(Action.PAGE, short="5m", long="1h", budget_share=Decimal("0.02")),
    BurnRateWindows(Action.PAGE, short="30m", long="6h", budget_share=Decimal("0.05")),
    BurnRateWindows(Action.TICKET, short="2h", long="1d", budget_share=Decimal("0.10")),
    BurnRateWindows(Action.TICKET, short="6h", long="3d", budget_share=Decimal("0.10")),
)

# Lowest factor per period. Below 1x the budget outlasts the period, so a ticket there is noise:
# a 7d period would scale the ticket factors to 0.7x and 0.23x and is floored at 1x. 28d keeps
# the scaled 0.93x of its 6h/3d ticket, exactly as Sloth's google-28d window table does.
BURN_FACTOR_FLOOR: dict[Period, Decimal] = {"30d": Decimal(0), "28d": Decimal(0), "7d": Decimal(1)}

# Remaining share of the period's budget at which the "half spent" alert fires (half of the
# budget consumed).
HALF_BUDGET = Decimal("0.5")


@dataclass(frozen=True)
class EventsSLI:
    """Bad and total events, each a PromQL rate with `{{.window}}` where the range goes."""

    error_query: str
    total_query: str


@dataclass(frozen=True)
class RatioSLI:
    """A query that already is the error ratio (Sloth `raw`)."""

    error_ratio_query: str


@dataclass(frozen=True)
class ServiceLevel:
    """One SLO, validated, in the form every generator works on."""

    service: str
    name: str
    objective_percent: Decimal
    period: Period
    sli: EventsSLI | RatioSLI
    description: str = ""
    # Labels on every rule (identity labels are added by `identity`).
    labels: Mapping[str, str] = field(default_factory=dict)
    # Events in an alert's long window below which the burn-rate alert stays silent.
    min_events: int = 0
    # What `absent()` checks; None: the SLI query at the base window.
    source_selector: str | None = None
    # Queries that break the SLI down (by route, status code), shown in the runbooks.
    breakdown: tuple[TriageQuery, ...] = ()

    @property
    def identity(self) -> dict[str, str]:
        return {SLO_SERVICE_LABEL: self.service, SLO_NAME_LABEL: self.name}

    @property
    def selector(self) -> str:
        return f'{{{SLO_SERVICE_LABEL}="{self.service}", {SLO_NAME_LABEL}="{self.name}"}}'

    @property
    def rule_labels(self) -> dict[str, str]:
        """A fresh dict each time: shared dicts would come out as YAML anchors."""
        return dict(sorted({**self.labels, **self.identity}.items()))

    @property
    def error_budget(self) -> Decimal:
        """1 - objective as a ratio, exact (0.001 for 99.9, not 0.000999999...)."""
        return (100 - self.objective_percent) / 100


def burn_factor(windows: BurnRateWindows, period: Period) -> Decimal:
    """How many times faster than "exactly on budget" the SLI must burn to trip `windows`."""
    factor = windows.budget_share * duration_seconds(period) / duration_seconds(windows.long)
    return max(factor, BURN_FACTOR_FLOOR[period])


def alert_windows() -> tuple[str, ...]:
    """Every window an alert reads, shortest first."""
    windows = {w for row in BURN_RATE_TABLE for w in (row.short, row.long)} | {BASE_WINDOW}
    return tuple(sorted(windows, key=duration_seconds))


def number(value: Decimal) -> str:
    """A PromQL number literal, short and exact enough: 14.4, 6, 0.001, 0.933333333333333."""
    return f"{float(value):.15g}"


def error_ratio_record(window: str) -> str:
    return RECORD_ERROR_RATIO.format(window=window)


def sli_query(template: str, window: str) -> str:
    return template.replace(WINDOW_PLACEHOLDER, window).strip()


def error_ratio_expr(sli: EventsSLI | RatioSLI, window: str) -> str:
    """The error ratio over `window`; 0 where there is no traffic or no error series at all.

    0/0 is NaN and `NaN >= 0` is false, so a quiet window drops out of the left-hand side and
    `or on() vector(0)` stands in; the rule's labels then identify the SLO as usual.
    """
    if isinstance(sli, EventsSLI):
        error = sli_query(sli.error_query, window)
        total = sli_query(sli.total_query, window)
        ratio = f"  ({error})\n  /\n  ({total})"
    else:
        ratio = f"  ({sli_query(sli.error_ratio_query, window)})"
    return f"(\n{ratio}\n) >= 0\nor on() vector(0)\n"


def sli_recording_group(level: ServiceLevel) -> RuleGroup:
    """Error ratios for every alert window and the period, plus event rates for events SLIs."""
    rules: list[Rule] = [
        Rule(record=error_ratio_record(w), expr=error_ratio_expr(level.sli, w))
        for w in alert_windows()
    ]
    if isinstance(level.sli, EventsSLI):
        rules += [
            Rule(
                record=RECORD_ERROR_RATE,
                expr=f"({sli_query(level.sli.error_query, BASE_WINDOW)})\nor on() vector(0)\n",
            ),
            Rule(
                record=RECORD_TOTAL_RATE,
                expr=f"({sli_query(level.sli.total_query, BASE_WINDOW)})\nor on() vector(0)\n",
            ),
        ]
    rules.append(Rule(record=error_ratio_record(level.period), expr=period_ratio_expr(level)))
    for rule in rules:
        rule["labels"] = level.rule_labels
    return RuleGroup(name=group_name("slo-sli-recordings", level), rules=rules)


def period_ratio_expr(level: ServiceLevel) -> str:
    """The period's error ratio from recorded 5m figures (recording a 30d rate directly would
    read a month of raw samples every minute). Events SLIs weigh each 5m by its traffic, so one
    failed request at 3 a.m. counts as one request, not as a 5m window at 100% errors."""
    period = level.period
    if isinstance(level.sli, EventsSLI):
        bad = f"sum(sum_over_time({RECORD_ERROR_RATE}{level.selector}[{period}]))"
        total = f"sum(sum_over_time({RECORD_TOTAL_RATE}{level.selector}[{period}]))"
    else:
        ratio = f"{error_ratio_record(BASE_WINDOW)}{level.selector}"
        bad = f"sum(sum_over_time({ratio}[{period}]))"
        total = f"sum(count_over_time({ratio}[{period}]))"
    return f"{bad}\n/\n({total} > 0)\nor on() vector(0)\n"


def metadata_recording_group(level: ServiceLevel) -> RuleGroup:
    """Objective, error budget, burn rates and remaining budget, one series each."""
    budget = number(level.error_budget)
    period_ratio = f"{error_ratio_record(level.period)}{level.selector}"
    rules = [
        Rule(record=RECORD_OBJECTIVE, expr=f"vector({number(1 - level.error_budget)})"),
        Rule(record=RECORD_ERROR_BUDGET, expr=f"vector({budget})"),
        Rule(record=RECORD_PERIOD_DAYS, expr=f"vector({duration_seconds(level.period) // 86400})"),
        Rule(
            record=RECORD_CURRENT_BURN,
            expr=f"{error_ratio_record(BASE_WINDOW)}{level.selector} / {budget}",
        ),
        Rule(record=RECORD_PERIOD_BURN, expr=f"{period_ratio} / {budget}"),
        Rule(record=RECORD_BUDGET_REMAINING, expr=f"1 - {RECORD_PERIOD_BURN}{level.selector}"),
    ]
    for rule in rules:
        rule["labels"] = level.rule_labels
    return RuleGroup(name=group_name("slo-meta-recordings", level), rules=rules)


def group_name(prefix: str, level: ServiceLevel) -> str:
    return f"{prefix}-{level.service}-{level.name}"


def slo_group_name(level: ServiceLevel) -> str:
    """The group holding every recording and alert of one SLO."""
    return group_name("slo", level)


def burn_rate_expr(level: ServiceLevel, action: Action) -> str:
    """Workbook multi-window, multi-burn-rate condition for `action` (page or ticket)."""
    conditions = []
    for row in (r for r in BURN_RATE_TABLE if r.action is action):
        threshold = f"({number(burn_factor(row, level.period))} * {number(level.error_budget)})"
        parts = [
            f"  {error_ratio_record(w)}{level.selector} > {threshold}"
            for w in (row.short, row.long)
        ]
        if level.min_events > 0 and isinstance(level.sli, EventsSLI):
            # Events in the long window: average 5m rate times the window's seconds.
            events = f"avg_over_time({RECORD_TOTAL_RATE}{level.selector}[{row.long}])"
            seconds = duration_seconds(row.long)
            parts.append(f"  on() ({events} * {seconds} >= {level.min_events})")
        conditions.append("(\n" + "\nand\n".join(parts) + "\n)")
    return "\nor\n".join(conditions) + "\n"


def half_budget_expr(level: ServiceLevel) -> str:
    return f"{RECORD_BUDGET_REMAINING}{level.selector} <= {number(HALF_BUDGET)}"


def source_absent_expr(level: ServiceLevel) -> str:
    if level.source_selector is not None:
        return absent(level.source_selector)
    if isinstance(level.sli, EventsSLI):
        return absent(f"\n  {sli_query(level.sli.total_query, BASE_WINDOW)}\n") + "\n"
    return absent(f"\n  {sli_query(level.sli.error_ratio_query, BASE_WINDOW)}\n") + "\n"


# --- the catalog: services' SLOs on the HTTP metric contract (docs/CONTRACT.md) -------------


def le_matcher(threshold: float) -> str:
    """`le` of the bucket at `threshold`. Prometheus 3 normalises classic-histogram `le` values
    to float text (`1` becomes `1.0`) while 2.x keeps what the client wrote, so integral
    thresholds match both spellings."""
    spellings = sorted({f"{threshold:g}", repr(float(threshold))})
    if len(spellings) == 1:
        return f'le="{spellings[0]}"'
    return 'le=~"' + "|".join(s.replace(".", "\\\\.") for s in spellings) + '"'


def catalog_sli(service: Service, slo: SLO) -> tuple[EventsSLI, str]:
    """The SLI of a catalog SLO and the selector whose absence blinds it."""
    matcher = service_selector(service.name)
    w = WINDOW_PLACEHOLDER
    if isinstance(slo, AvailabilitySLO):
        requests = selector(METRIC_HTTP_REQUESTS, matcher)
        total = slo.total_query or sum_rate(requests, w)
        error = slo.error_query or sum_rate(
            selector(METRIC_HTTP_REQUESTS, matcher, SERVER_ERRORS), w
        )
        if slo.total_query is None:
            return EventsSLI(error, total), requests
        return EventsSLI(error, total), total.replace(w, BASE_WINDOW)
    fast = buckets(slo.histogram, matcher, le_matcher(slo.threshold_seconds))
    total = sum_rate(selector(f"{slo.histogram}_count", matcher), w)
    # Slow = all - fast; the bucket at the threshold is checked to exist in catalog.py.
    error = f"{total}\n  -\n  {sum_rate(fast, w)}"
    return EventsSLI(error, total), fast


def catalog_service_level(service: Service, slo: SLO) -> ServiceLevel:
    sli, source = catalog_sli(service, slo)
    return ServiceLevel(
        service=service.name,
        name=slo.name,
        objective_percent=Decimal(str(slo.objective)),
        period=slo.period,
        sli=sli,
        description=slo.description,
        labels={**slo.labels, SERVICE_LABEL: service.name, TEAM_LABEL: service.team},
        min_events=slo.min_events,
        source_selector=source,
        breakdown=catalog_breakdown(service, slo, sli),
    )


def catalog_breakdown(service: Service, slo: SLO, sli: EventsSLI) -> tuple[TriageQuery, ...]:
    matcher = service_selector(service.name)
    if isinstance(slo, AvailabilitySLO) and slo.error_query is None:
        failing = selector(METRIC_HTTP_REQUESTS, matcher, SERVER_ERRORS)
        return (
            TriageQuery(
                "Failing requests by status code and route",
                sum_rate(failing, BASE_WINDOW, (HTTP_CODE_LABEL, ROUTE_LABEL)),
            ),
        )
    if isinstance(slo, AvailabilitySLO):
        return (TriageQuery("Bad events per second", sli_query(sli.error_query, BASE_WINDOW)),)
    fast = buckets(slo.histogram, matcher, le_matcher(slo.threshold_seconds))
    count = selector(f"{slo.histogram}_count", matcher)
    return (
        TriageQuery(
            "p95 latency by route (seconds)",
            quantile(0.95, buckets(slo.histogram, matcher), BASE_WINDOW, (ROUTE_LABEL,)),
        ),
        TriageQuery(
            f"Share of requests slower than {slo.threshold_seconds:g}s by route",
            f"1 - {sum_rate(fast, BASE_WINDOW, (ROUTE_LABEL,))}"
            f" / {sum_rate(count, BASE_WINDOW, (ROUTE_LABEL,))}",
        ),
    )


@once_per_stack
def service_levels(stack: Stack) -> dict[tuple[str, str], ServiceLevel]:
    """Every catalog SLO as the engine reads it, by (service, SLO name): built once per stack,
    and read by its rules, its alerts, its dashboards and its runbooks."""
    return {
        (service.name, slo.name): catalog_service_level(service, slo)
        for service in stack.services
        for slo in service.slos
    }


def catalog_service_levels(stack: Stack) -> list[ServiceLevel]:
    return list(service_levels(stack).values())


def service_level(stack: Stack, service: Service, slo: SLO) -> ServiceLevel:
    """The engine's read model of one catalog SLO."""
    return service_levels(stack)[service.name, slo.name]


@once_per_stack
def _alerts_by_level(stack: Stack) -> dict[tuple[str, str], list[AlertDefinition]]:
    return {key: service_level_alerts(level) for key, level in service_levels(stack).items()}


def slo_rule_group(level: ServiceLevel, alerts: list[Rule]) -> RuleGroup:
    """One SLO's recordings followed by the alerts that read them, in one group (as Pyrra
    lays them out). Prometheus runs the rules of a group in order at one timestamp, while
    separate groups run on independent offsets: an alert group evaluated just before its
    recordings reads the previous evaluation's ratios and pages one interval late."""
    rules = sli_recording_group(level)["rules"] + metadata_recording_group(level)["rules"]
    return RuleGroup(name=slo_group_name(level), rules=rules + alerts)


def slo_rule_groups(stack: Stack, alert_rule: Callable[[AlertDefinition], Rule]) -> list[RuleGroup]:
    """One group per catalog SLO: its recordings, then its alerts made rules by `alert_rule`
    (the final pass of o11y/rules.py)."""
    alerts = _alerts_by_level(stack)
    return [
        slo_rule_group(level, [alert_rule(a) for a in alerts[key]])
        for key, level in service_levels(stack).items()
    ]


def slo_alerts(stack: Stack) -> list[AlertDefinition]:
    """Page, ticket, half-budget and absent-source alerts for every catalog SLO."""
    return [alert for alerts in _alerts_by_level(stack).values() for alert in alerts]


def alert_name(level: ServiceLevel, suffix: str) -> str:
    words = f"{level.service}-{level.name}".split("-")
    return "SLO" + "".join(w[:1].upper() + w[1:] for w in words) + suffix


# Why an SLO burns, in the order a responder checks (runbook "causes").
BURN_CAUSES = (
    "A deploy or config change that made requests fail or slow down",
    "A dependency (database, cache, partner API) failing or slow",
    "Saturation: CPU throttling, memory pressure, a full connection pool",
)
ABSENT_CAUSES = (
    "The service is not scraped (ServiceMonitor selector, port name, network policy)",
    "The service renamed or stopped exporting the metric",
    "For latency SLOs: no histogram bucket at the threshold",
)


@dataclass(frozen=True)
class AlertText:
    """What differs between the four alerts of one SLO."""

    suffix: str
    kind: str  # value of the `slo_alert` label
    priority: Priority
    for_: str
    summary: str
    description: str
    symptom: str
    impact: str
    resolution: tuple[str, ...]
    causes: tuple[str, ...] = BURN_CAUSES
    # Runbook queries of this alert alone; empty: the SLO's shared ones (`triage_queries`).
    triage: tuple[TriageQuery, ...] = ()


def service_level_alerts(level: ServiceLevel) -> list[AlertDefinition]:
    """The four alerts of one catalog SLO (label `slo_alert`: page, ticket, budget, absent)."""
    labels = {k: v for k, v in level.rule_labels.items() if k not in (SERVICE_LABEL, TEAM_LABEL)}
    return [
        AlertDefinition(
            name=alert_name(level, text.suffix),
            group=slo_group_name(level),
            expr=expr,
            for_=text.for_,
            priority=text.priority,
            team=level.labels.get(TEAM_LABEL, ""),
            service=level.service,
            summary=text.summary,
            description=text.description,
            labels={**labels, SLO_ALERT_LABEL: text.kind},
            symptom=text.symptom,
            impact=text.impact,
            triage=text.triage or triage_queries(level),
            causes=text.causes,
            resolution=text.resolution,
            related=(
                f"Dashboard: SLO overview, {level.service} / {level.name}",
                "SRE Workbook, Alerting on SLOs: https://sre.google/workbook/alerting-on-slos/",
            ),
        )
        for text, expr in (
            (page_text(level), burn_rate_expr(level, Action.PAGE)),
            (ticket_text(level), burn_rate_expr(level, Action.TICKET)),
            (half_budget_text(level), half_budget_expr(level)),
            (absent_text(level), source_absent_expr(level)),
        )
    ]


def slo_title(level: ServiceLevel) -> str:
    objective = number(level.objective_percent)
    return f"{level.service} {level.name} SLO ({objective}% over {level.period})"


def page_text(level: ServiceLevel) -> AlertText:
    rows = [r for r in BURN_RATE_TABLE if r.action is Action.PAGE]
    return AlertText(
        suffix="ErrorBudgetFastBurn",
        kind=Action.PAGE.value,
        priority=Priority.P1,  # budget gone within days: wake someone (P1: degraded)
        for_="0s",  # the short window already debounces (Workbook); Sloth uses none either
        summary=f"{slo_title(level)}: error budget burning fast",
        description=f"The error ratio of {level.service} {level.name} is above "
        + " or ".join(windows_text(r, level) for r in rows)
        + "; at this rate the whole period's budget is gone within days.",
        symptom="Users see failures (or slow responses) far above what the SLO allows.",
        impact=f"{number(rows[0].budget_share * 100)}% or more of the period's error budget"
        " burns per hour; the SLO is broken within days if nothing changes.",
        resolution=(
            "Roll back the last deploy or config change of the service if it lines up",
            "Fail over or shed load from the failing dependency",
            "Scale out if saturated; the alert clears once the short window recovers",
        ),
    )


def ticket_text(level: ServiceLevel) -> AlertText:
    rows = [r for r in BURN_RATE_TABLE if r.action is Action.TICKET]
    return AlertText(
        suffix="ErrorBudgetSlowBurn",
        kind=Action.TICKET.value,
        priority=Priority.P2,
        for_="0s",
        summary=f"{slo_title(level)}: error budget burning steadily",
        description=f"The error ratio of {level.service} {level.name} is above "
        + " or ".join(windows_text(r, level) for r in rows)
        + "; the budget runs out before the period ends at this rate.",
        symptom="A steady, low rate of failures (or slow responses) above the SLO.",
        impact="The error budget will not last the period; no immediate outage.",
        resolution=(
            "Find the failing requests (routes, status codes) and fix or roll back",
            "Plan the fix within a working day; hold risky releases while the budget is low",
        ),
    )


def half_budget_text(level: ServiceLevel) -> AlertText:
    return AlertText(
        suffix="ErrorBudgetHalfSpent",
        kind="budget",
        priority=Priority.P2,
        for_="15m",
        summary=f"{slo_title(level)}: half of the error budget is spent",
        description=f"{level.service} {level.name} has used half or more of its error budget"
        f" over the last {level.period}.",
        symptom="No acute symptom: past failures used up half of the period's budget.",
        impact="Less room for incidents and risky releases for the rest of the period.",
        resolution=(
            "Review the incidents of the period and prioritise reliability work",
            "Slow down risky releases until the budget recovers",
        ),
    )


def absent_text(level: ServiceLevel) -> AlertText:
    return AlertText(
        suffix="SLISourceAbsent",
        kind="absent",
        priority=Priority.P2,
        for_="15m",
        summary=f"{slo_title(level)}: SLI source metric is absent",
        description=f"No series for the SLI of {level.service} {level.name}; the SLO and its"
        " burn-rate alerts are blind.",
        symptom="SLO dashboards show no errors and a full budget while the service may fail.",
        impact="Burn-rate alerts cannot fire; an outage would go unnoticed by the SLO.",
        resolution=(
            "Check that the scrape target (ServiceMonitor, pod labels, /metrics) is up",
            "Check that metric and label names still follow the HTTP metric contract",
        ),
        causes=ABSENT_CAUSES,
        triage=absent_triage(level),
    )


def absent_triage(level: ServiceLevel) -> tuple[TriageQuery, ...]:
    """Queries that tell a missing source from a quiet one.

    The SLO's error-ratio and budget queries return nothing at all while the source is absent,
    which reads like "no errors"; these count what is there, so absence shows as a 0 that says
    what it means.
    """
    source = level.source_selector or (
        sli_query(level.sli.total_query, BASE_WINDOW)
        if isinstance(level.sli, EventsSLI)
        else sli_query(level.sli.error_ratio_query, BASE_WINDOW)
    )
    return (
        TriageQuery(
            "Series of the SLI source (0: absent, what this alert fires on)",
            f"count({source}) or vector(0)",
        ),
        TriageQuery(
            "Scrape targets of the service that are up (0: every target is down or none exists)",
            f"sum(up{{{service_scrape_selector(level.service)}}}) or vector(0)",
        ),
        TriageQuery(
            "Metric names the service exposes now (a renamed metric shows here, not above)",
            f'count by (__name__) ({{{service_selector(level.service)},__name__=~".+"}})',
        ),
    )


def windows_text(row: BurnRateWindows, level: ServiceLevel) -> str:
    return (
        f"{number(burn_factor(row, level.period))}x the budget over both {row.short} and {row.long}"
    )


def triage_queries(level: ServiceLevel) -> tuple[TriageQuery, ...]:
    ids = level.selector
    queries = [
        TriageQuery(
            "Error ratio per alert window",
            f'{{__name__=~"slo:sli_error:ratio_rate.*", {ids[1:-1]}}}',
        ),
        TriageQuery("Current burn rate (1 = exactly on budget)", f"{RECORD_CURRENT_BURN}{ids}"),
        TriageQuery("Error budget left over the period", f"{RECORD_BUDGET_REMAINING}{ids}"),
    ]
    if level.breakdown:
        return (*queries, *level.breakdown)
    if isinstance(level.sli, EventsSLI):
        queries.append(TriageQuery("Bad events per second", sli_query(level.sli.error_query, "5m")))
    return tuple(queries)
