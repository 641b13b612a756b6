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
from o11y.bundle import Bundle


@dataclass(frozen=True)
class ObservabilityStackArgs:
    # Everything to deploy (o11y/bundle.py); each component gets its slice.
    bundle: Bundle
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
        bundle = args.bundle
        connections = bundle.connections
        kubernetes = kubernetes_provider(f"{name}-kubernetes", connections, self)
        region = connections.pagerduty_region
        pagerduty = (
            pagerduty_provider(f"{name}-pagerduty", region, args.secrets["pagerduty_token"], self)
            if region is not None
            else None
        )

        namespace = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata={"name": connections.namespace},
            opts=pulumi.ResourceOptions(
                parent=self, provider=kubernetes, protect=bundle.platform.protect_stateful
            ),
        )
        oncall = OnCall(
            f"{name}-oncall",
            OnCallArgs(
                plan=bundle.oncall,
                kubernetes=kubernetes,
                pagerduty=pagerduty,
                secrets=args.secrets,
                depends_on=[namespace],
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        platform = Platform(
            f"{name}-platform",
            PlatformArgs(
                plan=bundle.platform,
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
            MonitoringArgs(bundle.monitors, provider=kubernetes, depends_on=crds),
            opts=pulumi.ResourceOptions(parent=self),
        )
        if bundle.errortracking is not None:
            ErrorTracking(
                f"{name}-errortracking",
                ErrorTrackingArgs(bundle.errortracking, kubernetes, args.secrets["sentry_token"]),
                opts=pulumi.ResourceOptions(parent=self),
            )
        Synthetics(
            f"{name}-synthetics",
            SyntheticsArgs(
                bundle.synthetics, provider=kubernetes, secrets=args.secrets, depends_on=crds
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        Alerting(
            f"{name}-alerting",
            AlertingArgs(bundle.rules, provider=kubernetes, depends_on=crds),
            opts=pulumi.ResourceOptions(parent=self),
        )
        grafana = grafana_provider(
            f"{name}-grafana", connections.grafana_url, platform.grafana_admin_password, self
        )
        Dashboards(
            f"{name}-dashboards",
            DashboardsArgs(
                bundle.dashboards,
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
