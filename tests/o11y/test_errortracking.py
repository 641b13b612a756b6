"""What the stack creates in Sentry: only with a token, a project per service, team-routed rules."""

from o11y.errortracking import (
    EMAIL_ACTION,
    EVENT_FREQUENCY,
    NEW_ISSUE,
    TEAM_ID,
    projects,
    sentry_enabled,
    team_action,
    teams,
)
from o11y.model.stack import Stack


def _stack(base: Stack, token: bool = True, **sentry: object) -> Stack:
    data = base.model_dump()
    data["sentry"] = {"organization": "acme", **sentry}
    data["secrets"] = {*data["secrets"], "sentry_token"} if token else set(data["secrets"])
    return Stack.model_validate(data)


def test_sentry_needs_both_its_settings_and_its_token(dev_stack: Stack) -> None:
    assert sentry_enabled(_stack(dev_stack))
    assert not sentry_enabled(_stack(dev_stack, token=False))
    assert not sentry_enabled(dev_stack.model_copy(update={"sentry": None}))


def test_a_team_per_catalog_team_and_a_project_per_service(dev_stack: Stack) -> None:
    stack = _stack(dev_stack)
    assert teams(stack) == [(t.name, t.display_name) for t in stack.teams]
    plans = projects(stack)
    assert [(p.slug, p.team, p.namespace) for p in plans] == [
        (s.name, s.team, s.namespace) for s in stack.services
    ]


def test_each_project_alerts_on_new_issues_spikes_and_error_volume(dev_stack: Stack) -> None:
    (plan, *_) = projects(_stack(dev_stack, spike_events_per_hour=40, errors_per_hour=900))
    new_issue, spike = plan.issue_alerts
    assert new_issue.conditions == ({"id": NEW_ISSUE},)
    assert spike.conditions == ({"id": EVENT_FREQUENCY, "value": "40", "interval": "1h"},)
    (volume,) = plan.metric_alerts
    assert (volume.aggregate, volume.query, volume.time_window_minutes, volume.threshold) == (
        "count()",
        "event.type:error",
        60,
        900,
    )


def test_rules_notify_the_owning_team() -> None:
    assert team_action() == {"id": EMAIL_ACTION, "targetType": "Team", "targetIdentifier": TEAM_ID}
