"""The PagerDuty plan derived from the catalog: who is on call, how pages escalate, where they land."""

import pytest

from o11y.model.stack import Stack
from o11y.pagerduty import (
    EVENTS_API_V2,
    PagerDutyPlan,
    PdShift,
    PdTarget,
    pagerduty_plan,
    pagerduty_services,
    paging_enabled,
)
from tests.oncall_stacks import paging_stack

HEAD = {"name": "Hal", "email": "hal@corp.test", "role": "manager"}
CORE = ("ann-corp-test", "bob-corp-test")


@pytest.fixture(scope="module")
def plan() -> PagerDutyPlan:
    return pagerduty_plan(paging_stack(head_of_engineering=HEAD))


def _primary(stack: Stack) -> tuple[PdShift, ...]:
    return next(s for s in pagerduty_plan(stack).schedules if s.key == "core-primary").shifts


def test_a_stack_pages_only_with_a_pagerduty_token() -> None:
    stack = paging_stack()
    assert paging_enabled(stack)
    assert not paging_enabled(stack.model_copy(update={"secrets": frozenset()}))


def test_without_a_token_the_plan_is_empty() -> None:
    stack = paging_stack().model_copy(update={"secrets": frozenset()})
    assert pagerduty_plan(stack) == PagerDutyPlan((), (), (), (), (), ())
    assert pagerduty_services(stack) == ()


def test_every_person_is_one_user_keyed_by_email_with_the_account_role_of_their_team_role(
    plan: PagerDutyPlan,
) -> None:
    assert [(u.key, u.email, u.role) for u in plan.users] == [
        ("ann-corp-test", "ann@corp.test", "limited_user"),
        ("bob-corp-test", "bob@corp.test", "limited_user"),
        ("lea-corp-test", "lea@corp.test", "user"),
        ("cy-corp-test", "cy@corp.test", "limited_user"),
        ("dee-corp-test", "dee@corp.test", "user"),
        ("hal-corp-test", "hal@corp.test", "user"),
    ]


def test_a_person_in_two_teams_is_one_user_and_two_memberships() -> None:
    data = paging_stack().model_dump()
    data["teams"][1]["rotation"].append({"name": "Ann", "email": "ann@corp.test"})
    plan = pagerduty_plan(Stack.model_validate(data))
    assert [u.key for u in plan.users].count("ann-corp-test") == 1
    assert [(m.team, m.role) for m in plan.memberships if m.user == "ann-corp-test"] == [
        ("core", "responder"),
        ("web", "responder"),
    ]


def test_members_join_their_team_with_their_role(plan: PagerDutyPlan) -> None:
    assert [(m.key, m.team, m.user, m.role) for m in plan.memberships] == [
        ("core-ann-corp-test", "core", "ann-corp-test", "responder"),
        ("core-bob-corp-test", "core", "bob-corp-test", "responder"),
        ("core-lea-corp-test", "core", "lea-corp-test", "manager"),
        ("web-cy-corp-test", "web", "cy-corp-test", "responder"),
        ("web-dee-corp-test", "web", "dee-corp-test", "manager"),
    ]
    assert [(t.key, t.name) for t in plan.teams] == [("core", "Core"), ("web", "Web")]
    assert {s.team for s in plan.schedules} == {"core", "web"}
    assert [p.team for p in plan.escalation_policies] == ["core", "web"]


def test_without_pagerduty_teams_nothing_belongs_to_a_team() -> None:
    plan = pagerduty_plan(paging_stack(teams=False, head_of_engineering=HEAD))
    assert (plan.teams, plan.memberships) == ((), ())
    assert [s.team for s in plan.schedules] == [None, None, None, None]
    assert [p.team for p in plan.escalation_policies] == [None, None]
    # Users keep the account role of their team role: it is what they may do in the account.
    assert {u.key: u.role for u in plan.users}["lea-corp-test"] == "user"
    assert len(plan.services) == 4


def test_the_primary_rotates_weekly_around_the_clock_and_the_lead_is_secondary(
    plan: PagerDutyPlan,
) -> None:
    schedules = {s.key: s for s in plan.schedules}
    core = schedules["core-primary"]
    assert (core.name, core.time_zone) == ("Core primary on-call", "Etc/UTC")
    assert core.shifts == (
        PdShift(
            name="Primary on-call",
            start="2026-01-05T09:00:00+00:00",
            end="2026-01-12T09:00:00+00:00",
            effective_since="2026-01-05T09:00:00Z",
            recurrence="RRULE:FREQ=WEEKLY",
            users=CORE,
            shifts_per_member=1,
        ),
    )
    (lead,) = schedules["core-secondary"].shifts
    assert (lead.name, lead.users, lead.recurrence) == (
        "Engineering lead",
        ("lea-corp-test",),
        "RRULE:FREQ=WEEKLY",
    )
    assert [s.key for s in plan.schedules] == [
        "core-primary",
        "core-secondary",
        "web-primary",
        "web-secondary",
    ]


@pytest.mark.parametrize(
    ("days", "recurrence", "end"),
    [
        pytest.param(1, "RRULE:FREQ=DAILY", "2026-01-06T09:00", id="a one-day turn repeats daily"),
        pytest.param(
            3,
            "RRULE:FREQ=DAILY;INTERVAL=3",
            "2026-01-08T09:00",
            id="a three-day turn, every 3 days",
        ),
        pytest.param(
            14,
            "RRULE:FREQ=WEEKLY;INTERVAL=2",
            "2026-01-19T09:00",
            id="a two-week turn, every 2 weeks",
        ),
    ],
)
def test_the_turn_length_sets_the_window_and_its_recurrence(
    days: int, recurrence: str, end: str
) -> None:
    (shift,) = _primary(paging_stack(rotation_days=days))
    assert shift.recurrence == recurrence
    assert shift.end.startswith(end)
    assert shift.shifts_per_member == 1


def test_a_daily_restriction_is_a_daily_window_each_person_holds_for_a_whole_turn() -> None:
    office = {"start_time_of_day": "10:00:00", "duration_seconds": 8 * 3600}
    stack = paging_stack(restrictions=[office], rotation_start="2026-01-05T09:00:00Z")
    assert _primary(stack) == (
        PdShift(
            name="Primary on-call",
            start="2026-01-05T10:00:00+00:00",
            end="2026-01-05T18:00:00+00:00",
            effective_since="2026-01-05T09:00:00Z",
            recurrence="RRULE:FREQ=DAILY",
            users=CORE,
            shifts_per_member=7,
        ),
    )
    # The secondary stays around the clock.
    secondary = next(s for s in pagerduty_plan(stack).schedules if s.key == "core-secondary")
    assert secondary.shifts[0].recurrence == "RRULE:FREQ=WEEKLY"


def test_a_window_earlier_in_the_day_than_the_hand_over_starts_the_next_day() -> None:
    early = {"start_time_of_day": "08:00:00", "duration_seconds": 3600}
    (shift,) = _primary(paging_stack(restrictions=[early]))
    assert (shift.start, shift.end) == ("2026-01-06T08:00:00+00:00", "2026-01-06T09:00:00+00:00")


def test_weekly_restrictions_are_weekly_windows_on_their_day_in_the_schedule_time_zone() -> None:
    weekend = {
        "type": "weekly_restriction",
        "start_day_of_week": 6,
        "start_time_of_day": "00:00:00",
        "duration_seconds": 2 * 86400,
    }
    nights = {"start_time_of_day": "20:00:00", "duration_seconds": 12 * 3600}
    stack = paging_stack(
        restrictions=[nights, weekend],
        time_zone="Europe/Berlin",
        rotation_start="2026-03-23T09:00:00+01:00",  # a Monday
        rotation_days=14,
    )
    assert [
        (s.name, s.start, s.end, s.recurrence, s.shifts_per_member) for s in _primary(stack)
    ] == [
        (
            "Primary on-call 1",
            "2026-03-23T20:00:00+01:00",
            "2026-03-24T08:00:00+01:00",
            "RRULE:FREQ=DAILY",
            14,
        ),
        (
            # Summer time starts on Sunday 29 March: the window ends at Monday 00:00 local time.
            "Primary on-call 2",
            "2026-03-28T00:00:00+01:00",
            "2026-03-30T00:00:00+02:00",
            "RRULE:FREQ=WEEKLY",
            2,
        ),
    ]
    assert {s.effective_since for s in _primary(stack)} == {"2026-03-23T08:00:00Z"}


def test_escalation_is_primary_then_lead_after_15_then_head_after_30(plan: PagerDutyPlan) -> None:
    policy = next(p for p in plan.escalation_policies if p.key == "web")
    assert [(r.delay_minutes, r.targets) for r in policy.rules] == [
        (15, (PdTarget("schedule_reference", "web-primary"),)),
        (15, (PdTarget("schedule_reference", "web-secondary"),)),
        (15, (PdTarget("user_reference", "hal-corp-test"),)),
    ]
    assert (policy.name, policy.loops) == ("Web escalation", 2)


def test_without_a_head_of_engineering_escalation_stops_at_the_lead() -> None:
    policy = pagerduty_plan(paging_stack()).escalation_policies[0]
    assert [r.targets[0].kind for r in policy.rules] == [
        "schedule_reference",
        "schedule_reference",
    ]


def test_one_pagerduty_service_per_catalog_service_plus_a_team_wide_one(
    plan: PagerDutyPlan,
) -> None:
    assert [(s.key, s.name, s.label, s.value, s.escalation_policy) for s in plan.services] == [
        ("api", "API", "service", "api", "core"),
        ("shop", "Shop", "service", "shop", "web"),
        ("core-team", "Core (team-wide)", "team", "core", "core"),
        ("web-team", "Web (team-wide)", "team", "web", "web"),
    ]
    api = plan.services[0]
    assert api.routing_key_name == "pagerduty-api"
    assert (api.auto_resolve_timeout, api.acknowledgement_timeout) == ("14400", "1800")
    assert (api.urgency, api.alert_grouping, api.alert_grouping_timeout_seconds) == (
        "severity_based",
        "time",
        300,
    )
    assert EVENTS_API_V2 == "events_api_v2_inbound_integration"


def test_one_pagerduty_service_per_team_when_configured() -> None:
    services = pagerduty_services(paging_stack(service_per="team"))
    assert [(s.key, s.name, s.label, s.value) for s in services] == [
        ("core", "Core", "team", "core"),
        ("web", "Web", "team", "web"),
    ]
