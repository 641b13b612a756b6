"""Node and container alerts kube-prometheus-stack does not already ship.

Reused from the chart's default rules (not duplicated here): NodeMemoryHighUtilization,
NodeFilesystemSpaceFillingUp, NodeFilesystemAlmostOutOfSpace, KubePodCrashLooping,
KubeContainerWaiting, KubeDeploymentReplicasMismatch (o11y/rules.py REUSED_DEFAULT_RULES).
The chart's NodeCPUHighUsage (severity `info`) is replaced by NodeCPUHigh at P3.
Runbooks: o11y/alerts/runbooks/infrastructure.py.
"""

from o11y.alertdef import AlertSpec, Owner
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

_BY_CONTAINER = "max by (namespace, pod, container)"
NODE_CPU_PERCENT_USED = (
    "100 * (1 - avg by (instance) (rate("
    + selector("node_cpu_seconds_total", NODE_EXPORTER, 'mode="idle"')
    + "[5m])))"
)
CONTAINER_MEMORY_USED = (
    f"{_BY_CONTAINER} ("
    + selector("container_memory_working_set_bytes", KUBELET, 'container!=""', 'image!=""')
    + ")"
)
CONTAINER_MEMORY_LIMIT = (
    f"{_BY_CONTAINER} ("
    + selector("kube_pod_container_resource_limits", KUBE_STATE_METRICS, 'resource="memory"')
    + ")"
)

ALERTS: tuple[AlertSpec[Stack], ...] = (
    AlertSpec(
        NODE_CPU_HIGH,
        expr=lambda _: f"{NODE_CPU_PERCENT_USED} > {NODE_CPU_PERCENT}",
        for_="15m",
        priority=Priority.P3,
    ),
    AlertSpec(
        CONTAINER_MEMORY_HIGH,
        expr=lambda _: (
            f"{CONTAINER_MEMORY_USED} / {CONTAINER_MEMORY_LIMIT} * 100 > {CONTAINER_MEMORY_PERCENT}"
        ),
        for_="15m",
        priority=Priority.P3,
    ),
)


def subjects(stack: Stack) -> list[tuple[Stack, Owner]]:
    """The area watches the cluster as a whole; the platform team owns it."""
    return [(stack, Owner(GROUP, stack.alerting.platform_team))]
