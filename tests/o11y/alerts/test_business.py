"""Security and business alerts from the catalog's rules, proven by promtool."""

import re
from pathlib import Path

import pytest

from o11y.alertdef import AlertDefinition
from o11y.alerts.areas import BUSINESS_FAILURES, SECURITY_EVENTS, SECURITY_SPIKES
from o11y.alerts.business import (
    FAILURE_RATE,
    SECURITY_EVENT,
    SECURITY_SPIKE,
    BusinessSubject,
    SecuritySubject,
)
from o11y.conventions import SERVICE_LABEL
from o11y.model.stack import Stack
from o11y.severity import Priority
from tests.o11y.alerts.scenario import (
    Case,
    Proof,
    Proofs,
    Series,
    area_proofs,
    counting,
    prove,
    series,
    steady,
)
from tests.small_stacks import SERVICE, TEAM, small_stack

WEB = {**TEAM, "name": "web", "display_name": "Web", "slack_channel": "#alerts-web"}


def _failure_rate(s: BusinessSubject) -> Proof:
    rule = s.rule
    labels = {SERVICE_LABEL: s.service.name}
    threshold = rule.max_failure_percent

    def attempts(fail_percent: float, per_minute: float) -> tuple[Series, ...]:
        return (
            series(rule.total_metric, labels, counting(per_minute, 30)),
            series(rule.failed_metric, labels, counting(per_minute * fail_percent / 100, 30)),
        )

    fires_percent = min(100.0, max(threshold * 2, threshold + 1))
    return Proof(
        fires=(
            Case(
                f"{fires_percent:g}% of attempts fail", attempts(fires_percent, 60), "20m", labels
            ),
        ),
        silent=(
            Case(f"{threshold / 2:g}% of attempts fail", attempts(threshold / 2, 60), "20m"),
            Case("every attempt fails but there are few", attempts(100, 1), "20m"),
        ),
    )


def _any_event(s: SecuritySubject) -> Proof:
    labels = {SERVICE_LABEL: s.service.name}
    return Proof(
        fires=(
            Case(
                "one event happens",
                (series(s.rule.metric, labels, "0 0 0 1 1 1 1 1 1 1 1"),),
                "5m",
                labels,
            ),
        ),
        silent=(Case("no event happens", (series(s.rule.metric, labels, steady(0, 10)),), "5m"),),
    )


def _spiking(base: float, peak: float) -> str:
    """A counter at `base`/s for 70 minutes, then at `peak`/s."""
    return f"{counting(base * 60, 70)} {counting(peak * 60, 14, 70 * base * 60 + peak * 60)}"


def _spike(s: SecuritySubject) -> Proof:
    rule = s.rule
    labels = {SERVICE_LABEL: s.service.name}
    spike = max(rule.min_per_second * 2, 1.0)
    calm = spike / (rule.spike_factor * 2)
    silent = [
        Case("a steady high rate", (series(rule.metric, labels, counting(spike * 60, 85)),), "80m")
    ]
    if rule.min_per_second > 0:
        low = rule.min_per_second / 2
        silent.append(
            Case(
                "a spike below the floor",
                (series(rule.metric, labels, _spiking(low / (rule.spike_factor * 2), low)),),
                "80m",
            )
        )
    return Proof(
        fires=(
            Case(
                "the rate jumps",
                (series(rule.metric, labels, _spiking(calm, spike)),),
                "80m",
                labels,
            ),
        ),
        silent=tuple(silent),
    )


FAILURE_PROOFS: Proofs[BusinessSubject] = {FAILURE_RATE: _failure_rate}
SECURITY_PROOFS: Proofs[SecuritySubject] = {SECURITY_EVENT: _any_event, SECURITY_SPIKE: _spike}


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


def _alerts(stack: Stack) -> list[AlertDefinition]:
    return [*BUSINESS_FAILURES(stack), *SECURITY_EVENTS(stack), *SECURITY_SPIKES(stack)]


def test_one_alert_per_catalog_rule_named_after_the_rule(stack: Stack) -> None:
    alerts = {d.name: d for d in _alerts(stack)}
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
    (checkout,) = [d for d in _alerts(stack) if d.name == "CheckoutFailureRateHigh"]
    assert checkout.expr == (
        'sum by (service) (rate(billing_checkout_failures_total{service="shop"}[5m]))'
        ' / sum by (service) (rate(billing_checkout_attempts_total{service="shop"}[5m]))'
        " * 100 > 5 and sum by (service) "
        '(increase(billing_checkout_attempts_total{service="shop"}[5m])) >= 10'
    )
    assert checkout.for_ == "2m"


def test_any_unauthorized_admin_attempt_fires_at_once(stack: Stack) -> None:
    (admin,) = [d for d in _alerts(stack) if d.name == "UnauthorizedAdminAttempts"]
    assert admin.expr == (
        "sum by (service) (increase(auth_admin_unauthorized_attempts_total"
        '{service="members"}[5m])) > 0'
    )
    assert admin.for_ == "0s"


def test_a_rate_limit_spike_is_judged_against_the_hour_before(stack: Stack) -> None:
    (spike,) = [d for d in _alerts(stack) if d.name == "RateLimitBreachesSpike"]
    rate = 'sum by (service) (rate(gateway_rate_limited_requests_total{service="shop"}[5m]))'
    assert spike.expr == (
        f"{rate} > 3 * sum by (service) "
        '(rate(gateway_rate_limited_requests_total{service="shop"}[1h] offset 5m))'
        f" and {rate} > 1"
    )
    assert (spike.for_, spike.priority, spike.group) == ("2m", Priority.P2, "security")


def test_business_alerts_fire_and_stay_silent_in_promtool(
    stack: Stack, promtool: str, tmp_path: Path
) -> None:
    proven = [
        *area_proofs(BUSINESS_FAILURES, FAILURE_PROOFS, stack),
        *area_proofs(SECURITY_EVENTS, SECURITY_PROOFS, stack),
        *area_proofs(SECURITY_SPIKES, SECURITY_PROOFS, stack),
    ]
    prove(promtool, stack, proven, tmp_path)


def test_a_security_rule_must_name_a_catalog_service(stack: Stack) -> None:
    data = stack.model_dump()
    data["security_rules"][0]["service"] = "nowhere"
    with pytest.raises(
        ValueError, match=re.escape("security_rules[0].service: unknown service 'nowhere'")
    ):
        Stack.model_validate(data)
