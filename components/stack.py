"""The whole observability stack of one environment: providers and every component, wired.

Order on a fresh cluster: namespace -> prometheus-operator CRDs -> Helm releases,
ServiceMonitors, Probes, PrometheusRules -> Grafana content. PagerDuty and the Alertmanager
Secrets hold back kube-prometheus-stack only (its Alertmanager mounts them): a PagerDuty error
leaves the rest of the platform and Grafana's content deployed.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.alerting import Alerting, AlertingArgs
from components.dashboards import Dashboards, DashboardsArgs
from components.errortracking import ErrorTracking, ErrorTrackingArgs
from components.monitoring import Monitoring, MonitoringArgs
from components.oncall import OnCall, OnCallArgs
from components.platform import Platform, PlatformArgs
from components.providers import grafana_provider, kubernetes_provider, pagerduty_provider
from components.synthetics import Synthetics, SyntheticsArgs
from o11y.dashboards import dashboards
from o11y.errortracking import sentry_enabled
from o11y.manifests import prometheus_rules
from o11y.model.stack import Stack
from o11y.monitors import custom_resources
from o11y.pagerduty import paging_enabled


@dataclass(frozen=True)
class ObservabilityStackArgs:
    stack: Stack
    secrets: Mapping[str, pulumi.Output[str]]


class ObservabilityStack(pulumi.ComponentResource):
    namespace: pulumi.Output[str]
    grafana_admin_password: pulumi.Output[str]
    paging: pulumi.Output[str]
    heartbeat: pulumi.Output[str]

    def __init__(
        self, name: str, args: ObservabilityStackArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("o11y:stack:ObservabilityStack", name, None, opts)
        stack = args.stack
        kubernetes = kubernetes_provider(f"{name}-kubernetes", stack, self)
        pagerduty = (
            pagerduty_provider(f"{name}-pagerduty", stack, args.secrets["pagerduty_token"], self)
            if paging_enabled(stack)
            else None
        )

        namespace = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata={"name": stack.kubernetes.namespace},
            opts=pulumi.ResourceOptions(
                parent=self, provider=kubernetes, protect=stack.platform.protect_stateful
            ),
        )
        oncall = OnCall(
            f"{name}-oncall",
            OnCallArgs(
                stack=stack,
                kubernetes=kubernetes,
                pagerduty=pagerduty,
                secrets=args.secrets,
                namespace=stack.kubernetes.namespace,
                depends_on=[namespace],
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        platform = Platform(
            f"{name}-platform",
            PlatformArgs(
                stack=stack,
                provider=kubernetes,
                namespace=namespace,
                secrets=args.secrets,
                oncall_secrets=[oncall.config_secret, oncall.keys_secret],
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        # Custom resources need their CRDs, not the operator: they are read whenever it runs.
        crds = [platform.operator_crds]
        Monitoring(
            f"{name}-monitoring",
            MonitoringArgs(custom_resources(stack), provider=kubernetes, depends_on=crds),
            opts=pulumi.ResourceOptions(parent=self),
        )
        if sentry_enabled(stack):
            ErrorTracking(
                f"{name}-errortracking",
                ErrorTrackingArgs(stack, kubernetes, args.secrets["sentry_token"]),
                opts=pulumi.ResourceOptions(parent=self),
            )
        Synthetics(
            f"{name}-synthetics",
            SyntheticsArgs(stack=stack, provider=kubernetes, secrets=args.secrets, depends_on=crds),
            opts=pulumi.ResourceOptions(parent=self),
        )
        Alerting(
            f"{name}-alerting",
            AlertingArgs(prometheus_rules(stack), provider=kubernetes, depends_on=crds),
            opts=pulumi.ResourceOptions(parent=self),
        )
        grafana = grafana_provider(f"{name}-grafana", stack, platform.grafana_admin_password, self)
        Dashboards(
            f"{name}-dashboards",
            DashboardsArgs(
                dashboards(stack),
                provider=grafana,
                # Not the release alone: Grafana must answer at the provider's URL (in prod the
                # ingress, with its DNS name and certificate).
                depends_on=[platform.grafana_ready],
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

        self.namespace = namespace.metadata.name
        self.grafana_admin_password = platform.grafana_admin_password
        self.paging = oncall.paging
        self.heartbeat = oncall.heartbeat
        self.register_outputs(
            {
                "namespace": self.namespace,
                "grafana_admin_password": self.grafana_admin_password,
                "paging": self.paging,
                "heartbeat": self.heartbeat,
            }
        )
