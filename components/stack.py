"""The whole observability stack of one environment: providers and every component, wired."""

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi

from components.providers import kubernetes_provider
from o11y.model.stack import Stack


@dataclass(frozen=True)
class ObservabilityStackArgs:
    stack: Stack
    secrets: Mapping[str, pulumi.Output[str]]


class ObservabilityStack(pulumi.ComponentResource):
    namespace: pulumi.Output[str]
    grafana_admin_password: pulumi.Output[str]
    paging: pulumi.Output[str]

    def __init__(
        self, name: str, args: ObservabilityStackArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("o11y:stack:ObservabilityStack", name, None, opts)
        stack = args.stack
        self.kubernetes = kubernetes_provider(f"{name}-kubernetes", stack, self)
        self.namespace = pulumi.Output.from_input(stack.kubernetes.namespace)
        self.grafana_admin_password = pulumi.Output.secret("")
        self.paging = pulumi.Output.from_input("")
        self.register_outputs({"namespace": self.namespace})
