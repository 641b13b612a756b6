"""ServiceMonitors and Probes (o11y.monitors) as custom resources, created after the
kube-prometheus-stack release that installs their CRDs."""

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from o11y.model.stack import Stack
from o11y.monitors import custom_resources


@dataclass(frozen=True)
class MonitoringArgs:
    stack: Stack
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
        self.resources = []
        for manifest in custom_resources(args.stack):
            metadata = manifest["metadata"]
            assert isinstance(metadata, dict)
            kind = str(manifest["kind"])
            self.resources.append(
                k8s.apiextensions.CustomResource(
                    f"{name}-{kind.lower()}-{metadata['name']}",
                    api_version=str(manifest["apiVersion"]),
                    kind=kind,
                    metadata=metadata,
                    spec=manifest["spec"],
                    opts=child,
                )
            )
        self.register_outputs({"count": len(self.resources)})
