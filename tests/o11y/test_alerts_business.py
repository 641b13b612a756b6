"""Security and business alerts from the catalog's rules, proven by promtool."""

import re
from pathlib import Path

import pytest

from o11y.alerts.business import business_alerts
from o11y.model.stack import Stack
from o11y.severity import Priority
from tests.o11y.promtool_proof import prove


def test_one_alert_per_catalog_rule_with_the_seeds_names(dev_stack: Stack) -> None:
    alerts = {a.definition.name: a.definition for a in business_alerts(dev_stack)}
    assert list(alerts) == [
        "CheckoutFailureRateHigh",
        "JoinFailureRateHigh",
        "CheckinFailureRateHigh",
        "EventCreationFailureRateHigh",
        "UnauthorizedAdminAttempts",
        "RateLimitBreachesSpike",
    ]
    assert alerts["CheckoutFailureRateHigh"].priority == Priority.P1
    assert alerts["JoinFailureRateHigh"].priority == Priority.P2
    assert alerts["UnauthorizedAdminAttempts"].priority == Priority.P1
    assert alerts["CheckoutFailureRateHigh"].team == "platform"


def test_checkout_failure_rate_above_5_percent(dev_stack: Stack) -> None:
    (checkout,) = [
        a.definition
        for a in business_alerts(dev_stack)
        if a.definition.name == "CheckoutFailureRateHigh"
    ]
    assert checkout.expr == (
        'sum by (service) (rate(billing_checkout_failures_total{service="api-gateway"}[5m]))'
        ' / sum by (service) (rate(billing_checkout_attempts_total{service="api-gateway"}[5m]))'
        " * 100 > 5 and sum by (service) "
        '(increase(billing_checkout_attempts_total{service="api-gateway"}[5m])) >= 10'
    )
    assert checkout.for_ == "2m"


def test_any_unauthorized_admin_attempt_fires_at_once(dev_stack: Stack) -> None:
    (admin,) = [
        a.definition
        for a in business_alerts(dev_stack)
        if a.definition.name == "UnauthorizedAdminAttempts"
    ]
    assert admin.expr == (
        "sum by (service) (increase(auth_admin_unauthorized_attempts_total"
        '{service="platform-services"}[5m])) > 0'
    )
    assert admin.for_ == "0s"


def test_business_alerts_fire_and_stay_silent_in_promtool(
    dev_stack: Stack, promtool: str, tmp_path: Path
) -> None:
    prove(promtool, dev_stack, business_alerts(dev_stack), tmp_path)


def test_a_security_rule_must_name_a_catalog_service(dev_stack: Stack) -> None:
    data = dev_stack.model_dump()
    data["security_rules"][0]["service"] = "nowhere"
    with pytest.raises(
        ValueError, match=re.escape("security_rules[0].service: unknown service 'nowhere'")
    ):
        Stack.model_validate(data)
