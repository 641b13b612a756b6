"""The whole program under Pulumi mocks: providers, wiring and the refusal of bad stacks."""

from collections import Counter
from collections.abc import Iterable

import pulumi
import pytest
from pulumi.runtime import rpc

from cli.mocks import Registration
from cli.offline import run_program
from o11y.config import load_offline, read_stack_file, with_secret_placeholders
from o11y.manifests import kubernetes_objects, prometheus_rules
from o11y.model.stack import Stack, required_secrets
from tests.components.mocks import ROOT, of_type, run_stack
from tests.trees import as_dict, dig, text


def test_every_resource_uses_an_explicit_provider(dev_stack: Stack) -> None:
    registrations = run_stack("dev", dev_stack)
    for r in registrations:
        if r.custom and not r.type.startswith("pulumi:providers:"):
            assert r.provider, f"{r.type} {r.name} would use a default provider"


def test_the_kubernetes_provider_targets_the_configured_context(prod_stack: Stack) -> None:
    registrations = run_stack("prod", prod_stack)
    (provider,) = of_type(registrations, "pulumi:providers:kubernetes")
    assert provider.inputs["context"] == "prod-eu-west-1"


def test_the_stack_the_engine_runs_names_the_environment(dev_stack: Stack) -> None:
    raw = with_secret_placeholders(
        read_stack_file(ROOT / "Pulumi.dev.yaml"), required_secrets(dev_stack)
    )
    registrations = run_program(raw, "qa-eu")
    release = next(
        r
        for r in of_type(registrations, "kubernetes:helm.sh/v3:Release")
        if r.inputs["name"] == "kube-prometheus-stack"
    )
    labels = dig(release.inputs, "values", "prometheus", "prometheusSpec", "externalLabels")
    assert labels == {"environment": "qa-eu"}


def test_prod_without_its_secrets_refuses_to_run(prod_stack: Stack) -> None:
    with pytest.raises(
        pulumi.RunError, match=r"secrets.pagerduty_token: required by the production profile"
    ):
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
    assert found["PrometheusRule"] == len(prometheus_rules(dev_stack))
    # The operator CRDs, kube-prometheus-stack, loki, tempo, grafana, otel gateway and agent,
    # blackbox and the postgres, redis and kafka exporters; no Mimir and no sampling tier (one
    # gateway) in dev.
    assert found["Release"] == 11
    # No PagerDuty token in dev: no PagerDuty resources, no provider.
    assert not [r for r in registrations if r.type.startswith("pagerduty:")]


def test_prod_adds_mimir_network_policies_and_the_on_call_graph(prod_stack: Stack) -> None:
    registrations = run_stack("prod", prod_stack)
    # PagerDuty services only: the synthetic flows' Pushgateway is a Kubernetes Service.
    found = counts(r for r in registrations if not r.type.startswith("kubernetes:core/"))
    # dev's, Mimir, the sampling tier and the Strimzi operator of Tempo's Kafka.
    assert found["Release"] == 14
    assert (found["Kafka"], found["KafkaNodePool"], found["KafkaTopic"]) == (1, 1, 1)
    assert found["NetworkPolicy"] >= 1
    teams = len(prod_stack.teams)
    assert found["Team"] == teams
    assert found["Schedulev2"] == 2 * teams  # primary rotation and lead per team
    assert found["EscalationPolicy"] == teams
    # One PagerDuty service per catalog service, plus one team-wide service per team.
    assert found["Service"] == len(prod_stack.services) + teams
    assert found["ServiceIntegration"] == found["Service"]
    assert found["AlertGroupingSetting"] == found["Service"]


def _revealed(value: object) -> dict[str, object]:
    """A map, or the map inside a wholly secret value (Pulumi's wire form of a secret)."""
    mapping = as_dict(value)
    if rpc._special_sig_key in mapping:
        return as_dict(mapping["value"])
    return mapping


# What the program applies through Helm, or are providers: not in `kubernetes/`.
NOT_RENDERED_AS_OBJECTS = ("kubernetes:helm.sh/v3:Release", "pulumi:providers:kubernetes")


def test_render_shows_every_kubernetes_object_the_program_applies() -> None:
    # The stack as `render` sees it: the secrets it must have stand in by name.
    stack = load_offline(ROOT / "Pulumi.prod.yaml", ROOT, "prod")
    applied = {
        (text(r.inputs["kind"]), text(dig(r.inputs, "metadata", "name"))): r
        for r in run_stack("prod", stack)
        if r.type.startswith("kubernetes:") and r.type not in NOT_RENDERED_AS_OBJECTS
    }
    rendered = {
        (text(o["kind"]), text(dig(o, "metadata", "name"))): o for o in kubernetes_objects(stack)
    }
    assert sorted(applied) == sorted(rendered)
    for key, manifest in rendered.items():
        inputs = applied[key].inputs
        if key[0] == "Secret":
            # Values are Pulumi secrets, applied as base64 `data` and rendered readable with
            # secret values redacted; names, labels and keys match.
            assert dig(inputs, "metadata") == manifest["metadata"], key
            assert sorted(_revealed(inputs["data"])) == sorted(as_dict(manifest["stringData"])), key
        else:
            assert {k: inputs[k] for k in manifest} == manifest, key
