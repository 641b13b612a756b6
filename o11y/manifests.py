"""Kubernetes manifests of the rules this stack generates (PrometheusRule), as plain data."""

from o11y.conventions import MANAGED_BY
from o11y.model.stack import Stack
from o11y.promrules import RuleGroup
from o11y.rules import rule_groups

Manifest = dict[str, object]  # apiVersion, kind, metadata, spec


def prometheus_rule(name: str, namespace: str, groups: list[RuleGroup]) -> Manifest:
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(MANAGED_BY)},
        "spec": {"groups": groups},
    }


def prometheus_rules(stack: Stack) -> list[Manifest]:
    """One PrometheusRule per rule file, in the stack's namespace."""
    namespace = stack.kubernetes.namespace
    return [
        prometheus_rule(f"o11y-{stem}", namespace, groups)
        for stem, groups in sorted(rule_groups(stack).items())
    ]
