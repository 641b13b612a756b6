"""Security and business alerts from the catalog's rules, proven by promtool."""

import re
from pathlib import Path

import pytest

from o11y.alerts.business import business_alerts
from o11y.model.stack import Stack
from o11y.severity import Priority
from tests.o11y.promtool_proof import prove
from tests.small_stacks import SERVICE, TEAM, small_stack

WEB = {**TEAM, "name": "web", "display_name": "Web", "slack_channel": "#alerts-web"}


@pytest.fixture(scope="module")
def stack() -> Stack:
    """Two services of two teams, two business rules and both kinds of security rule."""
    return small_stack(
        overrides={
            "teams": [TEAM, WEB],
            "services": [
                SERVICE,
                {**SERVICE, "name": "members", "display_name": "Members", "team": "web"},
            ],
            "business_rules": [
                {
                    "name": "checkout-failures",
                    "title": "Checkout failure rate",
                    "service": "shop",
                    "total_metric": "billing_checkout_attempts_total",
                    "failed_metric": "billing_checkout_failures_total",
                    "max_failure_percent": 5,
                    "priority": "P1",
                },
                {
                    "name": "join-failures",
                    "title": "Membership join failure rate",
                    "service": "members",
                    "total_metric": "membership_join_attempts_total",
                    "failed_metric": "membership_join_failures_total",
                    "max_failure_percent": 10,
                },
            ],
            "security_rules": [
                {
                    "name": "unauthorized-admin-attempts",
                    "title": "Unauthorized admin attempts",
                    "service": "members",
                    "metric": "auth_admin_unauthorized_attempts_total",
                    "kind": "any",
                    "priority": "P1",
                },
                {
                    "name": "rate-limit-breaches",
                    "title": "Rate-limit breach spike",
                    "service": "shop",
                    "metric": "gateway_rate_limited_requests_total",
                    "kind": "spike",
                    "spike_factor": 3,
                    "min_per_second": 1,
                    "priority": "P2",
                },
            ],
        }
    )


def test_one_alert_per_catalog_rule_named_after_the_rule(stack: Stack) -> None:
    alerts = {a.definition.name: a.definition for a in business_alerts(stack)}
    assert list(alerts) == [
        "CheckoutFailureRateHigh",
        "JoinFailureRateHigh",
        "UnauthorizedAdminAttempts",
        "RateLimitBreachesSpike",
    ]
    assert alerts["CheckoutFailureRateHigh"].priority == Priority.P1
    assert alerts["JoinFailureRateHigh"].priority == Priority.P2
    assert alerts["UnauthorizedAdminAttempts"].priority == Priority.P1
    # Each alert belongs to the team of the service it watches.
    assert alerts["CheckoutFailureRateHigh"].team == "core"
    assert alerts["JoinFailureRateHigh"].team == "web"


def test_checkout_failure_rate_above_5_percent(stack: Stack) -> None:
    (checkout,) = [
        a.definition
        for a in business_alerts(stack)
        if a.definition.name == "CheckoutFailureRateHigh"
    ]
    assert checkout.expr == (
        'sum by (service) (rate(billing_checkout_failures_total{service="shop"}[5m]))'
        ' / sum by (service) (rate(billing_checkout_attempts_total{service="shop"}[5m]))'
        " * 100 > 5 and sum by (service) "
        '(increase(billing_checkout_attempts_total{service="shop"}[5m])) >= 10'
    )
    assert checkout.for_ == "2m"


def test_any_unauthorized_admin_attempt_fires_at_once(stack: Stack) -> None:
    (admin,) = [
        a.definition
        for a in business_alerts(stack)
        if a.definition.name == "UnauthorizedAdminAttempts"
    ]
    assert admin.expr == (
        "sum by (service) (increase(auth_admin_unauthorized_attempts_total"
        '{service="members"}[5m])) > 0'
    )
    assert admin.for_ == "0s"


def test_business_alerts_fire_and_stay_silent_in_promtool(
    stack: Stack, promtool: str, tmp_path: Path
) -> None:
    prove(promtool, stack, business_alerts(stack), tmp_path)


def test_a_security_rule_must_name_a_catalog_service(stack: Stack) -> None:
    data = stack.model_dump()
    data["security_rules"][0]["service"] = "nowhere"
    with pytest.raises(
        ValueError, match=re.escape("security_rules[0].service: unknown service 'nowhere'")
    ):
        Stack.model_validate(data)
