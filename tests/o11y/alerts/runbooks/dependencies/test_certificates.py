"""The TLS endpoint runbooks name the endpoint's URL and query only that endpoint's probe."""

from o11y.alerts.areas import CERTIFICATES
from o11y.alerts.dependencies import CERT_EXPIRY, TLS_PROBE_FAILING
from o11y.alerts.dependencies.certificates import CERT_EXPIRY_DAYS
from o11y.alerts.runbooks.dependencies.certificates import RUNBOOKS
from o11y.model.stack import Stack
from tests.o11y.alerts.runbooks.checks import assert_complete, queries, selectors


def test_every_runbook_names_the_endpoints_url(stack: Stack) -> None:
    definitions = CERTIFICATES(stack)
    assert [d.name for d in definitions] == [*RUNBOOKS] * 2
    urls = {"api": "https://api.example.org", "app": "https://app.example.org/login"}
    for definition in definitions:
        url = urls[definition.labels["endpoint"]]
        assert url in definition.summary, definition.summary
        assert url in definition.description
        assert_complete(definition)


def test_the_probe_runbook_tells_to_curl_the_endpoint(stack: Stack) -> None:
    (probe,) = [
        d
        for d in CERTIFICATES(stack)
        if d.name == TLS_PROBE_FAILING and d.labels["endpoint"] == "app"
    ]
    assert probe.resolution[0].startswith("`curl -vI https://app.example.org/login`")


def test_queries_select_only_the_endpoints_probe(stack: Stack) -> None:
    for definition in CERTIFICATES(stack):
        endpoint = definition.labels["endpoint"]
        for query in queries(definition, "promql"):
            assert selectors(query) == [{"endpoint": ("=", endpoint)}], query


def test_expiry_is_counted_in_days_against_the_same_limit_as_the_alert(stack: Stack) -> None:
    (expiry,) = [
        d for d in CERTIFICATES(stack) if d.name == CERT_EXPIRY and d.labels["endpoint"] == "api"
    ]
    assert f"less than {CERT_EXPIRY_DAYS} days" in expiry.summary
    assert f"< {CERT_EXPIRY_DAYS} * 86400" in expiry.expr
    (days,) = queries(expiry, "promql")
    assert days == '(probe_ssl_earliest_cert_expiry{endpoint="api"} - time()) / 86400'
