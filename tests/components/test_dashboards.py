"""Dashboards under Pulumi mocks: folders and dashboards created with the Grafana provider,
parented to the component, each dashboard in its folder with the core's JSON."""

import json

import pulumi
import pulumiverse_grafana as grafana

from cli.mocks import Registration, record
from components.dashboards import Dashboards, DashboardsArgs
from o11y.dashboards import dashboards
from o11y.model.stack import Stack

FOLDER = "grafana:oss/folder:Folder"
DASHBOARD = "grafana:oss/dashboard:Dashboard"


def _run(stack: Stack) -> list[Registration]:
    def program() -> None:
        provider = grafana.Provider("grafana", url="http://grafana.test", auth="admin:x")
        release = pulumi.CustomResource("test:index:Release", "grafana-release", {})
        Dashboards("dashboards", DashboardsArgs(dashboards(stack), provider, depends_on=[release]))

    return record(program, "test")


def test_folders_and_dashboards_are_children_made_with_the_grafana_provider(
    dev_stack: Stack,
) -> None:
    registered = _run(dev_stack)
    component = next(r for r in registered if r.type == "o11y:dashboards:Dashboards")
    folders = [r for r in registered if r.type == FOLDER]
    boards = [r for r in registered if r.type == DASHBOARD]
    expected = dashboards(dev_stack)

    assert sorted(str(f.inputs["uid"]) for f in folders) == [
        "o11y-business",
        "o11y-overview",
        "o11y-platform",
        "o11y-services",
    ]
    assert {f.inputs["title"] for f in folders} == {"Overview", "Services", "Platform", "Business"}
    assert len(boards) == len(expected)
    for child in [*folders, *boards]:
        assert child.parent == component.urn
        assert "::grafana::grafana" in child.provider, child.provider
        assert any("grafana-release" in d for d in child.dependencies), child.name


def test_each_dashboard_carries_the_core_json_in_its_folder(dev_stack: Stack) -> None:
    registered = _run(dev_stack)
    boards = {r.name: r for r in registered if r.type == DASHBOARD}
    for dashboard in dashboards(dev_stack):
        board = boards[f"dashboards-{dashboard.uid}"]
        assert board.inputs["configJson"] == dashboard.json
        assert json.loads(str(board.inputs["configJson"]))["uid"] == dashboard.uid
        # The folder input is the Folder's uid output (so the folder is created first).
        assert board.inputs["folder"] == dashboard.folder.uid
        assert board.inputs["overwrite"] is True
