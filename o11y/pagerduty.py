"""The PagerDuty plan: every PagerDuty object the catalog asks for, as plain data.

Users with their account role, teams and their members (on accounts with PagerDuty Teams), a
weekly primary and a secondary (engineering lead) shift-based schedule per team,
a three-level escalation policy per team (on-call engineer at once, engineering lead
at 15 min, head of engineering at 30 min), and one PagerDuty service with an Events API v2
integration per catalog service (or per team). `components/oncall.py` only wires this plan to
`pulumi_pagerduty` resources; Alertmanager routing (o11y/routing.py) reads the same services to
route each page to its integration key.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from o11y.conventions import pagerduty_team_wide_service_name
from o11y.model.catalog import Member, Team, TeamRole
from o11y.model.oncall import PagerDuty, Restriction
from o11y.model.stack import Stack
from o11y.once import once_per_stack

# The Kubernetes Secret key holding each PagerDuty service's Events API v2 routing key.
ROUTING_KEY_PREFIX = "pagerduty-"
# PagerDuty's integration type for the Events API v2 (Alertmanager speaks v2).
EVENTS_API_V2 = "events_api_v2_inbound_integration"
# "severity_based": PagerDuty derives urgency from the event's severity: critical and error
# open high-urgency incidents (they escalate), warning and info low-urgency ones (they notify).
# https://support.pagerduty.com/main/docs/dynamic-notifications
URGENCY = "severity_based"

AccountRole = Literal["user", "limited_user"]
TargetKind = Literal["schedule_reference", "user_reference"]

# A user's account (base) role, from their team role. The provider's pagerduty_team_membership
# documentation: "User role of `user` is a Team role of `manager`; User role of `limited_user` is
# a Team role of `responder`". PagerDuty reports the team role implied by the account role, and
# the provider re-reads a membership until the role it reports equals the configured one (erroring
# after two minutes), so each user gets the account role whose team role is the configured one.
# pagerduty_user's own default, `user`, would make every responder a manager.
ACCOUNT_ROLES: dict[TeamRole, AccountRole] = {"manager": "user", "responder": "limited_user"}

# Schedulev2 assignment: members take turns, each for `shifts_per_member` occurrences.
ROTATING = "rotating_member_assignment_strategy"


@dataclass(frozen=True)
class PdUser:
    key: str  # stable resource-name part
    name: str
    email: str
    role: AccountRole


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
class PdShift:
    """A recurring on-call window the users take in turns (a Schedulev2 event)."""

    name: str
    # The first occurrence, RFC 3339 with the schedule time zone's offset.
    start: str
    end: str
    effective_since: str  # RFC 3339 UTC: when the shifts begin
    recurrence: str  # RFC 5545 RRULE
    users: tuple[str, ...]  # PdUser.key, in turn order
    shifts_per_member: int  # occurrences each user covers before the next takes over


@dataclass(frozen=True)
class PdSchedule:
    key: str
    name: str
    team: str | None  # PdTeam.key; None on accounts without PagerDuty Teams
    time_zone: str
    shifts: tuple[PdShift, ...]  # one rotation: its shifts hand over together


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
    team: str | None  # PdTeam.key; None on accounts without PagerDuty Teams
    loops: int
    rules: tuple[PdEscalationRule, ...]


@dataclass(frozen=True)
class PdService:
    """One PagerDuty service, the Alertmanager label that selects its pages, and its key file."""

    key: str
    name: str
    description: str
    team: str  # the owning catalog team
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


@once_per_stack
def pagerduty_plan(stack: Stack) -> PagerDutyPlan:
    """Every PagerDuty object of the stack; empty when the stack does not page (dev)."""
    if not paging_enabled(stack):
        return PagerDutyPlan((), (), (), (), (), ())
    pd = stack.oncall.pagerduty
    people = [m for team in stack.teams for m in (*team.rotation, team.lead)]
    if pd.head_of_engineering is not None:
        people.append(pd.head_of_engineering)
    # The stack model guarantees one role per person.
    users = {
        user_key(m): PdUser(user_key(m), m.name, m.email, ACCOUNT_ROLES[m.role]) for m in people
    }
    teams = stack.teams if pd.teams else []
    return PagerDutyPlan(
        users=tuple(users.values()),
        teams=tuple(PdTeam(t.name, t.display_name, f"{t.display_name} on-call") for t in teams),
        memberships=tuple(m for team in teams for m in _memberships(team)),
        schedules=tuple(s for team in stack.teams for s in _schedules(pd, team)),
        escalation_policies=tuple(_escalation_policy(pd, team) for team in stack.teams),
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
        _service(
            stack, t, f"{t.name}-team", pagerduty_team_wide_service_name(t.display_name), "team"
        )
        for t in stack.teams
    )
    return per_service + per_team


# The kinds of PagerDuty object, as they appear in their Pulumi resource names.
ResourceKind = Literal["user", "team", "member", "schedule", "policy", "service"]


def resource_name(component: str, kind: ResourceKind, key: str) -> str:
    """The Pulumi name of a PagerDuty object's resource in the OnCall component `component`."""
    return f"{component}-{kind}-{key}"


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


def _schedules(pd: PagerDuty, team: Team) -> list[PdSchedule]:
    team_key = team.name if pd.teams else None
    primary = _shifts("Primary on-call", tuple(user_key(m) for m in team.rotation), pd)
    # The secondary is the engineering lead, always, around the clock.
    secondary = _shifts("Engineering lead", (user_key(team.lead),), pd, restricted=False)
    return [
        PdSchedule(
            schedule_key(team.name, "primary"),
            f"{team.display_name} primary on-call",
            team_key,
            pd.time_zone,
            primary,
        ),
        PdSchedule(
            schedule_key(team.name, "secondary"),
            f"{team.display_name} secondary on-call",
            team_key,
            pd.time_zone,
            secondary,
        ),
    ]


def _shifts(
    name: str, users: tuple[str, ...], pd: PagerDuty, restricted: bool = True
) -> tuple[PdShift, ...]:
    """The shifts of one rotation that hands over every `rotation_days` at `rotation_start`.

    Around the clock: one window as long as a turn, recurring every turn, one turn per user.
    Restricted: one window per restriction, each a day's or a week's occurrence; a user covers as
    many occurrences as fall in one turn, so every window hands over with the turn.
    """
    zone = ZoneInfo(pd.time_zone)
    handover = datetime.fromisoformat(pd.rotation_start).astimezone(zone)
    since = handover.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    restrictions = pd.restrictions if restricted else []
    if not restrictions:
        end = handover + timedelta(days=pd.rotation_days)
        recurrence = _every_days(pd.rotation_days)
        return (PdShift(name, _rfc3339(handover), _rfc3339(end), since, recurrence, users, 1),)
    shifts = []
    for i, restriction in enumerate(restrictions, start=1):
        first, period_days = _first_window(restriction, handover)
        end = first + timedelta(seconds=restriction.duration_seconds)
        shifts.append(
            PdShift(
                name if len(restrictions) == 1 else f"{name} {i}",
                _rfc3339(first),
                _rfc3339(end),
                since,
                _every_days(period_days),
                users,
                pd.rotation_days // period_days,
            )
        )
    return tuple(shifts)


def _first_window(restriction: Restriction, handover: datetime) -> tuple[datetime, int]:
    """The restriction's first window starting at or after the hand-over, and its period in days.

    Datetime arithmetic on zone-aware values is wall-clock time, as PagerDuty's schedule is.
    """
    hour, minute, second = (int(part) for part in restriction.start_time_of_day.split(":"))
    first = handover.replace(hour=hour, minute=minute, second=second)
    period_days = 1
    if restriction.start_day_of_week is not None:
        period_days = 7
        first += timedelta(days=(restriction.start_day_of_week - 1 - first.weekday()) % 7)
    if first < handover:
        first += timedelta(days=period_days)
    return first, period_days


def _every_days(days: int) -> str:
    """The RRULE that repeats every `days` days (in weeks when it can: easier to read)."""
    if days % 7 == 0:
        weeks = days // 7
        return "RRULE:FREQ=WEEKLY" + (f";INTERVAL={weeks}" if weeks > 1 else "")
    return "RRULE:FREQ=DAILY" + (f";INTERVAL={days}" if days > 1 else "")


def _rfc3339(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _escalation_policy(pd: PagerDuty, team: Team) -> PdEscalationPolicy:
    escalation = pd.escalation
    head = pd.head_of_engineering
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
        team=team.name if pd.teams else None,
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
