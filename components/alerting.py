"""The generated alerting and recording rules, as PrometheusRule resources."""

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.custom_resources import custom_resource, manifest_name
from o11y.bundle import Manifest


@dataclass(frozen=True)
class AlertingArgs:
    # The stack's PrometheusRule objects (the bundle's rules).
    rules: Sequence[Manifest]
    provider: k8s.Provider
    # The release that installs the prometheus-operator CRDs; rules wait for it.
    depends_on: Sequence[pulumi.Resource]


class Alerting(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: AlertingArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("o11y:alerting:Alerting", name, None, opts)
        child = pulumi.ResourceOptions(
            parent=self, provider=args.provider, depends_on=list(args.depends_on)
        )
        self.rules = [custom_resource(f"{name}-{manifest_name(m)}", m, child) for m in args.rules]
        self.register_outputs({"rules": [manifest_name(m) for m in args.rules]})
