"""Security and business alerts on application counters, one per catalog rule
(`business_rules`, `security_rules`: billing, membership, events, security)."""

from o11y.alertdef import AlertDefinition, TriageQuery
from o11y.alerts.scenario import Case, ProvenAlert, Series, counting, series, steady
from o11y.conventions import SERVICE_LABEL, log_stream_selector, service_selector
from o11y.model.alerting import BusinessRule, SecurityRule
from o11y.model.stack import Stack
from o11y.promql import percent_of, selector, sum_rate
from o11y.severity import Priority

BUSINESS_GROUP = "business"
SECURITY_GROUP = "security"
# Below this many attempts in the window one failure is already 10%: stay silent.
MIN_ATTEMPTS = 10
# A spike is judged against the hour before the window.
SPIKE_BASELINE = "1h"
_BY = (SERVICE_LABEL,)


def business_alerts(stack: Stack) -> list[ProvenAlert]:
    return [_failure_rate(stack, rule) for rule in stack.business_rules] + [
        _security(stack, rule) for rule in stack.security_rules
    ]


def _pascal(name: str) -> str:
    return "".join(word.capitalize() for word in name.split("-"))


def failure_rate_alert_name(rule: BusinessRule) -> str:
    """`checkout-failures` -> `CheckoutFailureRateHigh`."""
    return _pascal(rule.name.removesuffix("-failures")) + "FailureRateHigh"


def security_alert_name(rule: SecurityRule) -> str:
    """`unauthorized-admin-attempts` -> `UnauthorizedAdminAttempts`; spikes end in `Spike`."""
    return _pascal(rule.name) + ("Spike" if rule.kind == "spike" else "")


def _failure_rate(stack: Stack, rule: BusinessRule) -> ProvenAlert:
    service = stack.service(rule.service)
    total = selector(rule.total_metric, service_selector(service.name))
    failed = selector(rule.failed_metric, service_selector(service.name))
    threshold = rule.max_failure_percent
    definition = AlertDefinition(
        name=failure_rate_alert_name(rule),
        group=BUSINESS_GROUP,
        expr=(
            f"{percent_of(sum_rate(failed, rule.window, _BY), sum_rate(total, rule.window, _BY))} > {threshold:g} "
            f"and sum by ({SERVICE_LABEL}) (increase({total}[{rule.window}])) >= {MIN_ATTEMPTS}"
        ),
        for_="2m",
        priority=Priority(rule.priority),
        team=service.team,
        service=service.name,
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
            TriageQuery(
                "Failure share over time",
                percent_of(sum_rate(failed, rule.window, _BY), sum_rate(total, rule.window, _BY)),
            ),
            TriageQuery(
                "Failures by reason (if the counter has a `reason` label)",
                f"sum by (reason) (rate({failed}[{rule.window}]))",
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
    labels = {SERVICE_LABEL: service.name}

    def attempts(fail_percent: float, per_minute: float) -> tuple[Series, ...]:
        return (
            series(rule.total_metric, labels, counting(per_minute, 30)),
            series(rule.failed_metric, labels, counting(per_minute * fail_percent / 100, 30)),
        )

    fires_percent = min(100.0, max(threshold * 2, threshold + 1))
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                f"{fires_percent:g}% of attempts fail", attempts(fires_percent, 60), "20m", labels
            ),
        ),
        silent=lambda: (
            Case(f"{threshold / 2:g}% of attempts fail", attempts(threshold / 2, 60), "20m"),
            Case("every attempt fails but there are few", attempts(100, 1), "20m"),
        ),
    )


def _security(stack: Stack, rule: SecurityRule) -> ProvenAlert:
    service = stack.service(rule.service)
    counter = selector(rule.metric, service_selector(service.name))
    now = sum_rate(counter, rule.window, _BY)
    before = f"sum by ({SERVICE_LABEL}) (rate({counter}[{SPIKE_BASELINE}] offset {rule.window}))"
    if rule.kind == "any":
        expr = f"sum by ({SERVICE_LABEL}) (increase({counter}[{rule.window}])) > 0"
        condition = f"at least one event in {rule.window}"
        for_ = "0s"
    else:
        expr = f"{now} > {rule.spike_factor:g} * {before} and {now} > {rule.min_per_second:g}"
        condition = (
            f"more than {rule.spike_factor:g}x the rate of the hour before, above "
            f"{rule.min_per_second:g}/s"
        )
        for_ = "2m"
    definition = AlertDefinition(
        name=security_alert_name(rule),
        group=SECURITY_GROUP,
        expr=expr,
        for_=for_,
        priority=Priority(rule.priority),
        team=service.team,
        service=service.name,
        summary=f"{rule.title} on {service.display_name}.",
        description=f"{rule.metric} on {service.name}: {condition}.",
        symptom=(
            f"{rule.title}: {condition}. The service exports "
            f"`{rule.metric}` from start-up at 0 (docs/CONTRACT.md): `increase()` cannot see the "
            "first event of a counter that appears with it."
        ),
        impact=(
            "Someone probes privileged functions or floods the API; an attacker may be at work "
            "or a client is misconfigured."
        ),
        triage=(
            TriageQuery("Events per second", now),
            TriageQuery(
                "Events by client, if labelled (top 10)",
                f"topk(10, sum by (client) (rate({counter}[{rule.window}])))",
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
    labels = {SERVICE_LABEL: service.name}
    if rule.kind == "any":
        return ProvenAlert(
            definition,
            fires=lambda: (
                Case(
                    "one event happens",
                    (series(rule.metric, labels, "0 0 0 1 1 1 1 1 1 1 1"),),
                    "5m",
                    labels,
                ),
            ),
            silent=lambda: (
                Case("no event happens", (series(rule.metric, labels, steady(0, 10)),), "5m"),
            ),
        )
    spike = max(rule.min_per_second * 2, 1.0)
    calm = spike / (rule.spike_factor * 2)

    def spiking(base: float, peak: float) -> str:
        return f"{counting(base * 60, 70)} {counting(peak * 60, 14, 70 * base * 60 + peak * 60)}"

    silent = [
        Case("a steady high rate", (series(rule.metric, labels, counting(spike * 60, 85)),), "80m")
    ]
    if rule.min_per_second > 0:
        low = rule.min_per_second / 2
        silent.append(
            Case(
                "a spike below the floor",
                (series(rule.metric, labels, spiking(low / (rule.spike_factor * 2), low)),),
                "80m",
            )
        )
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                "the rate jumps",
                (series(rule.metric, labels, spiking(calm, spike)),),
                "80m",
                labels,
            ),
        ),
        silent=lambda: tuple(silent),
    )
