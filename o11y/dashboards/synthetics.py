"""The synthetic flows dashboard: each flow's last result, its steps' response times and its
SLA over its period, read from the per-flow records of o11y/synthetics.py."""

from o11y.conventions import FLOW_LABEL, STEP_LABEL, flow_selector
from o11y.dashboards.panels import (
    GREEN_ABOVE_ONE,
    PanelBuilder,
    Steps,
    ceiling,
    prometheus,
    stat,
    timeseries,
)
from o11y.dashboards.spec import DashboardSpec, Row
from o11y.model.stack import Stack
from o11y.model.synthetics import SyntheticFlow
from o11y.synthetics import (
    RESPONSE,
    STEP_ERRORS,
    SUCCESS,
    recorded,
    sla_response,
    sla_step_errors,
    sla_success,
)


def _floor(value: float) -> Steps:
    """Red below `value`, green from it on (availability against its target)."""
    return ((None, "red"), (value, "green"))


def _status_row(flows: list[SyntheticFlow]) -> Row:
    panels = tuple(
        stat(
            flow.title,
            [prometheus(recorded(SUCCESS, flow), "last run")],
            "bool_yes_no",
            steps=GREEN_ABOVE_ONE,
            description=f"Every {flow.every_minutes}m; 1 while the last run passed.",
        )
        for flow in flows
    )
    return Row("Last run", panels)


def _step_panels(flow: SyntheticFlow) -> tuple[PanelBuilder, ...]:
    selector = flow_selector(flow.name)
    if flow.runner == "blackbox":
        durations = prometheus(
            f"sum by (phase) (probe_http_duration_seconds{{{selector}}})", "{{phase}}"
        )
    else:
        durations = prometheus(
            f"synthetic_step_duration_seconds{{{selector}}}", f"{{{{{STEP_LABEL}}}}}"
        )
    return (
        timeseries(
            f"{flow.title}: response time",
            [durations, prometheus(recorded(RESPONSE, flow), "slowest step")],
            "s",
            steps=ceiling(flow.sla.max_response_seconds),
        ),
        timeseries(
            f"{flow.title}: failed steps",
            [prometheus(recorded(STEP_ERRORS, flow), f"{{{{{FLOW_LABEL}}}}}")],
            "percentunit",
            maximum=1,
        ),
    )


def _sla_panels(flow: SyntheticFlow) -> tuple[PanelBuilder, ...]:
    sla = flow.sla
    return (
        stat(
            f"{flow.title}: availability ({sla.period})",
            [prometheus(recorded(sla_success(flow), flow))],
            "percentunit",
            steps=_floor(sla.availability_percent / 100),
            description=f"Target {sla.availability_percent:g}% of the time passing.",
        ),
        stat(
            f"{flow.title}: failed steps ({sla.period})",
            [prometheus(recorded(sla_step_errors(flow), flow))],
            "percentunit",
            steps=ceiling(sla.max_error_percent / 100),
            description=f"Target under {sla.max_error_percent:g}%.",
        ),
        stat(
            f"{flow.title}: p95 response ({sla.period})",
            [prometheus(recorded(sla_response(flow), flow))],
            "s",
            steps=ceiling(sla.max_response_seconds),
            description=f"Target under {sla.max_response_seconds:g}s.",
        ),
    )


def dashboards(stack: Stack) -> list[DashboardSpec]:
    flows = list(stack.synthetic_flows)
    if not flows:
        return []
    rows = [
        _status_row(flows),
        Row("SLA", tuple(p for flow in flows for p in _sla_panels(flow))),
        *(Row(flow.title, _step_panels(flow), collapsed=True) for flow in flows),
    ]
    return [
        DashboardSpec(
            key="synthetics",
            title="Synthetic flows",
            description=(
                "Scheduled user journeys: last result, SLA over the period, and each step's "
                "response time and failures."
            ),
            rows=tuple(rows),
            labels=("synthetics",),
            time_from="now-24h",
        )
    ]
