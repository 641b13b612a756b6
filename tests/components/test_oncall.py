"""OnCall under Pulumi mocks: the PagerDuty resource graph, the Alertmanager Secrets, secrecy."""

import base64
from collections.abc import Sequence

import pulumi
import pulumi_kubernetes as k8s
import pulumi_pagerduty as pagerduty
import pytest
import yaml

from components.oncall import OnCall, OnCallArgs
from o11y.conventions import SECRET_ALERTMANAGER_CONFIG, SECRET_ALERTMANAGER_KEYS
from o11y.model.stack import Stack
from o11y.routing import alertmanager_yaml
from stacks.offline import Registration, record

PAGING_SECRETS = frozenset({"pagerduty_token", "slack_webhook_url", "smtp_password"})
PD = "pagerduty:index/"


def _run(stack: Stack, with_pagerduty: bool) -> list[Registration]:
    def program() -> None:
        kubernetes = k8s.Provider("k8s", context="kind-test")
        pd = (
            pagerduty.Provider("pd", token=pulumi.Output.secret("token"))
            if with_pagerduty
            else None
        )
        secrets: dict[str, pulumi.Output[str]] = {
            name: pulumi.Output.secret(f"value-of-{name}") for name in sorted(stack.secrets)
        }
        OnCall(
            "oncall",
            OnCallArgs(
                stack=stack, kubernetes=kubernetes, pagerduty=pd, secrets=secrets, namespace="obs"
            ),
        )

    return record(program, "test")


def _of(registrations: Sequence[Registration], kind: str) -> list[Registration]:
    return [r for r in registrations if r.type == kind]


def _reveal(value: object) -> object:
    """A secret input's plain value (the wire marks secrets with a signature key)."""
    if isinstance(value, dict) and "value" in value and len(value) == 2:
        return value["value"]
    return value


def _decoded(secret: Registration) -> dict[str, str]:
    """The values of a Secret written as base64 `data`."""
    assert "stringData" not in secret.inputs
    data = _reveal(secret.inputs["data"])
    assert isinstance(data, dict)
    return {key: base64.b64decode(value).decode() for key, value in data.items()}


def _secret(registrations: Sequence[Registration], name: str) -> Registration:
    (found,) = [
        r
        for r in _of(registrations, "kubernetes:core/v1:Secret")
        if isinstance(r.inputs["metadata"], dict) and r.inputs["metadata"]["name"] == name
    ]
    return found


@pytest.fixture(scope="module")
def prod(prod_stack: Stack) -> tuple[Stack, list[Registration]]:
    stack = prod_stack.model_copy(update={"secrets": PAGING_SECRETS})
    return stack, _run(stack, with_pagerduty=True)


@pytest.fixture(scope="module")
def dev(dev_stack: Stack) -> list[Registration]:
    return _run(dev_stack, with_pagerduty=False)


def test_prod_builds_the_pagerduty_graph_from_the_catalog(
    prod: tuple[Stack, list[Registration]],
) -> None:
    stack, registrations = prod
    people = {m.email for t in stack.teams for m in (*t.rotation, t.lead)}
    assert len(_of(registrations, f"{PD}team:Team")) == len(stack.teams)
    assert len(_of(registrations, f"{PD}user:User")) == len(people) + 1  # + head of engineering
    assert len(_of(registrations, f"{PD}teamMembership:TeamMembership")) == len(people)
    assert len(_of(registrations, f"{PD}schedule:Schedule")) == 2 * len(stack.teams)
    services = _of(registrations, f"{PD}service:Service")
    names = {s.inputs["name"] for s in services}
    assert {s.display_name for s in stack.services} <= names
    assert len(services) == len(stack.services) + len(stack.teams)  # + team-wide services
    assert len(_of(registrations, f"{PD}serviceIntegration:ServiceIntegration")) == len(services)
    assert len(_of(registrations, f"{PD}alertGroupingSetting:AlertGroupingSetting")) == len(
        services
    )


def test_escalation_policies_have_three_levels_on_schedules_then_the_head(
    prod: tuple[Stack, list[Registration]],
) -> None:
    _, registrations = prod
    policies = _of(registrations, f"{PD}escalationPolicy:EscalationPolicy")
    assert len(policies) == 3
    for policy in policies:
        rules = policy.inputs["rules"]
        assert isinstance(rules, list)
        assert [r["escalationDelayInMinutes"] for r in rules] == [15, 15, 15]
        kinds = [r["targets"][0]["type"] for r in rules]
        assert kinds == ["schedule_reference", "schedule_reference", "user_reference"]
        assert rules[2]["targets"][0]["id"] == "oncall-user-head-of-engineering-example-com-id"
        assert policy.inputs["numLoops"] == 2


def test_services_use_severity_urgency_timeouts_and_events_v2(
    prod: tuple[Stack, list[Registration]],
) -> None:
    _, registrations = prod
    gateway = next(
        r
        for r in _of(registrations, f"{PD}service:Service")
        if r.name == "oncall-service-api-gateway"
    )
    assert gateway.inputs["incidentUrgencyRule"] == {
        "type": "constant",
        "urgency": "severity_based",
    }
    assert gateway.inputs["autoResolveTimeout"] == "14400"
    assert gateway.inputs["acknowledgementTimeout"] == "1800"
    assert gateway.inputs["escalationPolicy"] == "oncall-policy-platform-id"
    assert "alertGrouping" not in gateway.inputs  # deprecated fields stay unset
    integration = next(
        r
        for r in _of(registrations, f"{PD}serviceIntegration:ServiceIntegration")
        if r.name == "oncall-service-api-gateway-events"
    )
    assert integration.inputs["type"] == "events_api_v2_inbound_integration"
    assert integration.inputs["service"] == "oncall-service-api-gateway-id"


def test_no_deprecated_pagerduty_resource_types(prod: tuple[Stack, list[Registration]]) -> None:
    _, registrations = prod
    deprecated = ("ruleset", "rulesetRule", "serviceEventRule", "eventRule", "responsePlay")
    for r in registrations:
        assert not any(r.type.startswith(f"{PD}{d}:") for d in deprecated), r.type


def test_every_pagerduty_resource_uses_the_explicit_provider_under_the_component(
    prod: tuple[Stack, list[Registration]],
) -> None:
    _, registrations = prod
    for r in registrations:
        if r.type.startswith(PD):
            assert "pulumi:providers:pagerduty::pd" in r.provider, r.name
            assert r.parent.endswith("o11y:oncall:OnCall::oncall"), r.name
        if r.type.startswith("kubernetes:"):
            assert "pulumi:providers:kubernetes::k8s" in r.provider, r.name


def test_the_keys_secret_holds_integration_keys_and_channel_secrets_as_secrets(
    prod: tuple[Stack, list[Registration]],
) -> None:
    stack, registrations = prod
    keys = _secret(registrations, SECRET_ALERTMANAGER_KEYS)
    assert "data" in keys.secret_inputs
    data = _decoded(keys)
    expected = {f"pagerduty-{s.name}" for s in stack.services} | {
        f"pagerduty-{t.name}-team" for t in stack.teams
    }
    assert set(data) == expected | {"slack_webhook_url", "smtp_password"}
    assert data["pagerduty-api-gateway"] == "mock-integration-key-oncall-service-api-gateway-events"
    assert data["slack_webhook_url"] == "value-of-slack_webhook_url"
    assert keys.inputs["metadata"] == {
        "name": SECRET_ALERTMANAGER_KEYS,
        "namespace": "obs",
        "labels": {"app.kubernetes.io/managed-by": "o11y"},
    }


def test_the_config_secret_is_the_rendered_config(prod: tuple[Stack, list[Registration]]) -> None:
    stack, registrations = prod
    config = _secret(registrations, SECRET_ALERTMANAGER_CONFIG)
    assert "data" in config.secret_inputs
    data = _decoded(config)
    assert data == {"alertmanager.yaml": alertmanager_yaml(stack)}
    assert "value-of-" not in data["alertmanager.yaml"]
    assert "mock-integration-key" not in data["alertmanager.yaml"]
    yaml.safe_load(data["alertmanager.yaml"])


def test_dev_without_a_token_creates_no_pagerduty_resources(dev: list[Registration]) -> None:
    assert not [r for r in dev if r.type.startswith(PD)]
    keys = _secret(dev, SECRET_ALERTMANAGER_KEYS)
    assert _decoded(keys) == {}
    assert _secret(dev, SECRET_ALERTMANAGER_CONFIG)


def test_integration_keys_are_secret_in_the_state(prod: tuple[Stack, list[Registration]]) -> None:
    _, registrations = prod
    integrations = _of(registrations, "pagerduty:index/serviceIntegration:ServiceIntegration")
    assert integrations
    for integration in integrations:
        assert "integrationKey" in integration.additional_secret_outputs, integration.name


def test_pagerduty_side_grouping_can_be_left_to_alertmanager(prod_stack: Stack) -> None:
    pagerduty = prod_stack.oncall.pagerduty.model_copy(update={"alert_grouping": "none"})
    oncall = prod_stack.oncall.model_copy(update={"pagerduty": pagerduty})
    stack = prod_stack.model_copy(update={"secrets": PAGING_SECRETS, "oncall": oncall})
    registrations = _run(stack, with_pagerduty=True)
    assert _of(registrations, "pagerduty:index/service:Service")
    assert not _of(registrations, "pagerduty:index/alertGroupingSetting:AlertGroupingSetting")


def test_the_dead_mans_switch_url_reaches_alertmanager_only_inside_the_secret(
    dev_stack: Stack,
) -> None:
    stack = dev_stack.model_copy(update={"secrets": frozenset({"dead_mans_switch_url"})})
    config = _secret(_run(stack, with_pagerduty=False), SECRET_ALERTMANAGER_CONFIG)
    assert "data" in config.secret_inputs
    rendered = yaml.safe_load(_decoded(config)["alertmanager.yaml"])
    (heartbeat,) = [r for r in rendered["receivers"] if r["name"] == "dead-mans-switch"]
    assert heartbeat["webhook_configs"][0]["url"] == "value-of-dead_mans_switch_url"
