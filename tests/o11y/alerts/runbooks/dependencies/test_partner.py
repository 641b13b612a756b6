"""The partner API runbooks name the calling service and the partner, and read that caller's calls and logs."""

from o11y.alerts.areas import PARTNER
from o11y.alerts.runbooks.dependencies.partner import RUNBOOKS
from o11y.model.stack import Stack
from tests.o11y.alerts.runbooks.checks import assert_complete, queries, selectors, stream_selector


def test_one_runbook_per_caller_names_the_caller_the_partner_and_the_threshold(
    stack: Stack,
) -> None:
    definitions = PARTNER(stack)
    assert {d.name for d in definitions} == set(RUNBOOKS)
    assert [d.summary for d in definitions] == [
        "More than 10% of Shop's calls to bank fail.",
        "More than 10% of Cart's calls to bank fail.",
        "More than 2.5% of Cart's calls to maps fail.",
    ]
    for definition in definitions:
        assert definition.description.startswith(f"{definition.service}'s calls to the partner API")
        assert_complete(definition)


def test_the_calls_are_selected_by_caller_and_partner_label(stack: Stack) -> None:
    labels = {"bank": "bank-api", "maps": "maps"}
    for definition in PARTNER(stack):
        partner = labels[definition.labels["dependency"]]
        (calls,) = queries(definition, "promql")
        assert selectors(calls) == [
            {"service": ("=", str(definition.service)), "partner": ("=", partner)}
        ]


def test_the_logs_are_the_callers_own_filtered_by_partner_label(stack: Stack) -> None:
    labels = {"bank": "bank-api", "maps": "maps"}
    for definition in PARTNER(stack):
        (logs,) = queries(definition, "logql")
        assert stream_selector(logs) == {"service": ("=", str(definition.service))}
        assert f'|= "{labels[definition.labels["dependency"]]}"' in logs
