"""Monitoring component under Pulumi mocks: one custom resource per manifest, after the CRDs."""

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.monitoring import Monitoring, MonitoringArgs
from o11y.monitors import custom_resources
from stacks.offline import Registration
from tests.components.recording import record
from tests.conftest import load_stack


def inputs(registration: Registration) -> Any:
    """A registration's inputs as an untyped tree, for reading nested values."""
    return registration.inputs


def test_every_monitor_and_probe_is_created_after_the_operator_release() -> None:
    stack = load_stack("dev")

    def program() -> None:
        provider = k8s.Provider("kubernetes", context="test")
        operator = k8s.helm.v3.Release(
            "kube-prometheus-stack",
            chart="kube-prometheus-stack",
            opts=pulumi.ResourceOptions(provider=provider),
        )
        Monitoring("monitoring", MonitoringArgs(stack, provider, depends_on=[operator]))

    registered = record(program)
    operator = next(r for r in registered if r.name == "kube-prometheus-stack")
    component = next(r for r in registered if r.type == "o11y:monitoring:Monitoring")
    created = [r for r in registered if r.parent == component.urn]
    expected: list[Any] = custom_resources(stack)
    assert len(created) == len(expected)
    assert {(r.type, inputs(r)["metadata"]["name"]) for r in created} == {
        (f"kubernetes:monitoring.coreos.com/v1:{m['kind']}", m["metadata"]["name"])
        for m in expected
    }
    for resource in created:
        assert operator.urn in resource.dependencies
        assert inputs(resource)["metadata"]["namespace"] == "observability"
    probe = next(r for r in created if inputs(r)["metadata"]["name"] == "frontend-health")
    assert inputs(probe)["spec"]["targets"]["staticConfig"]["labels"]["service"] == "frontend"
