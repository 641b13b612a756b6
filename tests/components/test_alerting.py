"""Alerting component under Pulumi mocks: one PrometheusRule per rule manifest, after the CRDs."""

import pulumi
import pulumi_kubernetes as k8s

from cli.mocks import record
from components.alerting import Alerting, AlertingArgs
from o11y.manifests import prometheus_rules
from tests.small_stacks import small_stack
from tests.trees import dig


def test_every_rule_file_is_a_prometheus_rule_created_after_the_operator_crds() -> None:
    stack = small_stack()

    def program() -> None:
        provider = k8s.Provider("kubernetes", context="test")
        crds = k8s.helm.v3.Release(
            "prometheus-operator-crds",
            chart="prometheus-operator-crds",
            opts=pulumi.ResourceOptions(provider=provider),
        )
        Alerting("alerting", AlertingArgs(prometheus_rules(stack), provider, depends_on=[crds]))

    registered = record(program, "test")
    crds = next(r for r in registered if r.name == "prometheus-operator-crds")
    component = next(r for r in registered if r.type == "o11y:alerting:Alerting")
    created = [r for r in registered if r.parent == component.urn]
    expected = [dig(m, "metadata", "name") for m in prometheus_rules(stack)]
    assert expected
    assert sorted(r.name for r in created) == sorted(f"alerting-{name}" for name in expected)
    for resource in created:
        assert resource.type == "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
        assert crds.urn in resource.dependencies
        assert dig(resource.inputs, "metadata", "namespace") == "obs"
