"""Panel builders: small functions returning Grafana foundation SDK builders; the caller decides
the layout (`.span()`, `.height()`) and the dashboard's rows.

Every query reads the datasource chosen in the dashboard's datasource variables (`$metrics`,
`$logs`, `$traces`, defaulting to the platform tenant's datasources), so a tenant's viewers
switch every panel at once. The PromQL itself comes from o11y/promql.py.
"""

from collections.abc import Sequence
from typing import TypeAlias, TypeVar

from grafana_foundation_sdk.builders import bargauge as bargauge_panel
from grafana_foundation_sdk.builders import common as common_builder
from grafana_foundation_sdk.builders import dashboard as dashboard_builder
from grafana_foundation_sdk.builders import logs as logs_panel
from grafana_foundation_sdk.builders import loki as loki_query
from grafana_foundation_sdk.builders import nodegraph as nodegraph_panel
from grafana_foundation_sdk.builders import piechart as piechart_panel
from grafana_foundation_sdk.builders import prometheus as prometheus_query
from grafana_foundation_sdk.builders import stat as stat_panel
from grafana_foundation_sdk.builders import table as table_panel
from grafana_foundation_sdk.builders import tempo as tempo_query
from grafana_foundation_sdk.builders import text as text_panel
from grafana_foundation_sdk.builders import timeseries as timeseries_panel
from grafana_foundation_sdk.cog.builder import Builder
from grafana_foundation_sdk.cog.variants import Dataquery
from grafana_foundation_sdk.models import common
from grafana_foundation_sdk.models import dashboard as model
from grafana_foundation_sdk.models import piechart as piechart_model
from grafana_foundation_sdk.models import text as text_model
from grafana_foundation_sdk.models.prometheus import PromQueryFormat

from o11y.conventions import DATASOURCE_LOKI, DATASOURCE_PROMETHEUS, DATASOURCE_TEMPO

PanelBuilder: TypeAlias = Builder[model.Panel]
QueryBuilder: TypeAlias = prometheus_query.Dataquery | loki_query.Dataquery | tempo_query.TempoQuery

# The dashboard variables that pick the datasource of each kind; their default is the
# platform tenant's datasource (o11y/helm/grafana.py provisions one per tenant).
METRICS_VARIABLE = "metrics"
LOGS_VARIABLE = "logs"
TRACES_VARIABLE = "traces"
DATASOURCE_VARIABLES: tuple[tuple[str, str, str, str], ...] = (
    # (variable, datasource type, label, default uid)
    (METRICS_VARIABLE, "prometheus", "Metrics", DATASOURCE_PROMETHEUS),
    (LOGS_VARIABLE, "loki", "Logs", DATASOURCE_LOKI),
    (TRACES_VARIABLE, "tempo", "Traces", DATASOURCE_TEMPO),
)
PROMETHEUS = common.DataSourceRef(type_val="prometheus", uid=f"${{{METRICS_VARIABLE}}}")
LOKI = common.DataSourceRef(type_val="loki", uid=f"${{{LOGS_VARIABLE}}}")
TEMPO = common.DataSourceRef(type_val="tempo", uid=f"${{{TRACES_VARIABLE}}}")

BarGauge: TypeAlias = bargauge_panel.Panel
PanelT = TypeVar("PanelT", stat_panel.Panel, bargauge_panel.Panel, timeseries_panel.Panel)

# Colour steps: (from value, colour); the first step starts at -infinity (value None).
Steps: TypeAlias = Sequence[tuple[float | None, str]]
GREEN_ABOVE_ONE: Steps = ((None, "red"), (1, "green"))
# Shares shown as percentages: 2 decimals tell 99.89% from 99.91%; every percentage panel
# gets them unless its caller asks for more.
PERCENT_DECIMALS = 2


def ceiling(limit: float) -> Steps:
    """Green below `limit`, red from it on (error ratios, latencies, usage)."""
    return ((None, "green"), (limit, "red"))


def thresholds(steps: Steps) -> dashboard_builder.ThresholdsConfig:
    return (
        dashboard_builder.ThresholdsConfig()
        .mode(model.ThresholdsMode.ABSOLUTE)
        .steps([model.Threshold(value=value, color=colour) for value, colour in steps])
    )


def _last_value() -> common_builder.ReduceDataOptions:
    return common_builder.ReduceDataOptions().calcs(["lastNotNull"]).values(False)


def _ref_id(index: int) -> str:
    return chr(ord("A") + index) if index < 26 else f"Q{index}"


# Queries ------------------------------------------------------------------------------------


def prometheus(
    expr: str, legend: str = "", *, instant: bool = False, exemplar: bool = False
) -> prometheus_query.Dataquery:
    """A PromQL target; `instant` for panels that show one value per series; `exemplar` shows
    trace exemplars (metrics -> traces) on histogram panels."""
    query = prometheus_query.Dataquery().expr(expr)
    if legend:
        query = query.legend_format(legend)
    if instant:
        query = query.instant()
    if exemplar:
        query = query.exemplar(True)
    return query


def loki(expr: str, legend: str = "", *, instant: bool = False) -> loki_query.Dataquery:
    """A LogQL target (log lines, or a metric query over them)."""
    query = loki_query.Dataquery().expr(expr).query_type("instant" if instant else "range")
    if legend:
        query = query.legend_format(legend)
    return query


def traceql(query: str, limit: int = 20) -> tempo_query.TempoQuery:
    """A TraceQL target (a trace id is a valid TraceQL query too)."""
    return tempo_query.TempoQuery().query_type("traceql").query(query).limit(limit)


def service_map(*selectors: str) -> tempo_query.TempoQuery:
    """Tempo's service map, read from the `traces_service_graph_*` metrics; several PromQL
    selectors on them (`server="checkout"`, `client="checkout"`) give the union: who calls a
    service and whom it calls, in one graph."""
    return (
        tempo_query.TempoQuery()
        .query_type("serviceMap")
        .service_map_query([f"{{{selector}}}" for selector in selectors])
    )


def _lettered(targets: Sequence[QueryBuilder]) -> list[Builder[Dataquery]]:
    """The targets with ref ids A, B, ... in order."""
    lettered: list[Builder[Dataquery]] = [
        target.ref_id(_ref_id(index)) for index, target in enumerate(targets)
    ]
    return lettered


# Panels -------------------------------------------------------------------------------------


def timeseries(
    title: str,
    targets: Sequence[QueryBuilder],
    unit: str = "short",
    *,
    datasource: common.DataSourceRef = PROMETHEUS,
    description: str = "",
    steps: Steps | None = None,
    maximum: float | None = None,
    decimals: int | None = None,
) -> timeseries_panel.Panel:
    """Lines over time; threshold `steps` are drawn as dashed lines (budgets, limits)."""
    panel = (
        timeseries_panel.Panel()
        .title(title)
        .datasource(datasource)
        .targets(_lettered(targets))
        .unit(unit)
        .min(0)
        .span(8)
        .height(8)
        .draw_style(common.GraphDrawStyle.LINE)
        .fill_opacity(10)
        .show_points(common.VisibilityMode.NEVER)
        .legend(
            common_builder.VizLegendOptions()
            .display_mode(common.LegendDisplayMode.TABLE)
            .placement(common.LegendPlacement.BOTTOM)
            .show_legend(True)
            .calcs(["mean", "max"])
        )
        .tooltip(
            common_builder.VizTooltipOptions()
            .mode(common.TooltipDisplayMode.MULTI)
            .sort(common.SortOrder.DESCENDING)
        )
    )
    if description:
        panel = panel.description(description)
    if steps is not None:
        panel = panel.thresholds(thresholds(steps)).thresholds_style(
            common_builder.GraphThresholdsStyleConfig().mode(common.GraphThresholdsStyleMode.DASHED)
        )
    if maximum is not None:
        panel = panel.max(maximum)
    if decimals is not None or unit == "percentunit":
        panel = panel.decimals(PERCENT_DECIMALS if decimals is None else decimals)
    return panel


def stat(
    title: str,
    targets: Sequence[QueryBuilder],
    unit: str = "short",
    *,
    steps: Steps | None = None,
    description: str = "",
    decimals: int | None = None,
    no_value: str = "",
) -> stat_panel.Panel:
    """One number per series, coloured by `steps`; `no_value` is shown instead of "No data"
    where the absence of series has a meaning (no probe: not deployed)."""
    panel = (
        stat_panel.Panel()
        .title(title)
        .datasource(PROMETHEUS)
        .targets(_lettered(targets))
        .unit(unit)
        .span(4)
        .height(4)
        .color_mode(
            common.BigValueColorMode.BACKGROUND
            if steps is not None
            else common.BigValueColorMode.NONE
        )
        .graph_mode(common.BigValueGraphMode.AREA)
        .text_mode(common.BigValueTextMode.AUTO)
        .reduce_options(_last_value())
    )
    if steps is not None:
        panel = panel.thresholds(thresholds(steps))
    if description:
        panel = panel.description(description)
    if decimals is not None or unit == "percentunit":
        panel = panel.decimals(PERCENT_DECIMALS if decimals is None else decimals)
    if no_value:
        panel = panel.no_value(no_value)
    return panel


def bargauge(
    title: str,
    targets: Sequence[QueryBuilder],
    unit: str,
    *,
    steps: Steps,
    maximum: float | None = None,
    description: str = "",
    decimals: int | None = None,
) -> bargauge_panel.Panel:
    """Horizontal bars against a fixed maximum (budget compliance, pool usage), or against the
    largest bar (a funnel's first stage)."""
    panel = (
        bargauge_panel.Panel()
        .title(title)
        .datasource(PROMETHEUS)
        .targets(_lettered(targets))
        .unit(unit)
        .min(0)
        .thresholds(thresholds(steps))
        .span(8)
        .height(6)
        .display_mode(common.BarGaugeDisplayMode.GRADIENT)
        .orientation(common.VizOrientation.HORIZONTAL)
        .show_unfilled(True)
        .reduce_options(_last_value())
    )
    if maximum is not None:
        panel = panel.max(maximum)
    if description:
        panel = panel.description(description)
    if decimals is not None or unit == "percentunit":
        panel = panel.decimals(PERCENT_DECIMALS if decimals is None else decimals)
    return panel


def piechart(
    title: str,
    targets: Sequence[QueryBuilder],
    unit: str = "short",
    *,
    description: str = "",
) -> piechart_panel.Panel:
    """Shares of a whole over the time range (failure reasons, cost by plan)."""
    panel = (
        piechart_panel.Panel()
        .title(title)
        .datasource(PROMETHEUS)
        .targets(_lettered(targets))
        .unit(unit)
        .span(8)
        .height(8)
        .pie_type(piechart_model.PieChartType.DONUT)
        .hide_from(common_builder.HideSeriesConfig().legend(False).tooltip(False).viz(False))
        .reduce_options(_last_value())
        .legend(
            piechart_panel.PieChartLegendOptions()
            .display_mode(common.LegendDisplayMode.TABLE)
            .placement(common.LegendPlacement.RIGHT)
            .show_legend(True)
            .values([piechart_model.PieChartLegendValues.PERCENT])
        )
    )
    if description:
        panel = panel.description(description)
    return panel


def table(
    title: str,
    targets: Sequence[QueryBuilder],
    unit: str = "short",
    *,
    datasource: common.DataSourceRef = PROMETHEUS,
    description: str = "",
    sort_by: str = "Value",
) -> table_panel.Panel:
    """One row per series, every label a column, sorted by `sort_by`, descending.

    Prometheus targets are instant queries in table format; every query's frames (one per
    series from Loki) are turned into columns and merged into one table, so the table shows
    every series at once, not one series per page."""
    for target in targets:
        if isinstance(target, prometheus_query.Dataquery):
            target.instant().format(PromQueryFormat.TABLE)
    panel = (
        table_panel.Panel()
        .title(title)
        .datasource(datasource)
        .targets(_lettered(targets))
        .unit(unit)
        .span(12)
        .height(8)
        .align(common.FieldTextAlignment.AUTO)
        .inspect(False)
        .show_header(True)
        .sort_by([common_builder.TableSortByFieldState().display_name(sort_by).desc(True)])
        .with_transformation(model.DataTransformerConfig(id_val="labelsToFields", options={}))
        .with_transformation(model.DataTransformerConfig(id_val="merge", options={}))
        .with_transformation(
            model.DataTransformerConfig(
                id_val="organize", options={"excludeByName": {"Time": True}}
            )
        )
    )
    if description:
        panel = panel.description(description)
    return panel


def log_lines(
    title: str,
    targets: Sequence[QueryBuilder],
    *,
    description: str = "",
) -> logs_panel.Panel:
    """Log lines, newest first, with their labels and structured metadata (trace_id)."""
    panel = (
        logs_panel.Panel()
        .title(title)
        .datasource(LOKI)
        .targets(_lettered(targets))
        .span(24)
        .height(10)
        .show_time(True)
        .wrap_log_message(True)
        .prettify_log_message(False)
        .enable_log_details(True)
        .sort_order(common.LogsSortOrder.DESCENDING)
        .dedup_strategy(common.LogsDedupStrategy.NONE)
    )
    if description:
        panel = panel.description(description)
    return panel


def traces(
    title: str, targets: Sequence[QueryBuilder], *, description: str = ""
) -> dashboard_builder.Panel:
    """A trace view (waterfall) for a trace id query."""
    panel = (
        dashboard_builder.Panel()
        .type("traces")
        .title(title)
        .datasource(TEMPO)
        .targets(_lettered(targets))
        .span(24)
        .height(12)
    )
    if description:
        panel = panel.description(description)
    return panel


def node_graph(
    title: str, targets: Sequence[QueryBuilder], *, description: str = ""
) -> nodegraph_panel.Panel:
    """Services as nodes, calls as edges (Tempo's service map)."""
    panel = (
        nodegraph_panel.Panel()
        .title(title)
        .datasource(TEMPO)
        .targets(_lettered(targets))
        .span(12)
        .height(10)
    )
    if description:
        panel = panel.description(description)
    return panel


def text(title: str, markdown: str) -> text_panel.Panel:
    """Markdown notes: how to read a row, which contract it relies on."""
    return (
        text_panel.Panel()
        .title(title)
        .mode(text_model.TextMode.MARKDOWN)
        .content(markdown)
        .span(24)
        .height(4)
    )


def link(title: str, url: str) -> dashboard_builder.DashboardLink:
    """A panel or data link."""
    return dashboard_builder.DashboardLink(title).type(model.DashboardLinkType.LINK).url(url)


def dashboard_link(
    title: str, uid: str, *, keep_time: bool = True
) -> dashboard_builder.DashboardLink:
    """A link to another generated dashboard, keeping the time range."""
    suffix = "?${__url_time_range}" if keep_time else ""
    return link(title, f"/d/{uid}{suffix}")


# Variables ----------------------------------------------------------------------------------


def custom_variable(
    name: str, label: str, values: Sequence[str]
) -> dashboard_builder.CustomVariable:
    """A dropdown of fixed values (e.g. the catalog's services); the first one is selected."""
    options = [
        model.VariableOption(text=value, value=value, selected=i == 0)
        for i, value in enumerate(values)
    ]
    return (
        dashboard_builder.CustomVariable(name)
        .label(label)
        .values(",".join(values))
        .options(options)
        .current(model.VariableOption(text=values[0], value=values[0], selected=True))
        .multi(False)
        .include_all(False)
    )


def textbox_variable(name: str, label: str, default: str = "") -> dashboard_builder.TextBoxVariable:
    """A free-text input (trace id, user id) pasted by the person investigating."""
    return (
        dashboard_builder.TextBoxVariable(name)
        .label(label)
        .default_value(default)
        .current(model.VariableOption(text=default, value=default, selected=True))
    )


def datasource_variable(
    name: str, kind: str, label: str, default_uid: str
) -> dashboard_builder.DatasourceVariable:
    """A datasource picker of one kind: a tenant's viewers pick their tenant's datasource."""
    return (
        dashboard_builder.DatasourceVariable(name)
        .label(label)
        .type(kind)
        .current(model.VariableOption(text=default_uid, value=default_uid, selected=True))
        .multi(False)
        .include_all(False)
    )


def trace_search(title: str, query: str, *, description: str = "") -> table_panel.Panel:
    """Traces matching a TraceQL query, newest first; a trace id opens the trace."""
    panel = (
        table_panel.Panel()
        .title(title)
        .datasource(TEMPO)
        .targets(_lettered([traceql(query)]))
        .span(12)
        .height(10)
        .align(common.FieldTextAlignment.AUTO)
        .inspect(False)
        .show_header(True)
    )
    if description:
        panel = panel.description(description)
    return panel


def per_series(
    panel: PanelT,
    series: str,
    *,
    links: Sequence[dashboard_builder.DashboardLink] = (),
    steps: Steps | None = None,
) -> PanelT:
    """`panel` with links and thresholds of its own for the series named `series` (one tile
    of a status grid opens that service's dashboard and turns red at that service's limit)."""
    properties: list[model.DynamicConfigValue] = []
    if links:
        properties.append(
            model.DynamicConfigValue(id_val="links", value=[each.build() for each in links])
        )
    if steps is not None:
        properties.append(
            model.DynamicConfigValue(id_val="thresholds", value=thresholds(steps).build())
        )
    return panel.override_by_name(series, properties)


def namespace_variable(name: str) -> dashboard_builder.QueryVariable:
    """The Kubernetes namespaces (kube-state-metrics), several at once, all by default; the
    "All" value is a regex that matches every namespace, so panels select with `=~`."""
    return (
        dashboard_builder.QueryVariable(name)
        .label("Namespace")
        .datasource(PROMETHEUS)
        .query(
            {"query": "label_values(kube_namespace_status_phase, namespace)", "refId": "namespaces"}
        )
        .refresh(model.VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(model.VariableSort.ALPHABETICAL_ASC)
        .multi(True)
        .include_all(True)
        .all_value(".+")
        .current(model.VariableOption(text="All", value="$__all", selected=True))
    )
