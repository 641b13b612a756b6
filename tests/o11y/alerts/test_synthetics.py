"""Synthetic flow alerts, proven by promtool on their own flows."""

from pathlib import Path

import pytest

from o11y.alertdef import AlertDefinition
from o11y.alerts.areas import SYNTHETIC_FLOWS, SYNTHETIC_RUNNERS
from o11y.alerts.synthetics import (
    FAILING,
    NOT_RUNNING,
    SLA_BREACHED,
    RunnerSubject,
    failing_minutes,
    not_running_minutes,
)
from o11y.conventions import FLOW_LABEL, SYNTHETIC_JOB, TEAM_LABEL
from o11y.model.stack import Stack
from o11y.model.synthetics import SyntheticFlow
from o11y.severity import Priority
from o11y.synthetics import sla_response, sla_step_errors, sla_success
from tests.o11y.alerts.scenario import (
    Case,
    Proof,
    Proofs,
    Series,
    area_proofs,
    counting,
    prove,
    series,
    steady,
)
from tests.o11y.synthetic_fixtures import ITEM_FLOW, SERVICE_CHECK, flow_stack, with_flows

# The result each runner reports.
RESULT = {"blackbox": "probe_success", "cronjob": "synthetic_flow_success"}


def _failing(flow: SyntheticFlow) -> Proof:
    every = flow.every_minutes
    labels = {FLOW_LABEL: flow.name}
    raw = {FLOW_LABEL: flow.name, "job": SYNTHETIC_JOB}
    metric = RESULT[flow.runner]
    horizon = 2 * every + 10
    once = " ".join(["1"] * 3 + ["0"] * every + ["1"] * (every + 10))
    return Proof(
        fires=(
            Case(
                "every run fails",
                (series(metric, raw, steady(0, horizon)),),
                f"{failing_minutes(flow) + 1}m",
                labels,
            ),
        ),
        silent=(
            Case("every run passes", (series(metric, raw, steady(1, horizon)),), f"{horizon}m"),
            Case(
                "one run fails, the next passes",
                (series(metric, raw, once),),
                # The failed run's last minute: a shorter `for` would already fire here.
                f"{every + 2}m",
            ),
        ),
    )


def _not_running(s: RunnerSubject) -> Proof:
    flow = s.flow
    every = flow.every_minutes
    labels = {FLOW_LABEL: flow.name}
    raw = {FLOW_LABEL: flow.name, "job": SYNTHETIC_JOB}
    other = {FLOW_LABEL: f"{flow.name}-other", "job": SYNTHETIC_JOB}
    horizon = 3 * every + 10
    return Proof(
        fires=(
            Case(
                "the last result is older than two runs",
                (series("push_time_seconds", raw, steady(0, horizon)),),
                f"{2 * every + not_running_minutes(flow) + 1}m",
                labels,
            ),
            Case(
                "the flow never reported",
                (series("push_time_seconds", other, counting(60, horizon)),),
                f"{not_running_minutes(flow) + 1}m",
                labels,
            ),
        ),
        silent=(
            Case(
                "a result arrives every minute",
                (series("push_time_seconds", raw, counting(60, horizon)),),
                f"{horizon}m",
            ),
        ),
    )


def _sla_breached(flow: SyntheticFlow) -> Proof:
    sla = flow.sla
    availability = sla.availability_percent / 100
    errors = sla.max_error_percent / 100
    labels = {FLOW_LABEL: flow.name, TEAM_LABEL: flow.team}

    def indicators(success: float, step_errors: float, response: float) -> tuple[Series, ...]:
        return (
            series(sla_success(flow), labels, steady(success, 40)),
            series(sla_step_errors(flow), labels, steady(step_errors, 40)),
            series(sla_response(flow), labels, steady(response, 40)),
        )

    good = (
        min(1.0, availability + (1 - availability) / 2),
        errors / 2,
        sla.max_response_seconds / 2,
    )
    return Proof(
        fires=(
            Case(
                "availability under target",
                indicators(availability - (1 - availability), good[1], good[2]),
                "35m",
                labels,
            ),
            Case(
                "too many failed steps",
                indicators(good[0], errors * 2 + 0.01, good[2]),
                "35m",
                labels,
            ),
            Case(
                "responses too slow",
                indicators(good[0], good[1], sla.max_response_seconds * 2),
                "35m",
                labels,
            ),
        ),
        silent=(Case("every target met", indicators(*good), "35m"),),
    )


PROOFS: Proofs[SyntheticFlow] = {FAILING: _failing, SLA_BREACHED: _sla_breached}
RUNNER_PROOFS: Proofs[RunnerSubject] = {NOT_RUNNING: _not_running}


@pytest.fixture(scope="module")
def stack() -> Stack:
    return with_flows(flow_stack(), SERVICE_CHECK, ITEM_FLOW)


def _alerts(stack: Stack) -> list[AlertDefinition]:
    return [*SYNTHETIC_FLOWS(stack), *SYNTHETIC_RUNNERS(stack)]


def test_each_flow_has_failing_and_sla_alerts_and_runners_a_staleness_alert(stack: Stack) -> None:
    names = [(d.name, d.labels["flow"], d.team) for d in _alerts(stack)]
    assert names == [
        ("SyntheticFlowFailing", "ping-query", "platform"),
        ("SyntheticFlowSlaBreached", "ping-query", "platform"),
        ("SyntheticFlowFailing", "item-flow", "product"),
        ("SyntheticFlowSlaBreached", "item-flow", "product"),
        # A runner that stops is the platform team's, whoever owns the flow.
        ("SyntheticFlowNotRunning", "item-flow", "platform"),
    ]


def test_a_failing_flow_fires_after_two_runs_with_the_flows_priority(stack: Stack) -> None:
    failing = [d for d in _alerts(stack) if d.name == "SyntheticFlowFailing"]
    assert [(d.for_, d.priority, d.team) for d in failing] == [
        ("7m", Priority.P2, "platform"),
        ("12m", Priority.P1, "product"),
    ]
    assert failing[1].expr == (
        'max by (flow) (synthetic_flow_success{job="synthetic",flow="item-flow"}) == 0'
    )


def test_a_runner_is_missing_after_two_runs_without_a_result(stack: Stack) -> None:
    (missing,) = SYNTHETIC_RUNNERS(stack)
    assert missing.expr == (
        'time() - max by (flow) (push_time_seconds{job="synthetic",flow="item-flow"}) > 1200'
        ' or max by (flow) (absent(push_time_seconds{job="synthetic",flow="item-flow"}))'
    )
    assert (missing.for_, missing.priority) == ("15m", Priority.P2)


def test_the_sla_alert_compares_each_indicator_with_its_target(stack: Stack) -> None:
    (sla,) = [
        d
        for d in _alerts(stack)
        if d.name == "SyntheticFlowSlaBreached" and d.labels["flow"] == "item-flow"
    ]
    assert sla.expr == (
        'flow:synthetic_success:avg30d{flow="item-flow"} < 0.99'
        ' or flow:synthetic_step_errors:avg30d{flow="item-flow"} > 0.02'
        ' or flow:synthetic_response_seconds:p95_30d{flow="item-flow"} > 0.5'
    )
    assert sla.priority == Priority.P3


def test_synthetic_alerts_fire_and_stay_silent_in_promtool(
    stack: Stack, promtool: str, tmp_path: Path
) -> None:
    proven = [
        *area_proofs(SYNTHETIC_FLOWS, PROOFS, stack),
        *area_proofs(SYNTHETIC_RUNNERS, RUNNER_PROOFS, stack),
    ]
    prove(promtool, stack, proven, tmp_path)
