"""Alerting settings: severity label values, the runbook location, and the rules on
application counters."""

import pytest
from pydantic import ValidationError

from o11y.model.alerting import Alerting, BusinessRule, SecurityRule, SeverityLabels

CHECKOUT = {
    "name": "checkout",
    "title": "Checkout",
    "service": "shop",
    "total_metric": "checkout_total",
    "failed_metric": "checkout_failed_total",
}


def test_severity_labels_default_to_critical_high_and_warning_and_can_be_renamed() -> None:
    assert SeverityLabels() == SeverityLabels(page="critical", ticket="high", notify="warning")
    assert SeverityLabels.model_validate({"page": "sev1"}).page == "sev1"
    with pytest.raises(ValidationError, match="page"):
        SeverityLabels.model_validate({"page": "Sev 1"})


def test_a_runbook_base_url_ending_in_a_slash_is_refused() -> None:
    # Runbook links are `<base>/<alert>.md`: a trailing slash would double it.
    with pytest.raises(ValidationError, match="runbook_base_url"):
        Alerting.model_validate({"runbook_base_url": "https://example.org/runbooks/"})
    url = "https://example.org/runbooks"
    assert Alerting.model_validate({"runbook_base_url": url}).runbook_base_url == url


@pytest.mark.parametrize("priority", ["P4", "p1", "high"])
def test_a_business_rule_names_a_priority_of_the_severity_model(priority: str) -> None:
    with pytest.raises(ValidationError, match="priority"):
        BusinessRule.model_validate({**CHECKOUT, "priority": priority})
    assert BusinessRule.model_validate(CHECKOUT).priority == "P2"


def test_a_spike_rule_compares_with_more_than_the_hour_before() -> None:
    rule = {"name": "rate-limit", "title": "Rate limit", "service": "shop", "metric": "x_total"}
    with pytest.raises(ValidationError, match="spike_factor"):
        SecurityRule.model_validate({**rule, "kind": "spike", "spike_factor": 1})
    with pytest.raises(ValidationError, match="kind"):
        SecurityRule.model_validate(rule)
