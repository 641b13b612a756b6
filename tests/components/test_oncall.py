"""OnCall under Pulumi mocks: the PagerDuty resource graph, the Alertmanager Secrets, secrecy."""

import base64
from collections import Counter
from collections.abc import Sequence

import pulumi
import pulumi_kubernetes as k8s
import pulumi_pagerduty as pagerduty
import pytest
import yaml

from cli.mocks import Registration, record
from components.oncall import OnCall, OnCallArgs
from o11y.bundle import bundle
from o11y.conventions import SECRET_ALERTMANAGER_CONFIG, SECRET_ALERTMANAGER_KEYS
from o11y.model.stack import Stack
from o11y.routing import alertmanager_yaml
from tests.oncall_stacks import paging_stack

PAGING_SECRETS = frozenset({"pagerduty_token", "slack_webhook_url", "smtp_password"})
PD = "pagerduty:index/"
USER = f"{PD}user:User"
MEMBERSHIP = f"{PD}teamMembership:TeamMembership"
SCHEDULE = f"{PD}schedulev2:Schedulev2"
SERVICE = f"{PD}service:Service"


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
                plan=bundle(stack).oncall, kubernetes=kubernetes, pagerduty=pd, secrets=secrets
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


PRIMARY_USERS = {"oncall-user-ann-corp-test-id", "oncall-user-bob-corp-test-id"}
HEAD = {"name": "Hal", "email": "hal@corp.test", "role": "manager"}


@pytest.fixture(scope="module")
def paging() -> tuple[Stack, list[Registration]]:
    stack = paging_stack(head_of_engineering=HEAD).model_copy(update={"secrets": PAGING_SECRETS})
    return stack, _run(stack, with_pagerduty=True)


@pytest.fixture(scope="module")
def without_teams() -> list[Registration]:
    stack = paging_stack(teams=False).model_copy(update={"secrets": PAGING_SECRETS})
    return _run(stack, with_pagerduty=True)


@pytest.fixture(scope="module")
def dev() -> list[Registration]:
    return _run(paging_stack().model_copy(update={"secrets": frozenset()}), with_pagerduty=False)


def _named(registrations: Sequence[Registration], name: str) -> Registration:
    (found,) = [r for r in registrations if r.name == name]
    return found


def test_the_pagerduty_graph_has_one_of_each_object_the_plan_asks_for(
    paging: tuple[Stack, list[Registration]],
) -> None:
    _, registrations = paging
    counts = Counter(r.type.removeprefix(PD) for r in registrations if r.type.startswith(PD))
    assert counts == {
        "user:User": 6,
        "team:Team": 2,
        "teamMembership:TeamMembership": 5,
        "schedulev2:Schedulev2": 4,
        "escalationPolicy:EscalationPolicy": 2,
        "service:Service": 4,
        "serviceIntegration:ServiceIntegration": 4,
        "alertGroupingSetting:AlertGroupingSetting": 4,
    }


def test_users_get_the_account_role_that_matches_their_team_role(
    paging: tuple[Stack, list[Registration]],
) -> None:
    _, registrations = paging
    users = {r.name: (r.inputs["email"], r.inputs["role"]) for r in _of(registrations, USER)}
    assert users == {
        "oncall-user-ann-corp-test": ("ann@corp.test", "limited_user"),
        "oncall-user-bob-corp-test": ("bob@corp.test", "limited_user"),
        "oncall-user-lea-corp-test": ("lea@corp.test", "user"),
        "oncall-user-cy-corp-test": ("cy@corp.test", "limited_user"),
        "oncall-user-dee-corp-test": ("dee@corp.test", "user"),
        "oncall-user-hal-corp-test": ("hal@corp.test", "user"),
    }
    memberships = {
        r.name: (r.inputs["teamId"], r.inputs["userId"], r.inputs["role"])
        for r in _of(registrations, MEMBERSHIP)
    }
    assert memberships == {
        "oncall-member-core-ann-corp-test": (
            "oncall-team-core-id",
            "oncall-user-ann-corp-test-id",
            "responder",
        ),
        "oncall-member-core-bob-corp-test": (
            "oncall-team-core-id",
            "oncall-user-bob-corp-test-id",
            "responder",
        ),
        "oncall-member-core-lea-corp-test": (
            "oncall-team-core-id",
            "oncall-user-lea-corp-test-id",
            "manager",
        ),
        "oncall-member-web-cy-corp-test": (
            "oncall-team-web-id",
            "oncall-user-cy-corp-test-id",
            "responder",
        ),
        "oncall-member-web-dee-corp-test": (
            "oncall-team-web-id",
            "oncall-user-dee-corp-test-id",
            "manager",
        ),
    }


def test_schedules_are_shift_based_schedules_with_the_plan_s_rotation(
    paging: tuple[Stack, list[Registration]],
) -> None:
    _, registrations = paging
    assert not _of(registrations, f"{PD}schedule:Schedule")  # the deprecated type
    primary = _named(registrations, "oncall-schedule-core-primary")
    assert primary.type == SCHEDULE
    assert primary.inputs == {
        "name": "Core primary on-call",
        "timeZone": "Etc/UTC",
        "teams": ["oncall-team-core-id"],
        "rotations": [
            {
                "events": [
                    {
                        "name": "Primary on-call",
                        "startTime": "2026-01-05T09:00:00+00:00",
                        "endTime": "2026-01-12T09:00:00+00:00",
                        "effectiveSince": "2026-01-05T09:00:00Z",
                        "recurrences": ["RRULE:FREQ=WEEKLY"],
                        "assignmentStrategies": [
                            {
                                "type": "rotating_member_assignment_strategy",
                                "shiftsPerMember": 1,
                                "members": [
                                    {
                                        "type": "user_member",
                                        "userId": "oncall-user-ann-corp-test-id",
                                    },
                                    {
                                        "type": "user_member",
                                        "userId": "oncall-user-bob-corp-test-id",
                                    },
                                ],
                            }
                        ],
                    }
                ]
            }
        ],
    }
    # A schedule's users must be on its team first; it waits for their memberships only.
    memberships = _of(registrations, MEMBERSHIP)
    own = {r.urn for r in memberships if r.inputs["userId"] in PRIMARY_USERS}
    assert own and len(own) < len(memberships)
    assert {d for d in primary.dependencies if d in {r.urn for r in memberships}} == own


def test_escalation_policies_go_primary_lead_head_and_belong_to_the_team(
    paging: tuple[Stack, list[Registration]],
) -> None:
    _, registrations = paging
    policy = _named(registrations, "oncall-policy-web")
    assert policy.inputs == {
        "name": "Web escalation",
        "description": "Managed by Pulumi",  # the SDK's default
        "numLoops": 2,
        "teams": "oncall-team-web-id",
        "rules": [
            {
                "escalationDelayInMinutes": 15,
                "targets": [{"type": "schedule_reference", "id": "oncall-schedule-web-primary-id"}],
            },
            {
                "escalationDelayInMinutes": 15,
                "targets": [
                    {"type": "schedule_reference", "id": "oncall-schedule-web-secondary-id"}
                ],
            },
            {
                "escalationDelayInMinutes": 15,
                "targets": [{"type": "user_reference", "id": "oncall-user-hal-corp-test-id"}],
            },
        ],
    }


def test_without_pagerduty_teams_there_are_no_teams_and_nothing_names_one(
    without_teams: list[Registration],
) -> None:
    assert not _of(without_teams, f"{PD}team:Team")
    assert not _of(without_teams, MEMBERSHIP)
    for schedule in _of(without_teams, SCHEDULE):
        assert "teams" not in schedule.inputs, schedule.name
    policies = _of(without_teams, f"{PD}escalationPolicy:EscalationPolicy")
    assert len(policies) == 2
    for policy in policies:
        assert "teams" not in policy.inputs, policy.name
    services = _of(without_teams, SERVICE)
    assert len(services) == 4
    for service in services:
        assert "teams" not in service.inputs, service.name
    roles = {r.name: r.inputs["role"] for r in _of(without_teams, USER)}
    assert roles["oncall-user-lea-corp-test"] == "user"
    assert roles["oncall-user-ann-corp-test"] == "limited_user"


def test_services_use_severity_urgency_timeouts_and_events_v2(
    paging: tuple[Stack, list[Registration]],
) -> None:
    _, registrations = paging
    api = _named(registrations, "oncall-service-api")
    assert api.inputs["name"] == "API"
    assert api.inputs["incidentUrgencyRule"] == {"type": "constant", "urgency": "severity_based"}
    assert api.inputs["autoResolveTimeout"] == "14400"
    assert api.inputs["acknowledgementTimeout"] == "1800"
    assert api.inputs["escalationPolicy"] == "oncall-policy-core-id"
    assert "alertGrouping" not in api.inputs  # deprecated fields stay unset
    integration = _named(registrations, "oncall-service-api-events")
    assert integration.inputs["type"] == "events_api_v2_inbound_integration"
    assert integration.inputs["service"] == "oncall-service-api-id"


def test_no_deprecated_pagerduty_resource_types(
    paging: tuple[Stack, list[Registration]],
) -> None:
    _, registrations = paging
    deprecated = (
        "schedule",
        "ruleset",
        "rulesetRule",
        "serviceEventRule",
        "eventRule",
        "responsePlay",
    )
    for r in registrations:
        assert not any(r.type.startswith(f"{PD}{d}:") for d in deprecated), r.type


def test_every_pagerduty_resource_uses_the_explicit_provider_under_the_component(
    paging: tuple[Stack, list[Registration]],
) -> None:
    _, registrations = paging
    for r in registrations:
        if r.type.startswith(PD):
            assert "pulumi:providers:pagerduty::pd" in r.provider, r.name
            assert r.parent.endswith("o11y:oncall:OnCall::oncall"), r.name
        if r.type.startswith("kubernetes:"):
            assert "pulumi:providers:kubernetes::k8s" in r.provider, r.name


def test_the_keys_secret_holds_integration_keys_and_channel_secrets_as_secrets(
    paging: tuple[Stack, list[Registration]],
) -> None:
    stack, registrations = paging
    keys = _secret(registrations, SECRET_ALERTMANAGER_KEYS)
    assert "data" in keys.secret_inputs
    data = _decoded(keys)
    assert set(data) == {
        "pagerduty-api",
        "pagerduty-shop",
        "pagerduty-core-team",
        "pagerduty-web-team",
        "slack_webhook_url",
        "smtp_password",
    }
    assert data["pagerduty-api"] == "mock-integration-key-oncall-service-api-events"
    assert data["slack_webhook_url"] == "value-of-slack_webhook_url"
    assert keys.inputs["metadata"] == {
        "name": SECRET_ALERTMANAGER_KEYS,
        "namespace": stack.kubernetes.namespace,
        "labels": {"app.kubernetes.io/managed-by": "o11y"},
    }


def test_the_config_secret_is_the_rendered_config(paging: tuple[Stack, list[Registration]]) -> None:
    stack, registrations = paging
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


def test_integration_keys_are_secret_in_the_state(paging: tuple[Stack, list[Registration]]) -> None:
    _, registrations = paging
    integrations = _of(registrations, "pagerduty:index/serviceIntegration:ServiceIntegration")
    assert integrations
    for integration in integrations:
        assert "integrationKey" in integration.additional_secret_outputs, integration.name


def test_pagerduty_side_grouping_can_be_left_to_alertmanager() -> None:
    stack = paging_stack(alert_grouping="none").model_copy(update={"secrets": PAGING_SECRETS})
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
