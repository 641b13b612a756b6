"""Partner API alerts: a service's calls to a partner API fail too often.

The error rate belongs to each catalog service that calls the partner, not to the platform.
"""

from o11y.alertdef import AlertDefinition, TriageQuery
from o11y.alerts.dependencies.dependency import GROUP, WINDOW
from o11y.alerts.scenario import Case, ProvenAlert, Series, counting, series
from o11y.conventions import (
    DEPENDENCY_LABEL,
    METRIC_PARTNER_REQUESTS,
    OUTCOME_ERROR,
    OUTCOME_LABEL,
    PARTNER_LABEL,
    SERVICE_LABEL,
    log_stream_selector,
    partner_selector,
    service_selector,
)
from o11y.model.catalog import PartnerApi, Service
from o11y.model.stack import Stack
from o11y.promql import percent_of, selector, sum_rate
from o11y.severity import Priority

PARTNER_ERRORS = "PartnerApiErrorRateHigh"

_PER_MINUTE = 600


def partner_alerts(stack: Stack, partner: PartnerApi) -> list[ProvenAlert]:
    return [
        _partner_errors(stack, service, partner)
        for service in stack.services
        if partner.name in service.uses
    ]


def _partner_errors(stack: Stack, service: Service, partner: PartnerApi) -> ProvenAlert:
    matchers = (service_selector(service.name), partner_selector(partner.partner_label))
    calls = selector(METRIC_PARTNER_REQUESTS, *matchers)
    failed = selector(METRIC_PARTNER_REQUESTS, *matchers, f'{OUTCOME_LABEL}="{OUTCOME_ERROR}"')
    by = (SERVICE_LABEL, PARTNER_LABEL)
    threshold = partner.error_rate_percent
    definition = AlertDefinition(
        name=PARTNER_ERRORS,
        group=GROUP.format(name=partner.name),
        expr=(
            f"{percent_of(sum_rate(failed, WINDOW, by), sum_rate(calls, WINDOW, by))} > {threshold:g} "
            f"and {sum_rate(calls, WINDOW, by)} > {stack.alerting.low_traffic_rps:g}"
        ),
        for_="5m",
        priority=Priority.P2,
        team=service.team,
        service=service.name,
        labels={DEPENDENCY_LABEL: partner.name},
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
        impact="Features depending on the partner degrade (payments, bank transfers, Airtable sync).",
        triage=(
            TriageQuery("Calls per outcome", f"sum by ({OUTCOME_LABEL}) (rate({calls}[{WINDOW}]))"),
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
    labels = {SERVICE_LABEL: service.name, PARTNER_LABEL: partner.partner_label}

    def calls_with(error_percent: float, per_minute: float) -> tuple[Series, ...]:
        errors = per_minute * error_percent / 100
        return (
            series(
                METRIC_PARTNER_REQUESTS,
                {**labels, OUTCOME_LABEL: "success"},
                counting(per_minute - errors, 30),
            ),
            series(
                METRIC_PARTNER_REQUESTS,
                {**labels, OUTCOME_LABEL: OUTCOME_ERROR},
                counting(errors, 30),
            ),
        )

    fires_percent = min(100.0, max(threshold * 2, threshold + 1))
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                f"{fires_percent:g}% of calls fail",
                calls_with(fires_percent, _PER_MINUTE),
                "20m",
                labels,
            ),
        ),
        silent=lambda: (
            Case(
                f"{threshold / 2:g}% of calls fail", calls_with(threshold / 2, _PER_MINUTE), "20m"
            ),
            Case(
                "every call fails but there are very few",
                calls_with(100, stack.alerting.low_traffic_rps * 30),
                "20m",
            ),
        ),
    )
