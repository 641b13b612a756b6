"""Runbooks of the business and security alerts (o11y/alerts/business.py)."""

from collections.abc import Callable
from functools import partial

from o11y.alertdef import Runbook, Runbooks, TriageQuery
from o11y.alerts.business import (
    FAILURE_RATE,
    SECURITY_EVENT,
    SECURITY_SPIKE,
    BusinessSubject,
    SecuritySubject,
    event_rate,
    events,
    failure_percent,
    failures,
)
from o11y.conventions import log_stream_selector


def _failure_rate(s: BusinessSubject) -> Runbook:
    rule, service = s.rule, s.service
    threshold = rule.max_failure_percent
    return Runbook(
        summary=f"{rule.title} is above {threshold:g}%.",
        description=(
            f"More than {threshold:g}% of {rule.total_metric} attempts on {service.name} failed "
            f"over {rule.window}, for 2 minutes ({rule.failed_metric} / {rule.total_metric})."
        ),
        symptom=f"{rule.title} is above {threshold:g}%.",
        impact=(
            "Users cannot complete this flow; for billing every failed checkout is lost revenue "
            "and a support ticket."
        ),
        triage=(
            TriageQuery("Failure share over time", failure_percent(s)),
            TriageQuery(
                "Failures by reason (if the counter has a `reason` label)",
                f"sum by (reason) (rate({failures(s)}[{rule.window}]))",
            ),
            TriageQuery(
                "Error logs of the service",
                f'{log_stream_selector(service.name)} | json | level=~"error|fatal"',
                "logql",
            ),
        ),
        causes=(
            "A payment/partner provider outage (check its status page and PartnerApiErrorRateHigh).",
            "Validation errors after a schema or client change (recent deployments).",
            "Database or cache errors on the write path (check dependency alerts).",
        ),
        resolution=(
            f"Roll back a recent release: `kubectl -n {service.namespace} rollout undo deployment/{service.name}`.",
            "Contact the provider if their API fails; enable the degraded mode if there is one.",
        ),
        related=("ServiceErrorRateHigh", "PartnerApiErrorRateHigh"),
    )


def _any_event(s: SecuritySubject) -> str:
    return f"at least one event in {s.rule.window}"


def _spike(s: SecuritySubject) -> str:
    return (
        f"more than {s.rule.spike_factor:g}x the rate of the hour before, above "
        f"{s.rule.min_per_second:g}/s"
    )


def _security(s: SecuritySubject, condition: Callable[[SecuritySubject], str]) -> Runbook:
    rule, service = s.rule, s.service
    when = condition(s)
    return Runbook(
        summary=f"{rule.title} on {service.display_name}.",
        description=f"{rule.metric} on {service.name}: {when}.",
        symptom=(
            f"{rule.title}: {when}. The service exports "
            f"`{rule.metric}` from start-up at 0 (docs/CONTRACT.md): `increase()` cannot see the "
            "first event of a counter that appears with it."
        ),
        impact=(
            "Someone probes privileged functions or floods the API; an attacker may be at work "
            "or a client is misconfigured."
        ),
        triage=(
            TriageQuery("Events per second", event_rate(s)),
            TriageQuery(
                "Events by client, if labelled (top 10)",
                f"topk(10, sum by (client) (rate({events(s)}[{rule.window}])))",
            ),
            TriageQuery(
                "Access logs of the service",
                f'{log_stream_selector(service.name)} | json | status=~"401|403|429"',
                "logql",
            ),
        ),
        causes=(
            "An attacker probing admin endpoints or credential stuffing.",
            "A client or integration with a wrong token, or retrying without backoff.",
            "A permission change that removed rights from legitimate admins.",
        ),
        resolution=(
            "Identify the source (IP, user, token) in the logs; block it at the ingress/WAF if hostile.",
            "Rotate credentials that may have leaked; inform security.",
            "If a legitimate client misbehaves, contact its owner; adjust rate limits only with evidence.",
        ),
        related=("ServiceErrorRateHigh",),
    )


FAILURE_RUNBOOKS: Runbooks[BusinessSubject] = {FAILURE_RATE: _failure_rate}
SECURITY_RUNBOOKS: Runbooks[SecuritySubject] = {
    SECURITY_EVENT: partial(_security, condition=_any_event),
    SECURITY_SPIKE: partial(_security, condition=_spike),
}
