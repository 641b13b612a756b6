"""The whole program under Pulumi mocks: providers, wiring and the refusal of bad stacks."""

from collections import Counter
from collections.abc import Iterable

import pulumi
import pytest

from o11y.model.stack import Stack
from stacks.offline import Registration
from tests.components.mocks import of_type, run_stack


def test_every_resource_uses_an_explicit_provider(dev_stack: Stack) -> None:
    registrations = run_stack("dev", dev_stack)
    for r in registrations:
        if r.custom and not r.type.startswith("pulumi:providers:"):
            assert r.provider, f"{r.type} {r.name} would use a default provider"


def test_the_kubernetes_provider_targets_the_configured_context(prod_stack: Stack) -> None:
    registrations = run_stack("prod", prod_stack)
    (provider,) = of_type(registrations, "pulumi:providers:kubernetes")
    assert provider.inputs["context"] == "prod-eu-west-1"


def test_prod_without_its_secrets_refuses_to_run(prod_stack: Stack) -> None:
    with pytest.raises(pulumi.RunError, match=r"secrets.pagerduty_token: required in prod"):
        run_stack("prod", prod_stack, secrets=())


def counts(registrations: Iterable[Registration]) -> Counter[str]:
    return Counter(r.type.rsplit(":", 1)[-1] for r in registrations)


def test_dev_resources_follow_the_catalog(dev_stack: Stack) -> None:
    registrations = run_stack("dev", dev_stack)
    found = counts(registrations)
    exporters = len([d for d in dev_stack.dependencies if d.kind != "partner_api"])
    flows = dev_stack.synthetic_flows
    runners = [f for f in flows if f.runner == "cronjob"]
    # The Pushgateway, when a flow runs as a CronJob, is scraped like the exporters.
    pushgateway = 1 if runners else 0
    assert found["ServiceMonitor"] == len(dev_stack.services) + exporters + pushgateway
    assert found["Probe"] == (
        len(dev_stack.services) + len(dev_stack.tls_endpoints) + len(flows) - len(runners)
    )
    assert found["CronJob"] == len(runners)
    # One per rule file: services, dependencies, infrastructure, business, observability,
    # SLOs, synthetic flows and anomalies.
    assert found["PrometheusRule"] == 8
    # kube-prometheus-stack, loki, tempo, grafana, otel gateway and agent, blackbox and the
    # postgres, redis and kafka exporters; no Mimir and no sampling tier (one gateway) in dev.
    assert found["Release"] == 10
    # No PagerDuty token in dev: no PagerDuty resources, no provider.
    assert not [r for r in registrations if r.type.startswith("pagerduty:")]


def test_prod_adds_mimir_network_policies_and_the_on_call_graph(prod_stack: Stack) -> None:
    registrations = run_stack("prod", prod_stack)
    found = counts(r for r in registrations if not r.type.startswith("kubernetes:core/"))
    assert found["Release"] == 12
    assert found["NetworkPolicy"] >= 1
    teams = len(prod_stack.teams)
    assert found["Team"] == teams
    assert found["Schedule"] == 2 * teams  # primary rotation and lead per team
    assert found["EscalationPolicy"] == teams
    # One PagerDuty service per catalog service, plus one team-wide service per team.
    assert found["Service"] == len(prod_stack.services) + teams
    assert found["ServiceIntegration"] == found["Service"]
    assert found["AlertGroupingSetting"] == found["Service"]
