"""Security and business alerts on application counters, one per catalog rule and named after
it: the failure rate of a business flow (`FAILURE_ALERTS`, one per `business_rules` entry:
billing, membership, events) and security events (`security_rules`: `EVENT_ALERTS` for a rule
that fires on any event, `SPIKE_ALERTS` for one that fires on a rate spike).
Runbooks: o11y/alerts/runbooks/business.py.
"""

from dataclasses import dataclass

from o11y.alertdef import AlertSpec, Owner
from o11y.conventions import SERVICE_LABEL, service_selector
from o11y.model.alerting import BusinessRule, SecurityRule
from o11y.model.catalog import Service
from o11y.model.stack import Stack
from o11y.promql import by, percent_of, selector, sum_rate
from o11y.severity import Priority

# The rows' keys (runbooks, proofs); each alert is named after its catalog rule.
FAILURE_RATE = "FailureRateHigh"
SECURITY_EVENT = "SecurityEvent"
SECURITY_SPIKE = "SecuritySpike"
BUSINESS_GROUP = "business"
SECURITY_GROUP = "security"
# Below this many attempts in the window one failure is already 10%: stay silent.
MIN_ATTEMPTS = 10
# A spike is judged against the hour before the window.
SPIKE_BASELINE = "1h"
_BY_SERVICE = (SERVICE_LABEL,)


@dataclass(frozen=True)
class BusinessSubject:
    """A business rule and the catalog service whose counters it reads."""

    rule: BusinessRule
    service: Service


@dataclass(frozen=True)
class SecuritySubject:
    """A security rule and the catalog service whose counter it reads."""

    rule: SecurityRule
    service: Service


def _pascal(name: str) -> str:
    return "".join(word.capitalize() for word in name.split("-"))


def failure_rate_alert_name(s: BusinessSubject) -> str:
    """`checkout-failures` -> `CheckoutFailureRateHigh`."""
    return _pascal(s.rule.name.removesuffix("-failures")) + FAILURE_RATE


def security_alert_name(s: SecuritySubject) -> str:
    """`unauthorized-admin-attempts` -> `UnauthorizedAdminAttempts`."""
    return _pascal(s.rule.name)


def spike_alert_name(s: SecuritySubject) -> str:
    """`rate-limit-breaches` -> `RateLimitBreachesSpike`."""
    return _pascal(s.rule.name) + "Spike"


def attempts(s: BusinessSubject) -> str:
    return selector(s.rule.total_metric, service_selector(s.service.name))


def failures(s: BusinessSubject) -> str:
    return selector(s.rule.failed_metric, service_selector(s.service.name))


def failure_percent(s: BusinessSubject) -> str:
    return percent_of(
        sum_rate(failures(s), s.rule.window, _BY_SERVICE),
        sum_rate(attempts(s), s.rule.window, _BY_SERVICE),
    )


def events(s: SecuritySubject) -> str:
    return selector(s.rule.metric, service_selector(s.service.name))


def event_rate(s: SecuritySubject) -> str:
    return sum_rate(events(s), s.rule.window, _BY_SERVICE)


def _event_rate_before(s: SecuritySubject) -> str:
    return f"sum {by(_BY_SERVICE)}(rate({events(s)}[{SPIKE_BASELINE}] offset {s.rule.window}))"


def _failure_rate(s: BusinessSubject) -> str:
    return (
        f"{failure_percent(s)} > {s.rule.max_failure_percent:g} "
        f"and sum {by(_BY_SERVICE)}(increase({attempts(s)}[{s.rule.window}])) >= {MIN_ATTEMPTS}"
    )


def _spike(s: SecuritySubject) -> str:
    now = event_rate(s)
    return (
        f"{now} > {s.rule.spike_factor:g} * {_event_rate_before(s)} "
        f"and {now} > {s.rule.min_per_second:g}"
    )


FAILURE_ALERTS: tuple[AlertSpec[BusinessSubject], ...] = (
    AlertSpec(
        FAILURE_RATE,
        expr=_failure_rate,
        for_="2m",
        priority=lambda s: Priority(s.rule.priority),
        alert_name=failure_rate_alert_name,
    ),
)
EVENT_ALERTS: tuple[AlertSpec[SecuritySubject], ...] = (
    AlertSpec(
        SECURITY_EVENT,
        expr=lambda s: f"sum {by(_BY_SERVICE)}(increase({events(s)}[{s.rule.window}])) > 0",
        for_="0s",
        priority=lambda s: Priority(s.rule.priority),
        alert_name=security_alert_name,
    ),
)
SPIKE_ALERTS: tuple[AlertSpec[SecuritySubject], ...] = (
    AlertSpec(
        SECURITY_SPIKE,
        expr=_spike,
        for_="2m",
        priority=lambda s: Priority(s.rule.priority),
        alert_name=spike_alert_name,
    ),
)


def _owner(group: str, service: Service) -> Owner:
    return Owner(group, service.team, service.name)


def failure_subjects(stack: Stack) -> list[tuple[BusinessSubject, Owner]]:
    """Every business rule, in catalog order; the team of its service owns it."""
    return [
        (BusinessSubject(rule, service), _owner(BUSINESS_GROUP, service))
        for rule in stack.business_rules
        for service in [stack.service(rule.service)]
    ]


def _security_subjects(stack: Stack, kind: str) -> list[tuple[SecuritySubject, Owner]]:
    return [
        (SecuritySubject(rule, service), _owner(SECURITY_GROUP, service))
        for rule in stack.security_rules
        if rule.kind == kind
        for service in [stack.service(rule.service)]
    ]


def event_subjects(stack: Stack) -> list[tuple[SecuritySubject, Owner]]:
    """Every security rule that fires on any event, in catalog order."""
    return _security_subjects(stack, "any")


def spike_subjects(stack: Stack) -> list[tuple[SecuritySubject, Owner]]:
    """Every security rule that fires on a rate spike, in catalog order."""
    return _security_subjects(stack, "spike")
