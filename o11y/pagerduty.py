"""The PagerDuty plan: every PagerDuty object the catalog asks for, as plain data.

Teams and their members, a weekly primary and a secondary (engineering lead) schedule per team,
a three-level escalation policy per team (seed 003: on-call engineer at once, engineering lead
at 15 min, head of engineering at 30 min), and one PagerDuty service with an Events API v2
integration per catalog service (or per team). `components/oncall.py` only wires this plan to
`pulumi_pagerduty` resources; Alertmanager routing (o11y/routing.py) reads the same services to
route each page to its integration key.
"""

import re
from dataclasses import dataclass
from typing import Literal

from o11y.model.catalog import Member, Team
from o11y.model.oncall import Restriction
from o11y.model.stack import Stack

# The Kubernetes Secret key holding each PagerDuty service's Events API v2 routing key.
ROUTING_KEY_PREFIX = "pagerduty-"
# PagerDuty's integration type for the Events API v2 (Alertmanager speaks v2).
EVENTS_API_V2 = "events_api_v2_inbound_integration"
# "severity_based": PagerDuty derives urgency from the event's severity: critical and error
# open high-urgency incidents (they escalate), warning and info low-urgency ones (they notify).
# https://support.pagerduty.com/main/docs/dynamic-notifications
URGENCY = "severity_based"

TeamRole = Literal["responder", "manager", "observer"]
TargetKind = Literal["schedule_reference", "user_reference"]


@dataclass(frozen=True)
class PdUser:
    key: str  # stable resource-name part
    name: str
    email: str


@dataclass(frozen=True)
class PdTeam:
    key: str
    name: str
    description: str


@dataclass(frozen=True)
class PdMembership:
    key: str
    team: str  # PdTeam.key
    user: str  # PdUser.key
    role: TeamRole


@dataclass(frozen=True)
class PdLayer:
    name: str
    users: tuple[str, ...]  # PdUser.key, in rotation order
    start: str
    rotation_turn_length_seconds: int
    restrictions: tuple[Restriction, ...]


@dataclass(frozen=True)
class PdSchedule:
    key: str
    name: str
    team: str
    time_zone: str
    layers: tuple[PdLayer, ...]


@dataclass(frozen=True)
class PdTarget:
    kind: TargetKind
    ref: str  # PdSchedule.key or PdUser.key


@dataclass(frozen=True)
class PdEscalationRule:
    delay_minutes: int  # before the incident escalates away from this rule
    targets: tuple[PdTarget, ...]


@dataclass(frozen=True)
class PdEscalationPolicy:
    key: str
    name: str
    team: str
    loops: int
    rules: tuple[PdEscalationRule, ...]


@dataclass(frozen=True)
class PdService:
    """One PagerDuty service, the Alertmanager label that selects its pages, and its key file."""

    key: str
    name: str
    description: str
    team: str
    escalation_policy: str  # PdEscalationPolicy.key
    # Pages with `label="value"` are sent to this service's integration.
    label: str
    value: str
    routing_key_name: str  # key in the keys Secret (and file name in Alertmanager)
    # PagerDuty wants seconds as a string; "null" switches the timeout off.
    auto_resolve_timeout: str
    acknowledgement_timeout: str
    urgency: str
    alert_grouping: str | None  # None: no PagerDuty-side grouping
    alert_grouping_timeout_seconds: int


@dataclass(frozen=True)
class PagerDutyPlan:
    users: tuple[PdUser, ...]
    teams: tuple[PdTeam, ...]
    memberships: tuple[PdMembership, ...]
    schedules: tuple[PdSchedule, ...]
    escalation_policies: tuple[PdEscalationPolicy, ...]
    services: tuple[PdService, ...]


def paging_enabled(stack: Stack) -> bool:
    """A stack pages people through PagerDuty iff it has a PagerDuty API token."""
    return "pagerduty_token" in stack.secrets


def pagerduty_plan(stack: Stack) -> PagerDutyPlan:
    """Every PagerDuty object of the stack; empty when the stack does not page (dev)."""
    if not paging_enabled(stack):
        return PagerDutyPlan((), (), (), (), (), ())
    head = stack.oncall.pagerduty.head_of_engineering
    people = [m for team in stack.teams for m in (*team.rotation, team.lead)]
    users = {user_key(m): PdUser(user_key(m), m.name, m.email) for m in people}
    if head is not None:
        users.setdefault(user_key(head), PdUser(user_key(head), head.name, head.email))
    return PagerDutyPlan(
        users=tuple(users.values()),
        teams=tuple(
            PdTeam(t.name, t.display_name, f"{t.display_name} on-call") for t in stack.teams
        ),
        memberships=tuple(m for team in stack.teams for m in _memberships(team)),
        schedules=tuple(s for team in stack.teams for s in _schedules(stack, team)),
        escalation_policies=tuple(_escalation_policy(stack, team) for team in stack.teams),
        services=pagerduty_services(stack),
    )


def pagerduty_services(stack: Stack) -> tuple[PdService, ...]:
    """The PagerDuty services pages go to, in routing order (most specific label first).

    Per catalog service: one PagerDuty service each, matched on the `service` label, plus one
    team-wide service per team for the team's pages that name no service (dependencies,
    certificates). Per team: one service per team, matched on the `team` label.
    """
    if not paging_enabled(stack):
        return ()
    if stack.oncall.pagerduty.service_per == "team":
        return tuple(_service(stack, t, t.name, t.display_name, "team") for t in stack.teams)
    per_service = tuple(
        _service(stack, stack.team(s.team), s.name, s.display_name, "service", value=s.name)
        for s in stack.services
    )
    per_team = tuple(
        _service(stack, t, f"{t.name}-team", f"{t.display_name} (team-wide)", "team")
        for t in stack.teams
    )
    return per_service + per_team


def user_key(member: Member) -> str:
    """A resource-name-safe key for a person, from their e-mail (unique per person)."""
    return re.sub(r"[^a-z0-9]+", "-", member.email.lower()).strip("-")


def schedule_key(team: str, level: Literal["primary", "secondary"]) -> str:
    return f"{team}-{level}"


def _memberships(team: Team) -> list[PdMembership]:
    members = {user_key(m): m for m in (*team.rotation, team.lead)}
    return [
        PdMembership(f"{team.name}-{key}", team.name, key, member.role)
        for key, member in members.items()
    ]


def _schedules(stack: Stack, team: Team) -> list[PdSchedule]:
    pd = stack.oncall.pagerduty
    week = pd.rotation_days * 86400
    primary = PdLayer(
        name="Weekly rotation",
        users=tuple(user_key(m) for m in team.rotation),
        start=pd.rotation_start,
        rotation_turn_length_seconds=week,
        restrictions=tuple(pd.restrictions),
    )
    # The secondary is the engineering lead, always (seed 003 task 3.3).
    secondary = PdLayer(
        name="Engineering lead",
        users=(user_key(team.lead),),
        start=pd.rotation_start,
        rotation_turn_length_seconds=week,
        restrictions=(),
    )
    return [
        PdSchedule(
            schedule_key(team.name, "primary"),
            f"{team.display_name} primary on-call",
            team.name,
            pd.time_zone,
            (primary,),
        ),
        PdSchedule(
            schedule_key(team.name, "secondary"),
            f"{team.display_name} secondary on-call",
            team.name,
            pd.time_zone,
            (secondary,),
        ),
    ]


def _escalation_policy(stack: Stack, team: Team) -> PdEscalationPolicy:
    escalation = stack.oncall.pagerduty.escalation
    head = stack.oncall.pagerduty.head_of_engineering
    rules = [
        # Level 1: the primary on-call at once; escalates after `lead_after_minutes`.
        PdEscalationRule(
            escalation.lead_after_minutes,
            (PdTarget("schedule_reference", schedule_key(team.name, "primary")),),
        ),
        # Level 2: the engineering lead (secondary schedule); escalates `head_after_minutes` later.
        PdEscalationRule(
            escalation.head_after_minutes,
            (PdTarget("schedule_reference", schedule_key(team.name, "secondary")),),
        ),
    ]
    if head is not None:
        # Level 3: the head of engineering; the delay here is how long before the policy loops.
        rules.append(
            PdEscalationRule(
                escalation.head_after_minutes, (PdTarget("user_reference", user_key(head)),)
            )
        )
    return PdEscalationPolicy(
        key=team.name,
        name=f"{team.display_name} escalation",
        team=team.name,
        loops=escalation.loops,
        rules=tuple(rules),
    )


def _service(
    stack: Stack,
    team: Team,
    key: str,
    display_name: str,
    label: Literal["service", "team"],
    value: str | None = None,
) -> PdService:
    pd = stack.oncall.pagerduty
    return PdService(
        key=key,
        name=display_name,
        description=f"Alertmanager pages for {display_name}, owned by {team.display_name}.",
        team=team.name,
        escalation_policy=team.name,
        label=label,
        value=value or team.name,
        routing_key_name=f"{ROUTING_KEY_PREFIX}{key}",
        auto_resolve_timeout=_seconds(pd.auto_resolve_timeout_seconds),
        acknowledgement_timeout=_seconds(pd.acknowledgement_timeout_seconds),
        urgency=URGENCY,
        alert_grouping=None if pd.alert_grouping == "none" else pd.alert_grouping,
        alert_grouping_timeout_seconds=pd.alert_grouping_window_seconds,
    )


def _seconds(value: int | None) -> str:
    return "null" if value is None else str(value)
