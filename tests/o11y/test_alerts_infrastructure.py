"""Infrastructure alerts: only what kube-prometheus-stack does not ship, proven by promtool."""

from pathlib import Path

from o11y.alerts.infrastructure import NODE_CPU_HIGH, infrastructure_alerts
from o11y.model.stack import Stack
from o11y.rules import DISABLED_DEFAULT_RULES, REUSED_DEFAULT_RULES
from o11y.severity import Priority
from tests.o11y.promtool_proof import prove


def test_no_reused_default_rule_is_duplicated(dev_stack: Stack) -> None:
    ours = {a.definition.name for a in infrastructure_alerts(dev_stack)}
    assert ours.isdisjoint({rule.name for rule in REUSED_DEFAULT_RULES})
    assert ours.isdisjoint(DISABLED_DEFAULT_RULES)


def test_node_cpu_above_90_percent_is_p3_for_the_platform_team(dev_stack: Stack) -> None:
    (cpu,) = [
        a.definition for a in infrastructure_alerts(dev_stack) if a.definition.name == NODE_CPU_HIGH
    ]
    assert cpu.expr == (
        '100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{job="node-exporter",'
        'mode="idle"}[5m]))) > 90'
    )
    assert (cpu.priority, cpu.team) == (Priority.P3, dev_stack.alerting.platform_team)


def test_infrastructure_alerts_fire_and_stay_silent_in_promtool(
    dev_stack: Stack, promtool: str, tmp_path: Path
) -> None:
    prove(promtool, dev_stack, infrastructure_alerts(dev_stack), tmp_path)
