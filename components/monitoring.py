"""ServiceMonitors and Probes (o11y.monitors) as custom resources, created after the
kube-prometheus-stack release that installs their CRDs."""

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.custom_resources import custom_resource, manifest_name
from o11y.bundle import Manifest


@dataclass(frozen=True)
class MonitoringArgs:
    # The stack's ServiceMonitors, PodMonitors and Probes (o11y/monitors.py custom_resources).
    resources: Sequence[Manifest]
    provider: k8s.Provider
    # The kube-prometheus-stack release (its CRDs must exist first).
    depends_on: Sequence[pulumi.Resource] = ()


class Monitoring(pulumi.ComponentResource):
    resources: list[k8s.apiextensions.CustomResource]

    def __init__(
        self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("o11y:monitoring:Monitoring", name, None, opts)
        child = pulumi.ResourceOptions(
            parent=self, provider=args.provider, depends_on=list(args.depends_on)
        )
        self.resources = [
            custom_resource(
                f"{name}-{str(manifest['kind']).lower()}-{manifest_name(manifest)}", manifest, child
            )
            for manifest in args.resources
        ]
        self.register_outputs({"count": len(self.resources)})
