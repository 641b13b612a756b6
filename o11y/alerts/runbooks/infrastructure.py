"""Runbooks of the node and container alerts (o11y/alerts/infrastructure.py)."""

from o11y.alertdef import Runbook, Runbooks, TriageQuery
from o11y.alerts.infrastructure import (
    CONTAINER_MEMORY_HIGH,
    CONTAINER_MEMORY_LIMIT,
    CONTAINER_MEMORY_PERCENT,
    CONTAINER_MEMORY_USED,
    KUBELET,
    NODE_CPU_HIGH,
    NODE_CPU_PERCENT,
    NODE_CPU_PERCENT_USED,
)
from o11y.model.stack import Stack


def _node_cpu(_: Stack) -> Runbook:
    return Runbook(
        summary=f"Node {{{{ $labels.instance }}}} CPU is above {NODE_CPU_PERCENT}%.",
        description=(
            f"CPU utilization of node {{{{ $labels.instance }}}} has been above {NODE_CPU_PERCENT}% "
            "for 15 minutes: the cluster needs more capacity or a workload misbehaves."
        ),
        symptom=f"A node's CPUs are busy more than {NODE_CPU_PERCENT}% of the time.",
        impact="Pods on the node are throttled and slow; new pods may not schedule.",
        triage=(
            TriageQuery("CPU utilization per node", NODE_CPU_PERCENT_USED),
            TriageQuery(
                "Top 10 pods by CPU on all nodes",
                f'topk(10, sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{{{KUBELET},container!=""}}[5m])))',
            ),
        ),
        causes=(
            "Traffic growth: the cluster needs more nodes (check the cluster autoscaler).",
            "One workload without CPU limits uses the whole node.",
        ),
        resolution=(
            "Add nodes or raise the autoscaler's maximum; spread the busy workload with anti-affinity.",
            "Set CPU requests/limits on the offending workload.",
        ),
        related=("NodeMemoryHighUtilization", CONTAINER_MEMORY_HIGH),
    )


def _container_memory(_: Stack) -> Runbook:
    return Runbook(
        summary="Container {{ $labels.namespace }}/{{ $labels.pod }}/{{ $labels.container }} is near its memory limit.",
        description=(
            "Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} "
            f"has used more than {CONTAINER_MEMORY_PERCENT}% of its memory limit for 15 minutes; "
            "the next spike gets it OOM-killed."
        ),
        symptom="A container's working set is close to its memory limit.",
        impact="None yet; an OOM kill restarts the container and drops its in-flight requests.",
        triage=(
            TriageQuery(
                "Memory use against the limit, per container",
                f"{CONTAINER_MEMORY_USED} / {CONTAINER_MEMORY_LIMIT}",
            ),
            TriageQuery(
                "Recent OOM kills",
                'kube_pod_container_status_last_terminated_reason{reason="OOMKilled"} == 1',
            ),
        ),
        causes=(
            "A memory leak (steady growth since the last restart).",
            "The limit is too low for the load.",
        ),
        resolution=(
            "Compare the growth with the last deploy; roll back a leaking release.",
            "Raise the memory limit (and request) if the usage is legitimate.",
        ),
        related=("KubePodCrashLooping", NODE_CPU_HIGH),
    )


RUNBOOKS: Runbooks[Stack] = {NODE_CPU_HIGH: _node_cpu, CONTAINER_MEMORY_HIGH: _container_memory}
