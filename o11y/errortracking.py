"""Error tracking as code: what the stack creates in Sentry, as plain data.

A Sentry team per catalog team, a project per catalog service owned by its team, two issue
alert rules (a new issue; an issue seen more than `spike_events_per_hour` times in an hour) and
a metric alert (more than `errors_per_hour` errors in an hour) per project, all notifying the
owning team, scoped to the stack's environment. Each project's DSN reaches the service as the
Kubernetes Secret `sentry` (keys SENTRY_DSN, SENTRY_ENVIRONMENT) in its namespace; the release
is the service's own (`SENTRY_RELEASE`, docs/CONTRACT.md). components/errortracking.py creates
them with the Sentry provider; team ids are only known there and fill `TEAM_ID`.
"""

from dataclasses import dataclass

from o11y.model.errortracking import Sentry
from o11y.model.stack import Stack

SECRET_NAME = "sentry"
DSN_KEY = "SENTRY_DSN"
ENVIRONMENT_KEY = "SENTRY_ENVIRONMENT"
# Stands for the owning team's Sentry id in alert actions (filled in by the component).
TEAM_ID = "<team-id>"
# Sentry's rule and action ids (the issue alert API, as the provider passes them through).
NEW_ISSUE = "sentry.rules.conditions.first_seen_event.FirstSeenEventCondition"
EVENT_FREQUENCY = "sentry.rules.conditions.event_frequency.EventFrequencyCondition"
EMAIL_ACTION = "sentry.mail.actions.NotifyEmailAction"
# Metric alerts: `threshold_type` 0 is "above".
ABOVE = 0


@dataclass(frozen=True)
class IssueAlert:
    key: str
    name: str
    conditions: tuple[dict[str, str], ...]
    # Notify at most once per issue in this many minutes.
    frequency_minutes: int = 30


@dataclass(frozen=True)
class MetricAlert:
    key: str
    name: str
    aggregate: str
    query: str
    time_window_minutes: int
    threshold: int


@dataclass(frozen=True)
class Project:
    service: str
    slug: str
    name: str
    team: str
    namespace: str
    issue_alerts: tuple[IssueAlert, ...]
    metric_alerts: tuple[MetricAlert, ...]


def sentry_enabled(stack: Stack) -> bool:
    """Only with both the settings and the token: no token, no Sentry resources."""
    return stack.sentry is not None and "sentry_token" in stack.secrets


def settings(stack: Stack) -> Sentry:
    assert stack.sentry is not None, "only called when Sentry is enabled"
    return stack.sentry


def team_action() -> dict[str, str]:
    """E-mail the owning team (the rule's action, its team id filled in later)."""
    return {"id": EMAIL_ACTION, "targetType": "Team", "targetIdentifier": TEAM_ID}


def projects(stack: Stack) -> list[Project]:
    sentry = settings(stack)
    return [
        Project(
            service=service.name,
            slug=service.name,
            name=service.display_name,
            team=service.team,
            namespace=service.namespace,
            issue_alerts=(
                IssueAlert("new-issue", f"{service.display_name}: new issue", ({"id": NEW_ISSUE},)),
                IssueAlert(
                    "error-spike",
                    f"{service.display_name}: issue seen more than "
                    f"{sentry.spike_events_per_hour} times in 1h",
                    (
                        {
                            "id": EVENT_FREQUENCY,
                            "value": str(sentry.spike_events_per_hour),
                            "interval": "1h",
                        },
                    ),
                ),
            ),
            metric_alerts=(
                MetricAlert(
                    "error-rate",
                    f"{service.display_name}: more than {sentry.errors_per_hour} errors in 1h",
                    aggregate="count()",
                    query="event.type:error",
                    time_window_minutes=60,
                    threshold=sentry.errors_per_hour,
                ),
            ),
        )
        for service in stack.services
    ]


def teams(stack: Stack) -> list[tuple[str, str]]:
    """(slug, name) of a Sentry team per catalog team."""
    return [(team.name, team.display_name) for team in stack.teams]
