"""What a dashboard module hands back (o11y/dashboards/spec.py) and what Grafana gets from it:
collapsed rows keep their panels inside, open rows lay theirs out after them, and the spec's
labels and time range reach the dashboard."""

import json

from o11y.dashboards import PLATFORM, finish
from o11y.dashboards.panels import prometheus, stat
from o11y.dashboards.spec import DashboardSpec, Row
from tests.trees import as_dict, as_list, dicts, dig, text


def test_a_collapsed_row_holds_its_panels_and_an_open_row_is_followed_by_them() -> None:
    spec = DashboardSpec(
        key="rows",
        title="Rows",
        rows=(
            Row("Open", (stat("Up", [prometheus("up")]),)),
            Row("Heavy", (stat("Slow", [prometheus("slow")]),), collapsed=True),
        ),
        labels=("team-core",),
        time_from="now-24h",
    )
    board = as_dict(json.loads(finish(spec, PLATFORM).json))
    top = dicts(board["panels"])
    assert [(p["type"], p["title"]) for p in top] == [
        ("row", "Open"),
        ("stat", "Up"),
        ("row", "Heavy"),
    ]
    assert top[0]["collapsed"] is False and top[0].get("panels", []) == []
    assert top[2]["collapsed"] is True
    assert [text(p["title"]) for p in dicts(top[2]["panels"])] == ["Slow"]
    assert "team-core" in as_list(board["tags"])
    assert dig(board, "time", "from") == "now-24h"
