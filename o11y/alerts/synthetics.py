"""Synthetic flow alerts: a flow that fails twice in a row and a flow below its SLA over its
period (`ALERTS`, every flow, its team's), and a CronJob flow that stopped running
(`RUNNER_ALERTS`, the platform team's).
Runbooks: o11y/alerts/runbooks/synthetics.py.
"""

from dataclasses import dataclass

from o11y.alertdef import AlertSpec, Owner
from o11y.conventions import FLOW_LABEL, flow_selector
from o11y.model.stack import Stack
from o11y.model.synthetics import SyntheticFlow
from o11y.severity import Priority
from o11y.synthetics import recorded, sla_response, sla_step_errors, sla_success, success_expr

GROUP = "synthetic-flows"
FAILING = "SyntheticFlowFailing"
NOT_RUNNING = "SyntheticFlowNotRunning"
SLA_BREACHED = "SyntheticFlowSlaBreached"
# A run may take up to a minute past its schedule before its result lands.
RUN_MARGIN_MINUTES = 2
# A runner is missing once no result arrived for two runs, and stays missing this long.
NOT_RUNNING_MARGIN_MINUTES = 5
# The SLA is over weeks; a breach that lasts half an hour is not noise.
SLA_FOR = "30m"


@dataclass(frozen=True)
class RunnerSubject:
    """A flow run by a CronJob of the stack, which pushes its results to the Pushgateway."""

    stack: Stack
    flow: SyntheticFlow


def failing_minutes(flow: SyntheticFlow) -> int:
    """How long a flow fails before it fires: two runs."""
    return flow.every_minutes + RUN_MARGIN_MINUTES


def not_running_minutes(flow: SyntheticFlow) -> int:
    return flow.every_minutes + NOT_RUNNING_MARGIN_MINUTES


def last_push(flow: SyntheticFlow) -> str:
    return f"push_time_seconds{{{flow_selector(flow.name)}}}"


def _labels(flow: SyntheticFlow) -> dict[str, str]:
    return {FLOW_LABEL: flow.name}


def _sla_breached(flow: SyntheticFlow) -> str:
    sla = flow.sla
    return (
        f"{recorded(sla_success(flow), flow)} < {sla.availability_percent / 100:g}"
        f" or {recorded(sla_step_errors(flow), flow)} > {sla.max_error_percent / 100:g}"
        f" or {recorded(sla_response(flow), flow)} > {sla.max_response_seconds:g}"
    )


def _not_running(s: RunnerSubject) -> str:
    pushed = last_push(s.flow)
    stale = 2 * s.flow.every_minutes * 60
    return (
        f"time() - max by ({FLOW_LABEL}) ({pushed}) > {stale}"
        f" or max by ({FLOW_LABEL}) (absent({pushed}))"
    )


ALERTS: tuple[AlertSpec[SyntheticFlow], ...] = (
    AlertSpec(
        FAILING,
        expr=lambda flow: f"{success_expr(flow)} == 0",
        for_=lambda flow: f"{failing_minutes(flow)}m",
        priority=lambda flow: Priority(flow.priority),
        labels=_labels,
    ),
    AlertSpec(SLA_BREACHED, expr=_sla_breached, for_=SLA_FOR, priority=Priority.P3, labels=_labels),
)
RUNNER_ALERTS: tuple[AlertSpec[RunnerSubject], ...] = (
    AlertSpec(
        NOT_RUNNING,
        expr=_not_running,
        for_=lambda s: f"{not_running_minutes(s.flow)}m",
        priority=Priority.P2,
        labels=lambda s: _labels(s.flow),
    ),
)


def subjects(stack: Stack) -> list[tuple[SyntheticFlow, Owner]]:
    """Every synthetic flow, in catalog order; the team it names owns it."""
    return [(flow, Owner(GROUP, flow.team)) for flow in stack.synthetic_flows]


def runner_subjects(stack: Stack) -> list[tuple[RunnerSubject, Owner]]:
    """Every flow run by a CronJob, in catalog order; the platform team runs them."""
    return [
        (RunnerSubject(stack, flow), Owner(GROUP, stack.alerting.platform_team))
        for flow in stack.synthetic_flows
        if flow.runner == "cronjob"
    ]
