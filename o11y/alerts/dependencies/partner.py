"""Partner API alerts: a service's calls to a partner API fail too often.

The error rate belongs to each catalog service that calls the partner, not to the platform.
Runbooks: o11y/alerts/runbooks/dependencies/partner.py.
"""

from dataclasses import dataclass

from o11y.alertdef import AlertSpec, Owner
from o11y.alerts.dependencies.dependency import GROUP, WINDOW, dependency_labels
from o11y.conventions import (
    METRIC_PARTNER_REQUESTS,
    OUTCOME_ERROR,
    OUTCOME_LABEL,
    PARTNER_LABEL,
    SERVICE_LABEL,
    partner_selector,
    service_selector,
)
from o11y.model.catalog import PartnerApi, Service
from o11y.model.stack import Stack
from o11y.promql import percent_of, selector, sum_rate
from o11y.severity import Priority

PARTNER_ERRORS = "PartnerApiErrorRateHigh"

_BY = (SERVICE_LABEL, PARTNER_LABEL)


@dataclass(frozen=True)
class PartnerCalls:
    """A catalog service's calls to a partner API, and the request rate below which a failure
    rate means nothing (the stack's `low_traffic_rps`)."""

    service: Service
    partner: PartnerApi
    low_traffic_rps: float


def calls(subject: PartnerCalls, *matchers: str) -> str:
    return selector(
        METRIC_PARTNER_REQUESTS,
        service_selector(subject.service.name),
        partner_selector(subject.partner.partner_label),
        *matchers,
    )


def _errors_high(subject: PartnerCalls) -> str:
    failed = sum_rate(calls(subject, f'{OUTCOME_LABEL}="{OUTCOME_ERROR}"'), WINDOW, _BY)
    made = sum_rate(calls(subject), WINDOW, _BY)
    return (
        f"{percent_of(failed, made)} > {subject.partner.error_rate_percent:g} "
        f"and {made} > {subject.low_traffic_rps:g}"
    )


ALERTS: tuple[AlertSpec[PartnerCalls], ...] = (
    AlertSpec(
        PARTNER_ERRORS,
        expr=_errors_high,
        for_="5m",
        priority=Priority.P2,
        labels=lambda subject: dependency_labels(subject.partner.name),
    ),
)


def subjects(stack: Stack) -> list[tuple[PartnerCalls, Owner]]:
    """Every partner API of the catalog, once per catalog service calling it; the calling
    service's team owns the alert."""
    return [
        (
            PartnerCalls(service, partner, stack.alerting.low_traffic_rps),
            Owner(GROUP.format(name=partner.name), service.team, service.name),
        )
        for partner in stack.dependencies
        if isinstance(partner, PartnerApi)
        for service in stack.services
        if partner.name in service.uses
    ]
