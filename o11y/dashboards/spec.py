"""What a dashboard module hands back: `DashboardSpec`, rows of panel builders.

Modules decide which rows and panels a dashboard has and how wide each panel is; the
foundation SDK's dashboard builder places them on the grid (o11y/dashboards/__init__.py).
"""

from dataclasses import dataclass
from typing import TypeAlias

from grafana_foundation_sdk.builders.dashboard import DashboardLink
from grafana_foundation_sdk.cog.builder import Builder
from grafana_foundation_sdk.models.dashboard import VariableModel

from o11y.dashboards.panels import PanelBuilder

VariableBuilder: TypeAlias = Builder[VariableModel]


@dataclass(frozen=True)
class Row:
    title: str
    panels: tuple[PanelBuilder, ...]
    # Collapsed rows keep their panels inside the row and query only once opened: heavy log
    # searches and investigations that need a variable set first.
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
    variables: tuple[VariableBuilder, ...] = ()
    # Links to related dashboards (a service's logs); common links are added in the final pass.
    links: tuple[DashboardLink, ...] = ()
    time_from: str = "now-6h"
