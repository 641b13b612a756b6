"""Node and container alerts kube-prometheus-stack does not already ship.

Reused from the chart's default rules (not duplicated here): NodeMemoryHighUtilization,
NodeFilesystemSpaceFillingUp, NodeFilesystemAlmostOutOfSpace, KubePodCrashLooping,
KubeContainerWaiting, KubeDeploymentReplicasMismatch (o11y/rules.py REUSED_DEFAULT_RULES).
The chart's NodeCPUHighUsage (severity `info`) is replaced by NodeCPUHigh at P3.
"""

from o11y.alertdef import AlertDefinition, TriageQuery
from o11y.alerts.scenario import Case, ProvenAlert, counting, series, steady
from o11y.model.stack import Stack
from o11y.promql import selector
from o11y.severity import Priority

NODE_CPU_HIGH = "NodeCPUHigh"
CONTAINER_MEMORY_HIGH = "ContainerMemoryUsageHigh"
GROUP = "infrastructure"

# Job names of the chart's node-exporter, kubelet (cAdvisor) and kube-state-metrics targets
# (kube-prometheus-stack 88.5.3 ServiceMonitors; the default rules select the same jobs).
NODE_EXPORTER = 'job="node-exporter"'
KUBELET = 'job="kubelet"'
KUBE_STATE_METRICS = 'job="kube-state-metrics"'
# Node CPU above 90% is a P3: the cluster needs scaling.
NODE_CPU_PERCENT = 90
# A container this close to its memory limit is OOM-killed on the next spike.
CONTAINER_MEMORY_PERCENT = 90


def infrastructure_alerts(stack: Stack) -> list[ProvenAlert]:
    return [_node_cpu(stack), _container_memory(stack)]


def _node_cpu(stack: Stack) -> ProvenAlert:
    idle = selector("node_cpu_seconds_total", NODE_EXPORTER, 'mode="idle"')
    definition = AlertDefinition(
        name=NODE_CPU_HIGH,
        group=GROUP,
        expr=f"100 * (1 - avg by (instance) (rate({idle}[5m]))) > {NODE_CPU_PERCENT}",
        for_="15m",
        priority=Priority.P3,
        team=stack.alerting.platform_team,
        summary=f"Node {{{{ $labels.instance }}}} CPU is above {NODE_CPU_PERCENT}%.",
        description=(
            f"CPU utilization of node {{{{ $labels.instance }}}} has been above {NODE_CPU_PERCENT}% "
            "for 15 minutes: the cluster needs more capacity or a workload misbehaves."
        ),
        symptom=f"A node's CPUs are busy more than {NODE_CPU_PERCENT}% of the time.",
        impact="Pods on the node are throttled and slow; new pods may not schedule.",
        triage=(
            TriageQuery(
                "CPU utilization per node", f"100 * (1 - avg by (instance) (rate({idle}[5m])))"
            ),
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
    node = {"job": "node-exporter", "instance": "node-1:9100", "cpu": "0", "mode": "idle"}
    return ProvenAlert(
        definition,
        # An idle counter growing 3s per minute: the CPU is idle 5% of the time.
        fires=lambda: (
            Case(
                "the CPU is 95% busy",
                (series("node_cpu_seconds_total", node, counting(3, 30)),),
                "25m",
                {"instance": "node-1:9100"},
            ),
        ),
        silent=lambda: (
            Case(
                "the CPU is half busy",
                (series("node_cpu_seconds_total", node, counting(30, 30)),),
                "25m",
            ),
        ),
    )


def _container_memory(stack: Stack) -> ProvenAlert:
    by = "max by (namespace, pod, container)"
    working_set = selector(
        "container_memory_working_set_bytes", KUBELET, 'container!=""', 'image!=""'
    )
    limits = selector("kube_pod_container_resource_limits", KUBE_STATE_METRICS, 'resource="memory"')
    used = f"{by} ({working_set})"
    limit = f"{by} ({limits})"
    definition = AlertDefinition(
        name=CONTAINER_MEMORY_HIGH,
        group=GROUP,
        expr=f"{used} / {limit} * 100 > {CONTAINER_MEMORY_PERCENT}",
        for_="15m",
        priority=Priority.P3,
        team=stack.alerting.platform_team,
        summary="Container {{ $labels.namespace }}/{{ $labels.pod }}/{{ $labels.container }} is near its memory limit.",
        description=(
            "Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} "
            f"has used more than {CONTAINER_MEMORY_PERCENT}% of its memory limit for 15 minutes; "
            "the next spike gets it OOM-killed."
        ),
        symptom="A container's working set is close to its memory limit.",
        impact="None yet; an OOM kill restarts the container and drops its in-flight requests.",
        triage=(
            TriageQuery("Memory use against the limit, per container", f"{used} / {limit}"),
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
    pod = {"namespace": "apps", "pod": "api-gateway-7d9f-x2x", "container": "api-gateway"}
    used_labels = {**pod, "job": "kubelet", "image": "registry/api-gateway:1", "instance": "node-1"}
    limit_labels = {**pod, "job": "kube-state-metrics", "resource": "memory", "unit": "byte"}
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                "the container uses 95% of its limit",
                (
                    series("container_memory_working_set_bytes", used_labels, steady(950, 30)),
                    series("kube_pod_container_resource_limits", limit_labels, steady(1000, 30)),
                ),
                "20m",
                pod,
            ),
        ),
        silent=lambda: (
            Case(
                "the container uses half its limit",
                (
                    series("container_memory_working_set_bytes", used_labels, steady(500, 30)),
                    series("kube_pod_container_resource_limits", limit_labels, steady(1000, 30)),
                ),
                "20m",
            ),
        ),
    )
