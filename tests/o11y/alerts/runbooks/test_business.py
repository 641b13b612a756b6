"""The business and security runbooks name their rule and service, and query that service's counters and logs."""

import pytest

from o11y.alertdef import AlertDefinition
from o11y.alerts.areas import BUSINESS_FAILURES, SECURITY_EVENTS, SECURITY_SPIKES
from o11y.alerts.business import SECURITY_EVENT, SECURITY_SPIKE, event_subjects
from o11y.alerts.runbooks.business import SECURITY_RUNBOOKS
from o11y.model.stack import Stack
from tests.o11y.alerts.dependencies.conftest import WEB
from tests.o11y.alerts.runbooks.checks import assert_complete, queries, selectors, stream_selector
from tests.small_stacks import SERVICE, TEAM, small_stack


@pytest.fixture(scope="module")
def stack() -> Stack:
    """Two services in two namespaces, a business rule on each and both kinds of security rule."""
    return small_stack(
        overrides={
            "teams": [TEAM, WEB],
            "services": [
                SERVICE,
                {
                    **SERVICE,
                    "name": "members",
                    "display_name": "Members",
                    "team": "web",
                    "namespace": "club",
                },
            ],
            "business_rules": [
                {
                    "name": "checkout-failures",
                    "title": "Checkout failure rate",
                    "service": "shop",
                    "total_metric": "billing_checkout_attempts_total",
                    "failed_metric": "billing_checkout_failures_total",
                    "max_failure_percent": 5,
                },
                {
                    "name": "join-failures",
                    "title": "Membership join failure rate",
                    "service": "members",
                    "total_metric": "membership_join_attempts_total",
                    "failed_metric": "membership_join_failures_total",
                    "max_failure_percent": 12.5,
                    "window": "15m",
                },
            ],
            "security_rules": [
                {
                    "name": "unauthorized-admin-attempts",
                    "title": "Unauthorized admin attempts",
                    "service": "members",
                    "metric": "auth_admin_unauthorized_attempts_total",
                    "kind": "any",
                    "window": "10m",
                },
                {
                    "name": "rate-limit-breaches",
                    "title": "Rate-limit breach spike",
                    "service": "shop",
                    "metric": "gateway_rate_limited_requests_total",
                    "kind": "spike",
                    "spike_factor": 4,
                    "min_per_second": 2,
                },
            ],
        }
    )


def _security(stack: Stack) -> list[AlertDefinition]:
    return [*SECURITY_EVENTS(stack), *SECURITY_SPIKES(stack)]


def test_every_runbook_names_its_rule_and_service(stack: Stack) -> None:
    display = {s.name: s.display_name for s in stack.services}
    failures = BUSINESS_FAILURES(stack)
    assert len(failures) == len(stack.business_rules)
    for definition, rule in zip(failures, stack.business_rules, strict=True):
        assert definition.summary.startswith(rule.title)
        assert f" on {rule.service} " in definition.description
        assert_complete(definition)
    metrics = {rule.service: rule.metric for rule in stack.security_rules}
    security = _security(stack)
    assert len(security) == len(stack.security_rules)
    for definition in security:
        assert definition.service is not None
        assert definition.summary.endswith(f" on {display[definition.service]}.")
        metric = metrics[definition.service]
        assert definition.description.startswith(f"{metric} on {definition.service}: ")
        assert_complete(definition)


def test_the_failure_runbook_states_the_rules_threshold_counters_and_window(stack: Stack) -> None:
    join = [d for d in BUSINESS_FAILURES(stack) if d.service == "members"]
    (definition,) = join
    assert definition.summary == "Membership join failure rate is above 12.5%."
    assert definition.description == (
        "More than 12.5% of membership_join_attempts_total attempts on members failed over 15m, "
        "for 2 minutes (membership_join_failures_total / membership_join_attempts_total)."
    )
    by_reason = definition.triage[1].query
    assert by_reason == (
        'sum by (reason) (rate(membership_join_failures_total{service="members"}[15m]))'
    )


def test_the_rollback_names_the_services_namespace_and_deployment(stack: Stack) -> None:
    for definition, namespace in zip(BUSINESS_FAILURES(stack), ("apps", "club"), strict=True):
        assert (
            f"`kubectl -n {namespace} rollout undo deployment/{definition.service}`"
            in definition.resolution[0]
        )


def test_an_event_and_a_spike_say_what_fired_them(stack: Stack) -> None:
    (event,) = SECURITY_EVENTS(stack)
    (spike,) = SECURITY_SPIKES(stack)
    assert event.description == (
        "auth_admin_unauthorized_attempts_total on members: at least one event in 10m."
    )
    assert spike.description == (
        "gateway_rate_limited_requests_total on shop: more than 4x the rate of the hour before, "
        "above 2/s."
    )
    (subject, _) = event_subjects(stack)[0]
    as_event = SECURITY_RUNBOOKS[SECURITY_EVENT](subject)
    as_spike = SECURITY_RUNBOOKS[SECURITY_SPIKE](subject)
    assert as_event.summary == as_spike.summary == "Unauthorized admin attempts on Members."
    assert as_event.description == event.description
    assert as_spike.description.endswith(": more than 3x the rate of the hour before, above 0.1/s.")


def test_queries_select_the_services_counters_and_logs(stack: Stack) -> None:
    for definition in [*BUSINESS_FAILURES(stack), *_security(stack)]:
        service = str(definition.service)
        promql = queries(definition, "promql")
        assert promql
        for query in promql:
            found = selectors(query)
            assert found, query
            assert all(m == {"service": ("=", service)} for m in found), query
        (logs,) = queries(definition, "logql")
        assert stream_selector(logs) == {"service": ("=", service)}
