"""Grafana dashboards as code (D1-D6, S2, S6): one module per dashboard, built from the stack.

Each module returns `DashboardSpec`s (rows of panels from the builders in `panels.py`); this
module is the one final pass that gives every dashboard its uid, folder, tags, common links
and grid layout, so no module has to remember them. Components (components/dashboards.py)
create the folders and dashboards in Grafana; `dashboard_files` is the same JSON as files.
"""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from o11y.conventions import dashboard_uid, folder_uid
from o11y.dashboards import (
    business,
    cost,
    infrastructure,
    logs,
    overview,
    service,
    slo,
    synthetics,
)
from o11y.dashboards.layout import DashboardSpec, grid
from o11y.dashboards.panels import JsonObject, JsonValue
from o11y.model.stack import Stack

# Grafana 11's dashboard schema; newer Grafana (the chart ships 13.x) migrates it on load.
SCHEMA_VERSION = 39
COMMON_TAG = "o11y"
REFRESH = "1m"


@dataclass(frozen=True)
class Folder:
    key: str
    title: str

    @property
    def uid(self) -> str:
        return folder_uid(self.key)


@dataclass(frozen=True)
class Dashboard:
    uid: str
    title: str
    folder: Folder
    model: JsonObject

    def json(self) -> str:
        """The model as Grafana imports it, byte for byte the same for the same stack."""
        return json.dumps(self.model, indent=2, sort_keys=True) + "\n"


OVERVIEW = Folder("overview", "Overview")
SERVICES = Folder("services", "Services")
PLATFORM = Folder("platform", "Platform")
BUSINESS = Folder("business", "Business")

# Which module's dashboards go in which folder, in the order Grafana lists them.
SECTIONS: tuple[tuple[Folder, Callable[[Stack], list[DashboardSpec]]], ...] = (
    (OVERVIEW, overview.dashboards),
    (OVERVIEW, slo.dashboards),
    (OVERVIEW, logs.dashboards),
    (OVERVIEW, synthetics.dashboards),
    (SERVICES, service.dashboards),
    (PLATFORM, infrastructure.dashboards),
    (PLATFORM, cost.dashboards),
    (BUSINESS, business.dashboards),
)


def dashboards(stack: Stack) -> list[Dashboard]:
    """Every dashboard of the stack, finished: uid, folder, tags, links, layout."""
    finished = [finish(spec, folder) for folder, build in SECTIONS for spec in build(stack)]
    uids = [d.uid for d in finished]
    duplicates = sorted({uid for uid in uids if uids.count(uid) > 1})
    if duplicates:
        raise ValueError(f"dashboard uids used twice: {duplicates}")
    return finished


def folders(boards: Sequence[Dashboard]) -> list[Folder]:
    """The folders that hold at least one of `boards`, in section order."""
    return list(dict.fromkeys(d.folder for d in boards))


def dashboard_files(stack: Stack) -> dict[str, str]:
    """`grafana/dashboards/<uid>.json` -> the dashboard JSON, for review and offline import."""
    return {f"grafana/dashboards/{d.uid}.json": d.json() for d in dashboards(stack)}


def finish(spec: DashboardSpec, folder: Folder) -> Dashboard:
    """The one final pass: everything every dashboard has, set in one place."""
    uid = dashboard_uid(spec.key)
    overview_uid = dashboard_uid("overview")
    links: list[JsonValue] = [
        {
            "title": "Dashboards",
            "type": "dashboards",
            "tags": [COMMON_TAG],
            "asDropdown": True,
            "keepTime": True,
            "includeVars": False,
        }
    ]
    if uid != overview_uid:
        links.insert(
            0,
            {
                "title": "Overview",
                "type": "link",
                "url": f"/d/{overview_uid}",
                "keepTime": True,
                "icon": "dashboard",
            },
        )
    links.extend(spec.links)
    variables: list[JsonValue] = list(spec.variables)
    tags: list[JsonValue] = [*sorted({COMMON_TAG, folder.key, *spec.labels})]
    model: JsonObject = {
        "id": None,
        "uid": uid,
        "title": spec.title,
        "description": spec.description,
        "tags": tags,
        "panels": grid(spec.rows),
        "templating": {"list": variables},
        "links": links,
        "time": {"from": spec.time_from, "to": "now"},
        "timezone": "utc",
        "refresh": REFRESH,
        "graphTooltip": 1,  # shared crosshair: the same moment across panels
        # Changes belong in this repository; the UI copy is overwritten on the next deploy.
        "editable": False,
        "schemaVersion": SCHEMA_VERSION,
    }
    return Dashboard(uid=uid, title=spec.title, folder=folder, model=model)
