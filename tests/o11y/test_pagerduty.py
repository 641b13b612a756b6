"""The PagerDuty plan derived from the catalog: who is on call, how pages escalate, where they land."""

import pytest

from o11y.model.oncall import Restriction
from o11y.model.stack import Stack
from o11y.pagerduty import (
    EVENTS_API_V2,
    PagerDutyPlan,
    PdTarget,
    pagerduty_plan,
    pagerduty_services,
    paging_enabled,
)

PAGING_SECRETS = frozenset({"pagerduty_token", "slack_webhook_url", "smtp_password"})


@pytest.fixture(scope="module")
def paging_prod(prod_stack: Stack) -> Stack:
    return prod_stack.model_copy(update={"secrets": PAGING_SECRETS})


@pytest.fixture(scope="module")
def plan(paging_prod: Stack) -> PagerDutyPlan:
    return pagerduty_plan(paging_prod)


def test_a_stack_pages_only_with_a_pagerduty_token(dev_stack: Stack) -> None:
    assert not paging_enabled(dev_stack)
    assert paging_enabled(dev_stack.model_copy(update={"secrets": frozenset({"pagerduty_token"})}))


def test_without_a_token_the_plan_is_empty(dev_stack: Stack) -> None:
    assert pagerduty_plan(dev_stack) == PagerDutyPlan((), (), (), (), (), ())
    assert pagerduty_services(dev_stack) == ()


def test_every_person_is_one_user_keyed_by_email(plan: PagerDutyPlan, paging_prod: Stack) -> None:
    emails = {m.email for t in paging_prod.teams for m in (*t.rotation, t.lead)}
    emails.add("head-of-engineering@example.com")
    assert sorted(u.email for u in plan.users) == sorted(emails)
    assert len({u.key for u in plan.users}) == len(plan.users)
    assert next(u for u in plan.users if u.email == "ada@example.com").key == "ada-example-com"


def test_members_join_their_team_with_their_role(plan: PagerDutyPlan) -> None:
    platform = {m.user: m.role for m in plan.memberships if m.team == "platform"}
    assert platform == {
        "ada-example-com": "responder",
        "grace-example-com": "responder",
        "linus-example-com": "responder",
        "margaret-example-com": "manager",
    }
    assert sorted(t.key for t in plan.teams) == ["ai", "platform", "product"]


def test_the_primary_rotates_weekly_through_the_team_and_the_lead_is_secondary(
    plan: PagerDutyPlan,
) -> None:
    schedules = {s.key: s for s in plan.schedules}
    (primary,) = schedules["platform-primary"].layers
    assert primary.users == ("ada-example-com", "grace-example-com", "linus-example-com")
    assert primary.rotation_turn_length_seconds == 7 * 86400
    assert primary.start == "2026-01-05T09:00:00Z"
    (secondary,) = schedules["platform-secondary"].layers
    assert secondary.users == ("margaret-example-com",)
    assert {s.time_zone for s in plan.schedules} == {"UTC"}
    assert len(plan.schedules) == 6


def test_restrictions_from_config_reach_the_primary_layer(paging_prod: Stack) -> None:
    office = Restriction(start_time_of_day="09:00:00", duration_seconds=9 * 3600)
    pd = paging_prod.oncall.pagerduty.model_copy(update={"restrictions": [office]})
    stack = paging_prod.model_copy(
        update={"oncall": paging_prod.oncall.model_copy(update={"pagerduty": pd})}
    )
    primary = next(s for s in pagerduty_plan(stack).schedules if s.key == "ai-primary")
    assert primary.layers[0].restrictions == (office,)


def test_escalation_is_primary_then_lead_after_15_then_head_after_30(plan: PagerDutyPlan) -> None:
    policy = next(p for p in plan.escalation_policies if p.key == "ai")
    assert [(r.delay_minutes, r.targets) for r in policy.rules] == [
        (15, (PdTarget("schedule_reference", "ai-primary"),)),
        (15, (PdTarget("schedule_reference", "ai-secondary"),)),
        (15, (PdTarget("user_reference", "head-of-engineering-example-com"),)),
    ]
    assert policy.loops == 2
    assert len(plan.escalation_policies) == 3


def test_one_pagerduty_service_per_catalog_service_plus_a_team_wide_one(
    plan: PagerDutyPlan, paging_prod: Stack
) -> None:
    by_key = {s.key: s for s in plan.services}
    assert [s.key for s in plan.services] == [
        *(s.name for s in paging_prod.services),
        "platform-team",
        "ai-team",
        "product-team",
    ]
    gateway = by_key["api-gateway"]
    assert (gateway.label, gateway.value, gateway.escalation_policy) == (
        "service",
        "api-gateway",
        "platform",
    )
    assert gateway.routing_key_name == "pagerduty-api-gateway"
    assert (gateway.auto_resolve_timeout, gateway.acknowledgement_timeout) == ("14400", "1800")
    assert (gateway.urgency, gateway.alert_grouping) == ("severity_based", "time")
    assert gateway.alert_grouping_timeout_seconds == 300
    assert (by_key["ai-team"].label, by_key["ai-team"].value) == ("team", "ai")
    assert EVENTS_API_V2 == "events_api_v2_inbound_integration"


def test_one_pagerduty_service_per_team_when_configured(paging_prod: Stack) -> None:
    pd = paging_prod.oncall.pagerduty.model_copy(update={"service_per": "team"})
    stack = paging_prod.model_copy(
        update={"oncall": paging_prod.oncall.model_copy(update={"pagerduty": pd})}
    )
    services = pagerduty_services(stack)
    assert [(s.key, s.label, s.value) for s in services] == [
        ("platform", "team", "platform"),
        ("ai", "team", "ai"),
        ("product", "team", "product"),
    ]


def test_without_a_head_of_engineering_escalation_stops_at_the_lead(dev_stack: Stack) -> None:
    stack = dev_stack.model_copy(update={"secrets": frozenset({"pagerduty_token"})})
    policy = pagerduty_plan(stack).escalation_policies[0]
    assert [r.targets[0].kind for r in policy.rules] == [
        "schedule_reference",
        "schedule_reference",
    ]
