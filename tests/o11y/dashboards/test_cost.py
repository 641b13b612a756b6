"""The cost dashboard: attribution by each cost label and currency metric, and the
cardinality audit of labels that must never reach a metric."""

from o11y.dashboards.cost import UNBOUNDED_LABELS
from o11y.model.stack import Stack
from tests.o11y.dashboards.shop import (
    by_uid,
    exprs,
    titled,
)
from tests.trees import dig


def test_cost_splits_by_each_cost_label_and_currency_metric(shop: Stack) -> None:
    queries = exprs(by_uid(shop)["o11y-cost"], "prometheus")
    assert 'sum by (plan) (increase(http_requests_total{plan!=""}[$__range]))' in queries
    assert (
        'sum by (plan) (increase(payments_usd_total{service="checkout",plan!=""}[$__range]))'
    ) in queries


def test_each_unbounded_label_has_a_tile_that_turns_red_from_one_series_on(shop: Stack) -> None:
    board = titled(by_uid(shop)["o11y-cost"])
    for label in UNBOUNDED_LABELS:
        tile = board[f"Series with {label}"]
        assert dig(tile, "targets", 0, "expr") == f'count({{{label}!=""}}) or vector(0)'
        assert dig(tile, "fieldConfig", "defaults", "thresholds", "steps", 1) == {
            "color": "red",
            "value": 1,
        }
