"""Partner API alerts: each calling service's error rate, proven by promtool."""

from pathlib import Path

from o11y.alerts.areas import PARTNER
from o11y.alerts.dependencies.partner import PARTNER_ERRORS, PartnerCalls
from o11y.conventions import (
    METRIC_PARTNER_REQUESTS,
    OUTCOME_ERROR,
    OUTCOME_LABEL,
    PARTNER_LABEL,
    SERVICE_LABEL,
)
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
)

_PER_MINUTE = 600


def _labels(subject: PartnerCalls) -> dict[str, str]:
    return {SERVICE_LABEL: subject.service.name, PARTNER_LABEL: subject.partner.partner_label}


def _calls(subject: PartnerCalls, error_percent: float, per_minute: float) -> tuple[Series, ...]:
    errors = per_minute * error_percent / 100
    labels = _labels(subject)
    return (
        series(
            METRIC_PARTNER_REQUESTS,
            {**labels, OUTCOME_LABEL: "success"},
            counting(per_minute - errors, 30),
        ),
        series(
            METRIC_PARTNER_REQUESTS, {**labels, OUTCOME_LABEL: OUTCOME_ERROR}, counting(errors, 30)
        ),
    )


def _errors(subject: PartnerCalls) -> Proof:
    threshold = subject.partner.error_rate_percent
    fires_percent = min(100.0, max(threshold * 2, threshold + 1))
    return Proof(
        fires=(
            Case(
                f"{fires_percent:g}% of calls fail",
                _calls(subject, fires_percent, _PER_MINUTE),
                "20m",
                _labels(subject),
            ),
        ),
        silent=(
            Case(
                f"{threshold / 2:g}% of calls fail",
                _calls(subject, threshold / 2, _PER_MINUTE),
                "20m",
            ),
            Case(
                "every call fails but there are very few",
                _calls(subject, 100, subject.low_traffic_rps * 30),
                "20m",
            ),
        ),
    )


PROOFS: Proofs[PartnerCalls] = {PARTNER_ERRORS: _errors}


def test_partner_errors_belong_to_each_calling_service(stack: Stack) -> None:
    partner = [(a.service, a.team, a.labels["dependency"]) for a in PARTNER(stack)]
    assert partner == [("shop", "core", "bank"), ("cart", "web", "maps")]
    (bank,) = [a for a in PARTNER(stack) if a.labels.get("dependency") == "bank"]
    assert bank.priority == Priority.P2
    assert bank.group == "dependency-bank"
    assert 'partner_requests_total{service="shop",partner="bank",outcome="error"}' in bank.expr
    assert " * 100 > 10 and " in bank.expr


def test_partner_alerts_fire_and_stay_silent_in_promtool(
    stack: Stack, promtool: str, tmp_path: Path
) -> None:
    prove(promtool, stack, area_proofs(PARTNER, PROOFS, stack), tmp_path)
