"""Monitoring component under Pulumi mocks: one custom resource per manifest, after the CRDs."""

import pulumi
import pulumi_kubernetes as k8s

from cli.mocks import record
from components.monitoring import Monitoring, MonitoringArgs
from o11y.monitors import custom_resources
from tests.small_stacks import small_stack
from tests.trees import dig


def test_every_monitor_and_probe_is_created_after_the_operator_release() -> None:
    stack = small_stack(overrides={"kubernetes": {"context": "test", "namespace": "observability"}})

    def program() -> None:
        provider = k8s.Provider("kubernetes", context="test")
        operator = k8s.helm.v3.Release(
            "kube-prometheus-stack",
            chart="kube-prometheus-stack",
            opts=pulumi.ResourceOptions(provider=provider),
        )
        Monitoring(
            "monitoring", MonitoringArgs(custom_resources(stack), provider, depends_on=[operator])
        )

    registered = record(program, "test")
    operator = next(r for r in registered if r.name == "kube-prometheus-stack")
    component = next(r for r in registered if r.type == "o11y:monitoring:Monitoring")
    created = [r for r in registered if r.parent == component.urn]
    expected = custom_resources(stack)
    assert len(created) == len(expected)
    assert {(r.type, dig(r.inputs, "metadata", "name")) for r in created} == {
        (f"kubernetes:monitoring.coreos.com/v1:{m['kind']}", dig(m, "metadata", "name"))
        for m in expected
    }
    for resource in created:
        assert operator.urn in resource.dependencies
        assert dig(resource.inputs, "metadata", "namespace") == "observability"
    probe = next(r for r in created if dig(r.inputs, "metadata", "name") == "shop-health")
    labels = dig(probe.inputs, "spec", "targets", "staticConfig", "labels")
    assert dig(labels, "service") == "shop"
