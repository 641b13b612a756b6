"""The Pulumi program: load the stack, build the observability stack, export what it made."""

import pulumi

from components.stack import ObservabilityStack, ObservabilityStackArgs
from stacks.loader import load_stack

loaded = load_stack()
stack = ObservabilityStack("o11y", ObservabilityStackArgs(loaded.stack, loaded.secrets))

pulumi.export("environment", loaded.stack.environment)
pulumi.export("profile", loaded.stack.profile)
pulumi.export("namespace", stack.namespace)
pulumi.export("grafana_url", loaded.stack.grafana.url)
pulumi.export("grafana_admin_password", stack.grafana_admin_password)
pulumi.export("paging", stack.paging)
pulumi.export("heartbeat", stack.heartbeat)
