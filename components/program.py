"""The Pulumi program: the observability stack of one loaded stack, and what it exports."""

from collections.abc import Mapping

import pulumi

from components.stack import ObservabilityStack, ObservabilityStackArgs
from o11y.bundle import bundle
from o11y.model.stack import Stack


def program(stack: Stack, secrets: Mapping[str, pulumi.Output[str]]) -> None:
    """Everything `pulumi up` creates for `stack`; `secrets` are the values under `o11y:secrets`."""
    built = ObservabilityStack("o11y", ObservabilityStackArgs(bundle(stack), secrets))
    pulumi.export("environment", stack.environment)
    pulumi.export("profile", stack.profile)
    pulumi.export("namespace", built.namespace)
    pulumi.export("grafana_url", stack.grafana.url)
    pulumi.export("grafana_admin_password", built.grafana_admin_password)
    pulumi.export("paging", built.paging)
    pulumi.export("heartbeat", built.heartbeat)
