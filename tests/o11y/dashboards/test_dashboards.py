"""The final pass over every dashboard (o11y/dashboards/__init__.py), on the shop catalog:
built with the foundation SDK and accepted by its models, deterministic files, panels on the
grid with unique ids and titles, stable uids, datasource variables per tenant."""

import json

from grafana_foundation_sdk.models import dashboard as sdk_dashboard
from grafana_foundation_sdk.models import stat as sdk_stat
from grafana_foundation_sdk.models import table as sdk_table
from grafana_foundation_sdk.models import timeseries as sdk_timeseries

from o11y.config import parse_stack, read_stack_file
from o11y.conventions import dashboard_uid
from o11y.dashboards import dashboard_files, dashboards, unread_by_the_sdk
from o11y.helm.grafana import datasources
from o11y.jsontext import json_text
from o11y.model.stack import Stack
from tests.conftest import ROOT
from tests.o11y.dashboards.shop import (
    CATALOG,
    by_uid,
    model,
    panels,
    rows_and_panels,
    titled,
)
from tests.trees import as_dict, dicts, dig, integer, text


def test_the_sdk_models_read_every_dashboard_back_unchanged(shop: Stack) -> None:
    for board in dashboards(shop):
        assert unread_by_the_sdk(json.loads(board.json)) == [], board.uid
    # Panel options are read into the panel kinds' own typed models, not left as raw maps.
    overview = sdk_dashboard.Dashboard.from_json(model(by_uid(shop)["o11y-overview"]))
    kinds = {
        type(p.options)
        for p in overview.panels or []
        if isinstance(p, sdk_dashboard.Panel) and p.options is not None
    }
    assert {sdk_stat.Options, sdk_table.Options, sdk_timeseries.Options} <= kinds


def test_what_the_sdk_schema_does_not_know_is_named_by_its_path(shop: Stack) -> None:
    board = model(by_uid(shop)["o11y-overview"])
    first = dicts(board["panels"])[1]
    first["colour"] = "red"
    as_dict(dig(first, "options", "reduceOptions"))["calc"] = ["last"]
    assert unread_by_the_sdk(board) == [
        ".panels[1].colour: dropped by the schema",
        ".panels[1].options.reduceOptions.calc: dropped by the schema",
    ]


def test_files_are_sorted_json_deterministic_and_the_same_for_both_environments(
    shop: Stack,
) -> None:
    files = dashboard_files(shop)
    assert files == dashboard_files(shop)
    for path, content in files.items():
        parsed = as_dict(json.loads(content))
        assert content == json_text(parsed)
        assert path == f"grafana/dashboards/{parsed['uid']}.json"
        assert parsed["editable"] is False
    dev = parse_stack(read_stack_file(ROOT / "Pulumi.dev.yaml"), CATALOG, "dev")
    # The same dashboards in both, but for the backends that only prod runs in pieces.
    backends = "grafana/dashboards/o11y-backends.json"
    assert backends in files and backends not in dashboard_files(dev)
    assert dashboard_files(dev) == {p: c for p, c in files.items() if p != backends}


def test_panels_sit_on_the_grid_without_overlapping_and_ids_are_unique(shop: Stack) -> None:
    for board in dashboards(shop):
        cells: set[tuple[int, int]] = set()
        ids = [p["id"] for p in panels(board)]
        assert len(ids) == len(set(ids)) and 0 not in ids, board.uid
        for panel, _ in rows_and_panels(board):
            left, top, width, height = (
                integer(dig(panel, "gridPos", k)) for k in ("x", "y", "w", "h")
            )
            assert left + width <= 24, (board.uid, panel["title"])
            for x in range(left, left + width):
                for y in range(top, top + height):
                    assert (x, y) not in cells, (board.uid, panel["title"])
                    cells.add((x, y))


def test_no_dashboard_has_two_panels_or_rows_with_the_same_title(shop: Stack) -> None:
    for board in dashboards(shop):
        names = [text(p["title"]) for p in panels(board)]
        assert len(names) == len(set(names)), (
            board.uid,
            sorted(n for n in names if names.count(n) > 1),
        )


def test_uids_are_unique_stable_and_fit_grafana(shop: Stack) -> None:
    boards = dashboards(shop)
    uids = [d.uid for d in boards]
    assert uids == [
        "o11y-overview",
        "o11y-slo",
        "o11y-logs",
        "o11y-service-checkout",
        "o11y-service-search",
        "o11y-infrastructure",
        "o11y-backends",
        "o11y-cost",
        "o11y-business-billing",
        "o11y-business-messaging",
    ]
    first = dashboard_uid("service-" + "a" * 50)
    second = dashboard_uid("service-" + "a" * 49 + "b")
    assert len(first) == len(second) == 40 and first != second


def test_every_panel_reads_the_datasource_variable_of_its_kind_defaulting_to_the_platform_tenant(
    shop: Stack,
) -> None:
    provisioned = {text(s["uid"]): text(s["type"]) for s in dicts(datasources(shop))}
    for board in dashboards(shop):
        variables = {
            text(v["name"]): v
            for v in dicts(dig(model(board), "templating", "list"))
            if v["type"] == "datasource"
        }
        for panel in panels(board):
            if panel["type"] in ("row", "text"):
                continue
            source = as_dict(panel["datasource"])
            name = text(source["uid"]).removeprefix("${").removesuffix("}")
            variable = variables[name]
            assert variable["query"] == source["type"], (board.uid, panel["title"])
            default = text(dig(variable, "current", "value"))
            assert provisioned[default] == source["type"]
        # A tenant's viewers can pick their tenant's datasource: every kind has one per tenant.
        for variable in variables.values():
            kind = variable["query"]
            assert sum(1 for t in provisioned.values() if t == kind) >= 3, kind


def test_shares_and_slis_show_enough_decimals(shop: Stack) -> None:
    for board in dashboards(shop):
        for panel in panels(board):
            defaults = (
                as_dict(dig(panel, "fieldConfig", "defaults")) if "fieldConfig" in panel else {}
            )
            if defaults.get("unit") == "percentunit":
                assert integer(defaults.get("decimals")) >= 2, (board.uid, panel["title"])
    sli = titled(by_uid(shop)["o11y-slo"])["Checkout availability: SLI over 30d"]
    assert dig(sli, "fieldConfig", "defaults", "decimals") == 3
