"""Synthetic flow alerts, proven by promtool on their own flows."""

from pathlib import Path

import pytest

from o11y.alerts.synthetics import synthetic_alerts
from o11y.model.stack import Stack
from o11y.severity import Priority
from tests.o11y.promtool_proof import prove
from tests.o11y.synthetic_fixtures import ITEM_FLOW, SERVICE_CHECK, flow_stack, with_flows


@pytest.fixture(scope="module")
def stack() -> Stack:
    return with_flows(flow_stack(), SERVICE_CHECK, ITEM_FLOW)


def test_each_flow_has_failing_and_sla_alerts_and_runners_a_staleness_alert(stack: Stack) -> None:
    names = [(a.definition.name, a.definition.labels["flow"]) for a in synthetic_alerts(stack)]
    assert names == [
        ("SyntheticFlowFailing", "ping-query"),
        ("SyntheticFlowSlaBreached", "ping-query"),
        ("SyntheticFlowFailing", "item-flow"),
        ("SyntheticFlowNotRunning", "item-flow"),
        ("SyntheticFlowSlaBreached", "item-flow"),
    ]


def test_a_failing_flow_fires_after_two_runs_with_the_flows_priority(stack: Stack) -> None:
    failing = [
        a.definition for a in synthetic_alerts(stack) if a.definition.name == "SyntheticFlowFailing"
    ]
    assert [(d.for_, d.priority, d.team) for d in failing] == [
        ("7m", Priority.P2, "platform"),
        ("12m", Priority.P1, "product"),
    ]
    assert failing[1].expr == (
        'max by (flow) (synthetic_flow_success{job="synthetic",flow="item-flow"}) == 0'
    )


def test_the_sla_alert_compares_each_indicator_with_its_target(stack: Stack) -> None:
    (sla,) = [
        a.definition
        for a in synthetic_alerts(stack)
        if a.definition.name == "SyntheticFlowSlaBreached"
        and a.definition.labels["flow"] == "item-flow"
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
    prove(promtool, stack, synthetic_alerts(stack), tmp_path)
