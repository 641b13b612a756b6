"""The runner of multi-step synthetic flows (o11y.synthetics): the flows' credential Secrets,
the runner's ConfigMap, the Pushgateway and one CronJob per flow. One-request flows are
blackbox Probes, created with the other monitors (components/monitoring.py)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.custom_resources import custom_resource, manifest_name
from components.secrets import opaque_secret
from o11y.bundle import SyntheticsPlan
from o11y.conventions import MANAGED_BY, PUSHGATEWAY, PUSHGATEWAY_PORT, SYNTHETIC_RUNNER_CONFIG
from o11y.synthetics import PUSHGATEWAY_PORT_NAME, PUSHGATEWAY_SELECTOR


@dataclass(frozen=True)
class SyntheticsArgs:
    plan: SyntheticsPlan
    provider: k8s.Provider
    # Stack secrets by name (`synthetic_...` hold the flows' credentials).
    secrets: Mapping[str, pulumi.Output[str]]
    depends_on: Sequence[pulumi.Resource] = ()


class Synthetics(pulumi.ComponentResource):
    secrets: list[k8s.core.v1.Secret]
    resources: list[pulumi.CustomResource]

    def __init__(
        self, name: str, args: SyntheticsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("o11y:synthetics:Synthetics", name, None, opts)
        plan = args.plan
        child = pulumi.ResourceOptions(
            parent=self, provider=args.provider, depends_on=list(args.depends_on)
        )
        self.secrets = [
            opaque_secret(
                f"{name}-secret-{secret}",
                secret,
                plan.namespace,
                {key: args.secrets[stack_secret] for key, stack_secret in keys.items()},
                child,
            )
            for secret, keys in plan.credential_secrets.items()
        ]
        self.resources = []
        manifests = plan.workloads
        if manifests:
            config_map = k8s.core.v1.ConfigMap(
                f"{name}-configmap-{SYNTHETIC_RUNNER_CONFIG}",
                metadata=_metadata(plan.namespace, SYNTHETIC_RUNNER_CONFIG),
                data=plan.runner_files,
                opts=child,
            )
            self.resources.append(config_map)
            # A CronJob's first run needs its ConfigMap and Secret in place.
            after = pulumi.ResourceOptions.merge(
                child, pulumi.ResourceOptions(depends_on=[config_map, *self.secrets])
            )
            self.resources.append(
                k8s.core.v1.Service(
                    f"{name}-service-{PUSHGATEWAY}",
                    metadata=_metadata(plan.namespace, PUSHGATEWAY, PUSHGATEWAY_SELECTOR),
                    spec=k8s.core.v1.ServiceSpecArgs(
                        selector=PUSHGATEWAY_SELECTOR,
                        ports=[
                            k8s.core.v1.ServicePortArgs(
                                name=PUSHGATEWAY_PORT_NAME,
                                port=PUSHGATEWAY_PORT,
                                target_port=PUSHGATEWAY_PORT_NAME,
                            )
                        ],
                    ),
                    opts=child,
                )
            )
            # The Deployment and CronJobs (API groups apps and batch) as the core wrote them.
            for manifest in manifests:
                kind = str(manifest["kind"])
                if str(manifest["apiVersion"]) == "v1":
                    continue
                self.resources.append(
                    custom_resource(
                        f"{name}-{kind.lower()}-{manifest_name(manifest)}",
                        manifest,
                        after if kind == "CronJob" else child,
                    )
                )
        self.register_outputs(
            {
                "secrets": [s.metadata.name for s in self.secrets],
                "count": len(self.resources),
            }
        )


def _metadata(
    namespace: str, name: str, labels: Mapping[str, str] | None = None
) -> k8s.meta.v1.ObjectMetaArgs:
    return k8s.meta.v1.ObjectMetaArgs(
        name=name,
        namespace=namespace,
        labels={**MANAGED_BY, **(labels or {})},
    )
