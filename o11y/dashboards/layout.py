"""What a dashboard module hands back (`DashboardSpec`: rows of panels) and the grid layout.

Modules decide which rows and panels a dashboard has; this module decides where they go:
rows stack vertically, panels fill each row left to right and wrap at Grafana's 24 columns.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from o11y.dashboards.panels import JsonObject, JsonValue

GRID_COLUMNS = 24  # Grafana's dashboard grid width


@dataclass(frozen=True)
class Row:
    title: str
    panels: tuple[JsonObject, ...]
    # Collapsed rows keep their panels inside the row and load them only when opened.
    collapsed: bool = False


@dataclass(frozen=True)
class DashboardSpec:
    """One dashboard as a module describes it; uid, tags and folder are added in one final pass."""

    key: str  # stable, unique; the uid is derived from it (conventions.dashboard_uid)
    title: str
    rows: tuple[Row, ...]
    description: str = ""
    # Domain words that become tags next to the common ones (the team, the service).
    labels: tuple[str, ...] = ()
    variables: tuple[JsonObject, ...] = ()
    # Links to related dashboards (a service's logs); common links are added in the final pass.
    links: tuple[JsonObject, ...] = ()
    time_from: str = "now-6h"


def grid(rows: Sequence[Row]) -> list[JsonValue]:
    """Panels with ids and grid positions, in reading order."""
    placed: list[JsonValue] = []
    next_id = 1
    y = 0
    for row in rows:
        row_panel: JsonObject = {
            "type": "row",
            "id": next_id,
            "title": row.title,
            "collapsed": row.collapsed,
            "gridPos": {"h": 1, "w": GRID_COLUMNS, "x": 0, "y": y},
            "panels": [],
        }
        next_id += 1
        y += 1
        row_start = y
        children: list[JsonValue] = []
        x = 0
        row_height = 0
        for panel in row.panels:
            width, height = _size(panel)
            if x + width > GRID_COLUMNS:
                x, y, row_height = 0, y + row_height, 0
            children.append(
                {**panel, "id": next_id, "gridPos": {"h": height, "w": width, "x": x, "y": y}}
            )
            next_id += 1
            x += width
            row_height = max(row_height, height)
        if row.collapsed:
            # Grafana lays a collapsed row's panels out again when it opens; the next row
            # starts right under this row's header.
            y = row_start
            row_panel["panels"] = children
            placed.append(row_panel)
        else:
            y += row_height
            placed.extend([row_panel, *children])
    return placed


def _size(panel: JsonObject) -> tuple[int, int]:
    position = panel["gridPos"]
    assert isinstance(position, dict)
    width, height = position["w"], position["h"]
    assert isinstance(width, int)
    assert isinstance(height, int)
    return min(width, GRID_COLUMNS), height
