"""Grafana dashboards as code: one module per dashboard, built from the stack with the Grafana
foundation SDK's builders.

Each module returns `DashboardSpec`s (rows of panel builders); this module is the one final pass
that gives every dashboard its uid, folder, tags, common links, datasource variables and panel
ids, and lets the SDK's dashboard builder lay the rows out. Components
(components/dashboards.py) create the folders and dashboards in Grafana; `dashboard_files` is
the same JSON as files.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import orjson
from grafana_foundation_sdk.builders import dashboard as dashboard_builder
from grafana_foundation_sdk.cog.plugins import register_default_plugins
from grafana_foundation_sdk.models import dashboard as model

from o11y.conventions import dashboard_uid, folder_uid
from o11y.dashboards import (
    backends,
    business,
    cost,
    infrastructure,
    logs,
    overview,
    service,
    slo,
    synthetics,
)
from o11y.dashboards.panels import DATASOURCE_VARIABLES, datasource_variable
from o11y.dashboards.spec import DashboardSpec
from o11y.jsontext import json_text
from o11y.model.stack import Stack
from o11y.once import once_per_stack

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
    # The model as Grafana imports it, byte for byte the same for the same stack; written once,
    # read by the program and the rendered files alike.
    json: str

    def sdk_model(self) -> model.Dashboard:
        """The JSON read back by the foundation SDK, as Grafana's own schema sees it."""
        register_default_plugins()
        return model.Dashboard.from_json(orjson.loads(self.json))


def _sdk_model(value: object) -> object:
    """A foundation SDK object as JSON data: what its own `to_json` says."""
    to_json = getattr(value, "to_json", None)
    if not callable(to_json):
        raise TypeError(f"not JSON: {type(value).__name__}")
    data: object = to_json()
    return data


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
    (PLATFORM, backends.dashboards),
    (PLATFORM, cost.dashboards),
    (BUSINESS, business.dashboards),
)


@once_per_stack
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
    return {f"grafana/dashboards/{d.uid}.json": d.json for d in dashboards(stack)}


def finish(spec: DashboardSpec, folder: Folder) -> Dashboard:
    """The one final pass: everything every dashboard has, set in one place."""
    uid = dashboard_uid(spec.key)
    overview_uid = dashboard_uid("overview")
    builder = (
        dashboard_builder.Dashboard(spec.title)
        .uid(uid)
        .description(spec.description)
        .tags(sorted({COMMON_TAG, folder.key, *spec.labels}))
        .time(spec.time_from, "now")
        .timezone("utc")
        .refresh(REFRESH)
        # Shared crosshair: the same moment across panels.
        .tooltip(model.DashboardCursorSync.CROSSHAIR)
        # Changes belong in this repository; the UI copy is overwritten on the next deploy.
        .readonly()
    )
    if uid != overview_uid:
        builder = builder.link(
            dashboard_builder.DashboardLink("Overview")
            .type(model.DashboardLinkType.LINK)
            .url(f"/d/{overview_uid}")
            .keep_time(True)
            .icon("dashboard")
        )
    builder = builder.link(
        dashboard_builder.DashboardLink("Dashboards")
        .type(model.DashboardLinkType.DASHBOARDS)
        .tags([COMMON_TAG])
        .as_dropdown(True)
        .keep_time(True)
        .include_vars(False)
    )
    for extra in spec.links:
        builder = builder.link(extra)
    for row in spec.rows:
        row_builder = dashboard_builder.Row(row.title)
        if row.collapsed:
            for panel in row.panels:
                row_builder = row_builder.with_panel(panel)
            builder = builder.with_row(row_builder)
        else:
            builder = builder.with_row(row_builder.collapsed(False))
            for panel in row.panels:
                builder = builder.with_panel(panel)
    built = builder.build()
    used = {p.datasource.uid for p in _panels(built) if p.datasource is not None}
    # A datasource picker for each kind the panels read, before the module's own variables.
    variables = [
        datasource_variable(name, kind, label, default)
        for name, kind, label, default in DATASOURCE_VARIABLES
        if f"${{{name}}}" in used
    ]
    built.templating = model.DashboardDashboardTemplating(
        list_val=[v.build() for v in (*variables, *spec.variables)]
    )
    for number, placed in enumerate(_all_panels(built), start=1):
        placed.id_val = number
    # Only the text is kept: the builders' object graph is garbage from here on.
    return Dashboard(uid, spec.title, folder, json_text(built.to_json(), default=_sdk_model))


def _all_panels(board: model.Dashboard) -> Iterator[model.Panel | model.RowPanel]:
    """Rows and panels in reading order, the panels of collapsed rows inside their row."""
    for panel in board.panels or []:
        if isinstance(panel, model.RowPanel):
            yield panel
            yield from panel.panels
        elif isinstance(panel, model.Panel):
            yield panel


def _panels(board: model.Dashboard) -> Iterator[model.Panel]:
    for panel in _all_panels(board):
        if isinstance(panel, model.Panel):
            yield panel


def unread_by_the_sdk(original: dict[str, object]) -> list[str]:
    """Where a dashboard's JSON model differs once read by the foundation SDK's models (the
    dashboard schema and each panel kind's and datasource's own) and written back: what the
    schema does not know or spells differently. Empty when the SDK reads it unchanged."""
    register_default_plugins()
    again: object = orjson.loads(
        orjson.dumps(
            model.Dashboard.from_json(original).to_json(),
            default=_sdk_model,
            option=orjson.OPT_PASSTHROUGH_DATACLASS,
        )
    )
    return list(_differences(original, again, ""))


def _differences(before: object, after: object, path: str) -> Iterator[str]:
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after)):
            where = f"{path}.{key}"
            if key not in after:
                yield f"{where}: dropped by the schema"
            elif key not in before:
                yield f"{where}: added by the schema"
            else:
                yield from _differences(before[key], after[key], where)
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for index, (one, other) in enumerate(zip(before, after, strict=True)):
            yield from _differences(one, other, f"{path}[{index}]")
    elif before != after:
        yield f"{path or '(root)'}: {before!r} read as {after!r}"
