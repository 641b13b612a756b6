"""Infrastructure alerts: only what kube-prometheus-stack does not ship, proven by promtool."""

from pathlib import Path

from o11y.alerts.areas import INFRASTRUCTURE
from o11y.alerts.infrastructure import (
    ALERTS,
    CONTAINER_MEMORY_HIGH,
    NODE_CPU_HIGH,
)
from o11y.model.stack import Stack
from o11y.rules import DISABLED_DEFAULT_RULES, REUSED_DEFAULT_RULES
from o11y.severity import Priority
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

NODE = {"job": "node-exporter", "instance": "node-1:9100", "cpu": "0", "mode": "idle"}
POD = {"namespace": "apps", "pod": "api-gateway-7d9f-x2x", "container": "api-gateway"}
USED = {**POD, "job": "kubelet", "image": "registry/api-gateway:1", "instance": "node-1"}
LIMIT = {**POD, "job": "kube-state-metrics", "resource": "memory", "unit": "byte"}


def _node_cpu(_: Stack) -> Proof:
    # An idle counter growing 3s per minute: the CPU is idle 5% of the time.
    return Proof(
        fires=(
            Case(
                "the CPU is 95% busy",
                (series("node_cpu_seconds_total", NODE, counting(3, 30)),),
                "25m",
                {"instance": "node-1:9100"},
            ),
        ),
        silent=(
            Case(
                "the CPU is half busy",
                (series("node_cpu_seconds_total", NODE, counting(30, 30)),),
                "25m",
            ),
        ),
    )


def _memory(used: float) -> tuple[Series, ...]:
    return (
        series("container_memory_working_set_bytes", USED, steady(used, 30)),
        series("kube_pod_container_resource_limits", LIMIT, steady(1000, 30)),
    )


def _container_memory(_: Stack) -> Proof:
    return Proof(
        fires=(Case("the container uses 95% of its limit", _memory(950), "20m", POD),),
        silent=(Case("the container uses half its limit", _memory(500), "20m"),),
    )


PROOFS: Proofs[Stack] = {NODE_CPU_HIGH: _node_cpu, CONTAINER_MEMORY_HIGH: _container_memory}


def test_no_reused_default_rule_is_duplicated() -> None:
    ours = {spec.name for spec in ALERTS}
    assert ours.isdisjoint({rule.name for rule in REUSED_DEFAULT_RULES})
    assert ours.isdisjoint(DISABLED_DEFAULT_RULES)


def test_node_cpu_above_90_percent_is_p3_for_the_platform_team(dev_stack: Stack) -> None:
    (cpu,) = [d for d in INFRASTRUCTURE(dev_stack) if d.name == NODE_CPU_HIGH]
    assert cpu.expr == (
        '100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{job="node-exporter",'
        'mode="idle"}[5m]))) > 90'
    )
    assert (cpu.priority, cpu.team) == (Priority.P3, dev_stack.alerting.platform_team)


def test_infrastructure_alerts_fire_and_stay_silent_in_promtool(
    dev_stack: Stack, promtool: str, tmp_path: Path
) -> None:
    prove(promtool, dev_stack, area_proofs(INFRASTRUCTURE, PROOFS, dev_stack), tmp_path)
