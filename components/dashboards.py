"""Dashboards in Grafana: one folder per dashboard section and one dashboard per generated model.

What the dashboards contain is decided in o11y/dashboards; this component only creates them
through the explicit Grafana provider it is given.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumiverse_grafana as grafana

from o11y.dashboards import Dashboard, folders


@dataclass(frozen=True)
class DashboardsArgs:
    # The stack's dashboards (o11y/dashboards), each in its folder.
    dashboards: Sequence[Dashboard]
    provider: grafana.Provider
    # What must exist first (the Grafana release and its datasources).
    depends_on: Sequence[pulumi.Resource] = field(default_factory=tuple)


class Dashboards(pulumi.ComponentResource):
    folders: dict[str, grafana.oss.Folder]
    dashboards: dict[str, grafana.oss.Dashboard]

    def __init__(
        self, name: str, args: DashboardsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("o11y:dashboards:Dashboards", name, None, opts)
        child = pulumi.ResourceOptions(
            parent=self, provider=args.provider, depends_on=list(args.depends_on)
        )
        built = args.dashboards
        self.folders = {
            folder.uid: grafana.oss.Folder(
                f"{name}-{folder.key}", uid=folder.uid, title=folder.title, opts=child
            )
            for folder in folders(built)
        }
        self.dashboards = {
            d.uid: grafana.oss.Dashboard(
                f"{name}-{d.uid}",
                config_json=d.json,
                folder=self.folders[d.folder.uid].uid,
                # The uid is ours: a dashboard edited in the UI is put back on the next deploy.
                overwrite=True,
                opts=child,
            )
            for d in built
        }
        self.register_outputs(
            {
                "folders": sorted(self.folders),
                "dashboards": sorted(self.dashboards),
            }
        )
