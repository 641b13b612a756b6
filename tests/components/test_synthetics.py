"""Synthetics component under Pulumi mocks: credentials as secrets, CronJobs after their inputs."""

import pulumi
import pulumi_kubernetes as k8s

from cli.mocks import Registration, record
from components.secrets import encoded
from components.synthetics import Synthetics, SyntheticsArgs
from o11y.bundle import bundle
from o11y.model.stack import Stack
from tests.o11y.synthetic_fixtures import ITEM_FLOW, SERVICE_CHECK, flow_stack, with_flows
from tests.trees import as_dict, dig


def _created(stack: Stack) -> tuple[list[Registration], Registration]:
    def program() -> None:
        provider = k8s.Provider("kubernetes", context="test")
        operator = k8s.helm.v3.Release(
            "kube-prometheus-stack",
            chart="kube-prometheus-stack",
            opts=pulumi.ResourceOptions(provider=provider),
        )
        secrets = {
            "synthetic_user": pulumi.Output.secret("robot"),
            "synthetic_password": pulumi.Output.secret("pw"),
        }
        Synthetics(
            "synthetics",
            SyntheticsArgs(bundle(stack).synthetics, provider, secrets, depends_on=[operator]),
        )

    registered = record(program, "test")
    component = next(r for r in registered if r.type == "o11y:synthetics:Synthetics")
    operator = next(r for r in registered if r.name == "kube-prometheus-stack")
    return [r for r in registered if r.parent == component.urn], operator


def test_a_runner_flow_gets_its_secret_config_pushgateway_and_cronjob() -> None:
    created, operator = _created(with_flows(flow_stack(), SERVICE_CHECK, ITEM_FLOW))
    kinds = sorted((r.type, dig(r.inputs, "metadata", "name")) for r in created)
    assert kinds == [
        ("kubernetes:apps/v1:Deployment", "synthetic-pushgateway"),
        ("kubernetes:batch/v1:CronJob", "synthetic-item-flow"),
        ("kubernetes:core/v1:ConfigMap", "synthetic-runner"),
        ("kubernetes:core/v1:Secret", "synthetic-item-flow"),
        ("kubernetes:core/v1:Service", "synthetic-pushgateway"),
    ]
    (secret,) = [r for r in created if r.type == "kubernetes:core/v1:Secret"]
    # Base64 `data` through components/secrets.py, a Pulumi secret end to end.
    assert secret.secret_inputs == frozenset({"data"})
    data = dig(secret.inputs, "data", "value")  # under the wire's secret marker
    assert as_dict(data) == {"password": encoded("pw"), "user": encoded("robot")}
    (job,) = [r for r in created if r.type == "kubernetes:batch/v1:CronJob"]
    (config,) = [r for r in created if r.type == "kubernetes:core/v1:ConfigMap"]
    assert secret.urn in job.dependencies
    assert config.urn in job.dependencies
    for resource in created:
        assert operator.urn in resource.dependencies
        assert dig(resource.inputs, "metadata", "namespace") == "observability"


def test_one_request_checks_need_no_runner() -> None:
    created, _ = _created(with_flows(flow_stack(), SERVICE_CHECK))
    assert created == []
