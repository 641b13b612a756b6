"""The severity model: what each priority asks of a person, and what PagerDuty is told."""

import pytest

from o11y.severity import ACTION_BY_PRIORITY, PAGERDUTY_SEVERITY, Action, Priority


@pytest.mark.parametrize(
    ("priority", "action", "pagerduty"),
    [
        ("P0", "page", "critical"),
        ("P1", "page", "critical"),
        ("P2", "ticket", "error"),
        ("P3", "notify", "warning"),
    ],
)
def test_each_priority_asks_for_one_action_with_its_pagerduty_severity(
    priority: str, action: str, pagerduty: str
) -> None:
    chosen = ACTION_BY_PRIORITY[Priority(priority)]
    assert chosen == Action(action)
    assert PAGERDUTY_SEVERITY[chosen] == pagerduty


def test_every_priority_and_every_action_is_in_the_table() -> None:
    assert set(ACTION_BY_PRIORITY) == set(Priority)
    assert set(ACTION_BY_PRIORITY.values()) == set(PAGERDUTY_SEVERITY) == set(Action)
