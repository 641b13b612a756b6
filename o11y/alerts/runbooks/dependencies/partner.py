"""Runbooks of the partner API alerts (o11y/alerts/dependencies/partner.py)."""

from o11y.alertdef import Runbook, Runbooks, TriageQuery
from o11y.alerts.dependencies.dependency import WINDOW
from o11y.alerts.dependencies.partner import PARTNER_ERRORS, PartnerCalls, calls
from o11y.conventions import (
    METRIC_PARTNER_REQUESTS,
    OUTCOME_ERROR,
    OUTCOME_LABEL,
    PARTNER_LABEL,
    SERVICE_LABEL,
    log_stream_selector,
)


def _errors(subject: PartnerCalls) -> Runbook:
    service, partner = subject.service, subject.partner
    threshold = partner.error_rate_percent
    return Runbook(
        summary=f"More than {threshold:g}% of {service.display_name}'s calls to {partner.name} fail.",
        description=(
            f"{service.name}'s calls to the partner API {partner.name} failed more than "
            f"{threshold:g}% of the time over {WINDOW}, for 5 minutes: the third-party API is down."
        ),
        symptom=(
            "Outgoing calls to a partner API fail.\n\n"
            f"Contract metric: `{METRIC_PARTNER_REQUESTS}` "
            f"(counter, one per call) with labels `{SERVICE_LABEL}` (caller), `{PARTNER_LABEL}` and "
            f"`{OUTCOME_LABEL}` (`success` or `{OUTCOME_ERROR}`: 5xx, timeout, connection error)."
        ),
        impact=f"The features that call {partner.name} degrade or fail.",
        triage=(
            TriageQuery(
                "Calls per outcome", f"sum by ({OUTCOME_LABEL}) (rate({calls(subject)}[{WINDOW}]))"
            ),
            TriageQuery(
                "Partner errors in the caller's logs",
                f'{log_stream_selector(service.name)} |= "{partner.partner_label}" | json | level=~"error|fatal"',
                "logql",
            ),
        ),
        causes=(
            "The partner has an outage (check its status page).",
            "Credentials expired or the partner rate-limits us (429s).",
            "A change in our request format after a deploy.",
        ),
        resolution=(
            "Check the partner's status page and open a ticket with them if they are down.",
            "Enable the fallback or queue retries; roll back our change if it broke the calls.",
        ),
        related=("ServiceErrorRateHigh",),
    )


RUNBOOKS: Runbooks[PartnerCalls] = {PARTNER_ERRORS: _errors}
