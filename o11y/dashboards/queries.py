"""Every query of every dashboard as its datasource receives it, once Grafana has replaced the
dashboard's variables: the list the query tests parse (promtool, Grafana's LogQL and TraceQL
grammars) and that can be evaluated against real data.

Variables get the values Grafana would give them on this stack: `$__rate_interval` is four
scrape intervals (the datasources' `timeInterval`), `$__range` the dashboard's default hour,
multi-value variables "All", and the investigation variables an example someone would paste.
"""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from grafana_foundation_sdk.models import dashboard as model
from grafana_foundation_sdk.models import loki, prometheus, tempo

from o11y.conventions import METRIC_SERVICE_GRAPH_REQUESTS
from o11y.dashboards import dashboards, logs
from o11y.dashboards.infrastructure import NAMESPACE_VARIABLE
from o11y.model.stack import Stack
from o11y.model.types import duration_seconds

Language = Literal["promql", "logql", "traceql", "trace-id"]
# A W3C trace id, as pasted from a log line.
EXAMPLE_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
_TRACE_ID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class PanelQuery:
    dashboard: str  # uid
    panel: str  # title
    language: Language
    text: str  # with every variable replaced


def variable_values(stack: Stack) -> dict[str, str]:
    """What Grafana puts in place of each variable the dashboards use, on this stack."""
    scrape = duration_seconds(stack.platform.scrape_interval)
    return {
        "$__rate_interval": f"{4 * scrape}s",
        "$__range": "1h",
        "$__auto": f"{scrape}s",
        f"${{{NAMESPACE_VARIABLE}}}": ".+",
        f"${logs.SERVICE_VARIABLE}": stack.services[0].name,
        f"${logs.TRACE_VARIABLE}": EXAMPLE_TRACE_ID,
        f"${logs.USER_VARIABLE}": "user-42",
        f"${logs.EVENT_VARIABLE}": "event-7",
        f"${logs.ROUTE_VARIABLE}": logs.first_route(stack),
    }


def substituted(text: str, values: Mapping[str, str]) -> str:
    """`text` with the variables replaced, longest names first (`$__range` in `$__rate_...`)."""
    for name in sorted(values, key=len, reverse=True):
        text = text.replace(name, values[name])
    return text


def panel_queries(stack: Stack) -> list[PanelQuery]:
    """Every target of every panel of every dashboard, in order, variables replaced."""
    values = variable_values(stack)
    found: list[PanelQuery] = []
    for board in dashboards(stack):
        for panel in _panels(board.sdk_model()):
            for language, raw in _queries(panel):
                text = substituted(raw, values)
                # A bare trace id is a lookup (Tempo's trace endpoint), not TraceQL.
                if language == "traceql" and _TRACE_ID.fullmatch(text):
                    language = "trace-id"
                found.append(PanelQuery(board.uid, panel.title or "", language, text))
    return found


def _panels(board: model.Dashboard) -> Iterator[model.Panel]:
    for panel in board.panels or []:
        if isinstance(panel, model.RowPanel):
            yield from panel.panels
        elif isinstance(panel, model.Panel):
            yield panel


def _queries(panel: model.Panel) -> Iterator[tuple[Language, str]]:
    for target in panel.targets or []:
        if isinstance(target, prometheus.Dataquery):
            yield "promql", target.expr
        elif isinstance(target, loki.Dataquery):
            yield "logql", target.expr
        elif isinstance(target, tempo.TempoQuery) and target.query_type == "serviceMap":
            # Grafana reads the service map from the service-graph metrics, one selector each.
            selectors = target.service_map_query or []
            for selector in [selectors] if isinstance(selectors, str) else selectors:
                yield "promql", f"{METRIC_SERVICE_GRAPH_REQUESTS}{selector}"
        elif isinstance(target, tempo.TempoQuery):
            yield "traceql", target.query or ""
