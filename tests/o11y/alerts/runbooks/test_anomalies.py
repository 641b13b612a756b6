"""The anomaly runbook names its watch, says on which side of the band it left and reads that watch's records."""

import pytest

from o11y.alerts.anomalies import ALERT
from o11y.alerts.areas import ANOMALIES
from o11y.alerts.runbooks.anomalies import RUNBOOKS
from o11y.model.stack import Stack
from tests.o11y.alerts.runbooks.checks import assert_complete, queries, selectors
from tests.small_stacks import small_stack

EXPRS = {
    "paid": 'sum(rate(billing_checkout_paid_total{service="shop"}[5m]))',
    "slow": 'histogram_quantile(0.95, sum by (le) (rate(x_bucket{service="shop"}[5m])))',
    "signups": "sum(rate(signups_total[5m]))",
}


@pytest.fixture(scope="module")
def stack() -> Stack:
    """Three watches, one per direction, with their own band and duration."""
    return small_stack(
        overrides={
            "anomalies": [
                {
                    "name": "paid",
                    "title": "Paid checkouts",
                    "team": "core",
                    "service": "shop",
                    "expr": EXPRS["paid"],
                    "direction": "drop",
                    "sensitivity": 2.5,
                    "min_band_percent": 15,
                    "sustained": "45m",
                },
                {
                    "name": "slow",
                    "title": "Shop p95",
                    "team": "core",
                    "expr": EXPRS["slow"],
                    "direction": "rise",
                },
                {
                    "name": "signups",
                    "title": "Sign-ups",
                    "team": "core",
                    "expr": EXPRS["signups"],
                },
            ]
        }
    )


def test_every_runbook_names_its_watch_and_is_complete(stack: Stack) -> None:
    definitions = ANOMALIES(stack)
    assert {d.name for d in definitions} == set(RUNBOOKS) == {ALERT}
    for definition, watch in zip(definitions, stack.anomalies, strict=True):
        assert definition.summary.startswith(f"{watch.title} is ")
        assert definition.description.startswith(f"{watch.title} has been ")
        assert_complete(definition)


def test_the_summary_says_on_which_side_of_the_band_the_metric_is(stack: Stack) -> None:
    assert [d.summary for d in ANOMALIES(stack)] == [
        "Paid checkouts is under its usual range.",
        "Shop p95 is over its usual range.",
        "Sign-ups is outside its usual range.",
    ]


def test_the_description_states_the_watchs_own_band_and_duration(stack: Stack) -> None:
    paid = ANOMALIES(stack)[0]
    assert "for 45m (2.5 standard deviations, at least 15% of the baseline)" in paid.description


def test_the_records_queried_are_the_watchs_own(stack: Stack) -> None:
    for definition in ANOMALIES(stack):
        watch = definition.labels["anomaly"]
        *records, own = queries(definition, "promql")
        assert len(records) == 3
        for query in records:
            found = selectors(query)
            assert found, query
            assert all(m == {"anomaly": ("=", watch)} for m in found), query
        assert own == EXPRS[watch]
