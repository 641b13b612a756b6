"""The panel builders (o11y/dashboards/panels.py): targets lettered in order, threshold
steps, shares with their decimals, tables that show every series at once."""

import json

from o11y.dashboards import PLATFORM, dashboards, finish
from o11y.dashboards.panels import (
    PERCENT_DECIMALS,
    PanelBuilder,
    ceiling,
    prometheus,
    stat,
    timeseries,
)
from o11y.dashboards.spec import DashboardSpec, Row
from o11y.model.stack import Stack
from tests.o11y.dashboards.shop import (
    panels,
)
from tests.trees import as_dict, dicts, dig


def test_tables_show_every_series_at_once(shop: Stack) -> None:
    tables = [
        (board.uid, panel)
        for board in dashboards(shop)
        for panel in panels(board)
        if panel["type"] == "table" and dig(panel, "datasource", "type") != "tempo"
    ]
    assert len(tables) >= 5
    for uid, panel in tables:
        steps = [t["id"] for t in dicts(panel["transformations"])]
        assert steps[:2] == ["labelsToFields", "merge"], (uid, panel["title"])
        for target in dicts(panel["targets"]):
            if dig(panel, "datasource", "type") == "prometheus":
                assert target["format"] == "table" and target["instant"] is True, panel["title"]
            else:
                assert target["queryType"] == "instant", panel["title"]


def _built(panel: PanelBuilder) -> dict[str, object]:
    """One panel as Grafana reads it, placed alone on a dashboard."""
    spec = DashboardSpec(key="panel", title="Panel", rows=(Row("Row", (panel,)),))
    board = as_dict(json.loads(finish(spec, PLATFORM).json))
    return dicts(board["panels"])[1]


def test_targets_are_lettered_in_order_and_keep_their_options() -> None:
    panel = _built(
        timeseries(
            "Latency",
            [prometheus("a", "p95", exemplar=True), prometheus("b", instant=True)],
            "s",
        )
    )
    first, second = dicts(panel["targets"])
    assert (first["refId"], first["expr"], first["legendFormat"], first["exemplar"]) == (
        "A",
        "a",
        "p95",
        True,
    )
    assert (second["refId"], second["instant"]) == ("B", True)
    assert "legendFormat" not in second


def test_a_ceiling_is_green_below_the_limit_and_red_from_it_on() -> None:
    panel = _built(stat("Errors", [prometheus("x")], "percentunit", steps=ceiling(0.02)))
    assert dig(panel, "fieldConfig", "defaults", "thresholds", "steps") == [
        {"color": "green", "value": None},
        {"color": "red", "value": 0.02},
    ]
    assert dig(panel, "fieldConfig", "defaults", "decimals") == PERCENT_DECIMALS
