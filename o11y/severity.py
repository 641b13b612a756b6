"""The one severity model: priorities P0-P3 mapped to what a person is asked to do.

| priority | severity  | action | where it goes                                   | PagerDuty severity |
|----------|-----------|--------|-------------------------------------------------|--------------------|
| P0       | critical  | page   | owning service's PagerDuty (high urgency) + Slack | critical           |
| P1       | critical  | page   | owning service's PagerDuty (high urgency) + Slack | critical           |
| P2       | high      | ticket | team Slack channel                              | error              |
| P3       | warning   | notify | team e-mail, business hours only                | warning            |
| -        | none      | -      | dead man's switch (the Watchdog heartbeat)      | -                  |

P0 means "the system is down", P1 "unacceptably degraded"; both wake someone up.
The label values are configurable (`alerting.severity_labels`), the mapping is not.
"""

from enum import StrEnum


class Priority(StrEnum):
    P0 = "P0"
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"


class Action(StrEnum):
    PAGE = "page"
    TICKET = "ticket"
    NOTIFY = "notify"


ACTION_BY_PRIORITY: dict[Priority, Action] = {
    Priority.P0: Action.PAGE,
    Priority.P1: Action.PAGE,
    Priority.P2: Action.TICKET,
    Priority.P3: Action.NOTIFY,
}

# PagerDuty Events API v2 severities for each action.
PAGERDUTY_SEVERITY: dict[Action, str] = {
    Action.PAGE: "critical",
    Action.TICKET: "error",
    Action.NOTIFY: "warning",
}
