"""Panel builders: small functions returning Grafana panel models; the caller decides the layout.

Every query names its datasource by the uids in o11y/conventions.py, and every service query
selects through `service_selector` (or `dependency_selector`): no selector is pasted into a query.
Panel ids and grid positions are set later, in one place (o11y/dashboards/layout.py).
"""

from collections.abc import Sequence
from typing import TypeAlias

from o11y.conventions import (
    DATASOURCE_LOKI,
    DATASOURCE_PROMETHEUS,
    DATASOURCE_TEMPO,
    METRIC_HTTP_DURATION,
    METRIC_HTTP_REQUESTS,
)

JsonValue: TypeAlias = str | int | float | bool | list["JsonValue"] | dict[str, "JsonValue"] | None
JsonObject: TypeAlias = dict[str, JsonValue]

# Grafana picks a rate window of at least four scrape intervals for the zoom level.
RATE_WINDOW = "$__rate_interval"

PROMETHEUS: JsonObject = {"type": "prometheus", "uid": DATASOURCE_PROMETHEUS}
LOKI: JsonObject = {"type": "loki", "uid": DATASOURCE_LOKI}
TEMPO: JsonObject = {"type": "tempo", "uid": DATASOURCE_TEMPO}

# Colour steps: (from value, colour); the first step starts at -infinity (value None).
Steps: TypeAlias = Sequence[tuple[float | None, str]]
GREEN_ABOVE_ONE: Steps = ((None, "red"), (1, "green"))


# Queries ------------------------------------------------------------------------------------


def prometheus(
    expr: str, legend: str = "", *, instant: bool = False, exemplar: bool = False
) -> JsonObject:
    """A PromQL target; `instant` for tables and pies that show one value per series;
    `exemplar` shows trace exemplars (metrics -> traces) on histogram panels."""
    target: JsonObject = {"datasource": dict(PROMETHEUS), "expr": expr}
    if legend:
        target["legendFormat"] = legend
    if instant:
        target |= {"instant": True, "range": False}
    if exemplar:
        target["exemplar"] = True
    return target


def loki(expr: str, legend: str = "", *, instant: bool = False) -> JsonObject:
    """A LogQL target (log lines, or a metric query over them)."""
    target: JsonObject = {
        "datasource": dict(LOKI),
        "expr": expr,
        "queryType": "instant" if instant else "range",
    }
    if legend:
        target["legendFormat"] = legend
    return target


def traceql(query: str, limit: int = 20) -> JsonObject:
    """A TraceQL target (a trace id is a valid TraceQL query too)."""
    return {"datasource": dict(TEMPO), "queryType": "traceql", "query": query, "limit": limit}


def sum_rate(metric: str, selector: str, by: Sequence[str] = ()) -> str:
    """Per-second rate of a counter, summed (optionally per label)."""
    return f"{_sum(by)}(rate({metric}{{{selector}}}[{RATE_WINDOW}]))"


def ratio(numerator: str, denominator: str) -> str:
    """One PromQL expression divided by another, both already aggregated the same way."""
    return f"{numerator} / {denominator}"


def quantile(q: float, histogram: str, selector: str, by: Sequence[str] = ()) -> str:
    """The q-quantile of a classic histogram (`<histogram>_bucket`), per `by` labels."""
    labels = ", ".join(("le", *by))
    buckets = f"rate({histogram}_bucket{{{selector}}}[{RATE_WINDOW}])"
    return f"histogram_quantile({q:g}, sum by ({labels}) ({buckets}))"


def _sum(labels: Sequence[str]) -> str:
    """`sum` or `sum by (a, b) ` (the spacing promtool and the mixins print)."""
    return f"sum by ({', '.join(labels)}) " if labels else "sum"


# Panels -------------------------------------------------------------------------------------


def thresholds(steps: Steps) -> JsonObject:
    return {
        "mode": "absolute",
        "steps": [{"color": colour, "value": value} for value, colour in steps],
    }


def ceiling(limit: float) -> Steps:
    """Green below `limit`, red from it on (error ratios, latencies, usage)."""
    return ((None, "green"), (limit, "red"))


def _panel(
    kind: str,
    title: str,
    targets: Sequence[JsonObject],
    *,
    unit: str,
    width: int,
    height: int,
    description: str,
    steps: Steps | None,
    options: JsonObject,
    custom: JsonObject | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
) -> JsonObject:
    defaults: JsonObject = {"unit": unit}
    if steps is not None:
        defaults["thresholds"] = thresholds(steps)
    if custom is not None:
        defaults["custom"] = custom
    if minimum is not None:
        defaults["min"] = minimum
    if maximum is not None:
        defaults["max"] = maximum
    # One datasource per panel, named on the panel; targets inherit it.
    sources = [target["datasource"] for target in targets]
    if any(source != sources[0] for source in sources):
        raise ValueError(f"panel {title!r} mixes datasources")
    lettered: list[JsonValue] = [
        {**_without(target, "datasource"), "refId": _ref_id(i)} for i, target in enumerate(targets)
    ]
    panel: JsonObject = {
        "type": kind,
        "title": title,
        "datasource": sources[0],
        "targets": lettered,
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": options,
        "gridPos": {"h": height, "w": width, "x": 0, "y": 0},
    }
    if description:
        panel["description"] = description
    return panel


def _without(target: JsonObject, key: str) -> JsonObject:
    return {k: v for k, v in target.items() if k != key}


def _ref_id(index: int) -> str:
    return chr(ord("A") + index) if index < 26 else f"Q{index}"


def timeseries(
    title: str,
    targets: Sequence[JsonObject],
    unit: str = "short",
    *,
    width: int = 8,
    height: int = 8,
    description: str = "",
    steps: Steps | None = None,
    maximum: float | None = None,
) -> JsonObject:
    """Lines over time; threshold `steps` are drawn as dashed lines (budgets, limits)."""
    custom: JsonObject = {
        "drawStyle": "line",
        "fillOpacity": 10,
        "showPoints": "never",
        "thresholdsStyle": {"mode": "dashed" if steps is not None else "off"},
    }
    options: JsonObject = {
        "legend": {"displayMode": "table", "placement": "bottom", "calcs": ["mean", "max"]},
        "tooltip": {"mode": "multi", "sort": "desc"},
    }
    return _panel(
        "timeseries",
        title,
        targets,
        unit=unit,
        width=width,
        height=height,
        description=description,
        steps=steps,
        options=options,
        custom=custom,
        minimum=0,
        maximum=maximum,
    )


def stat(
    title: str,
    targets: Sequence[JsonObject],
    unit: str = "short",
    *,
    steps: Steps | None = None,
    width: int = 4,
    height: int = 4,
    description: str = "",
    links: Sequence[JsonObject] = (),
) -> JsonObject:
    """One number per series, coloured by `steps`; `links` open a drill-down."""
    panel = _panel(
        "stat",
        title,
        targets,
        unit=unit,
        width=width,
        height=height,
        description=description,
        steps=steps,
        options={
            "colorMode": "background" if steps is not None else "none",
            "graphMode": "area",
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "textMode": "auto",
        },
    )
    if links:
        panel["links"] = list(links)
    return panel


def bargauge(
    title: str,
    targets: Sequence[JsonObject],
    unit: str,
    *,
    steps: Steps,
    maximum: float,
    width: int = 8,
    height: int = 6,
    description: str = "",
) -> JsonObject:
    """Horizontal bars against a fixed maximum (budget compliance, pool usage)."""
    return _panel(
        "bargauge",
        title,
        targets,
        unit=unit,
        width=width,
        height=height,
        description=description,
        steps=steps,
        options={
            "displayMode": "gradient",
            "orientation": "horizontal",
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "showUnfilled": True,
        },
        minimum=0,
        maximum=maximum,
    )


def piechart(
    title: str,
    targets: Sequence[JsonObject],
    unit: str = "short",
    *,
    width: int = 8,
    height: int = 8,
    description: str = "",
) -> JsonObject:
    """Shares of a whole (failure reasons, cost by plan)."""
    return _panel(
        "piechart",
        title,
        targets,
        unit=unit,
        width=width,
        height=height,
        description=description,
        steps=None,
        options={
            "legend": {"displayMode": "table", "placement": "right", "values": ["percent"]},
            "pieType": "donut",
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
        },
    )


def table(
    title: str,
    targets: Sequence[JsonObject],
    unit: str = "short",
    *,
    width: int = 12,
    height: int = 8,
    description: str = "",
) -> JsonObject:
    """Rows of instant values, sorted by the value column (audits, top-N)."""
    return _panel(
        "table",
        title,
        targets,
        unit=unit,
        width=width,
        height=height,
        description=description,
        steps=None,
        options={"showHeader": True, "sortBy": [{"desc": True, "displayName": "Value"}]},
    )


def logs(
    title: str,
    targets: Sequence[JsonObject],
    *,
    width: int = 24,
    height: int = 10,
    description: str = "",
) -> JsonObject:
    """Log lines, newest first, with their labels and structured metadata (trace_id)."""
    return _panel(
        "logs",
        title,
        targets,
        unit="short",
        width=width,
        height=height,
        description=description,
        steps=None,
        options={
            "showTime": True,
            "wrapLogMessage": True,
            "prettifyLogMessage": False,
            "enableLogDetails": True,
            "sortOrder": "Descending",
            "dedupStrategy": "none",
        },
    )


def traces(
    title: str,
    targets: Sequence[JsonObject],
    *,
    width: int = 24,
    height: int = 12,
    description: str = "",
) -> JsonObject:
    """A trace view (waterfall) for a trace id query."""
    return _panel(
        "traces",
        title,
        targets,
        unit="short",
        width=width,
        height=height,
        description=description,
        steps=None,
        options={},
    )


def text(title: str, markdown: str, *, width: int = 24, height: int = 4) -> JsonObject:
    """Markdown notes: how to read a row, which contract it relies on."""
    return {
        "type": "text",
        "title": title,
        "options": {"mode": "markdown", "content": markdown},
        "gridPos": {"h": height, "w": width, "x": 0, "y": 0},
    }


def dashboard_link(title: str, uid: str, *, keep_time: bool = True) -> JsonObject:
    """A panel/data link to another generated dashboard, keeping the time range."""
    suffix = "?${__url_time_range}" if keep_time else ""
    return {"title": title, "url": f"/d/{uid}{suffix}"}


# Variables ----------------------------------------------------------------------------------


def custom_variable(name: str, label: str, values: Sequence[str]) -> JsonObject:
    """A dropdown of fixed values (e.g. the catalog's services); the first one is selected."""
    options: list[JsonValue] = [
        {"text": value, "value": value, "selected": i == 0} for i, value in enumerate(values)
    ]
    return {
        "type": "custom",
        "name": name,
        "label": label,
        "query": ",".join(values),
        "options": options,
        "current": {"text": values[0], "value": values[0]},
        "multi": False,
        "includeAll": False,
    }


def textbox_variable(name: str, label: str, default: str = "") -> JsonObject:
    """A free-text input (trace id, user id) pasted by the person investigating."""
    return {
        "type": "textbox",
        "name": name,
        "label": label,
        "query": default,
        "current": {"text": default, "value": default},
    }


# RED building blocks for one selector ---------------------------------------------------------


def request_rate_timeseries(selector: str, by: Sequence[str] = ("route",)) -> JsonObject:
    """Requests per second, per route (R of RED)."""
    legend = " ".join(f"{{{{{label}}}}}" for label in by)
    return timeseries(
        "Request rate",
        [prometheus(sum_rate(METRIC_HTTP_REQUESTS, selector, by), legend)],
        "reqps",
        description="Requests per second by route (http_requests_total).",
    )


def error_ratio_timeseries(selector: str, by: Sequence[str] = ("route",)) -> JsonObject:
    """Share of 5xx and 4xx answers per route (E of RED); 5xx is the SLO's bad event."""
    legend = " ".join(f"{{{{{label}}}}}" for label in by)
    total = sum_rate(METRIC_HTTP_REQUESTS, selector, by)
    server = sum_rate(METRIC_HTTP_REQUESTS, with_matchers(selector, 'code=~"5.."'), by)
    client = sum_rate(METRIC_HTTP_REQUESTS, with_matchers(selector, 'code=~"4.."'), by)
    return timeseries(
        "Errors (4xx / 5xx share)",
        [
            prometheus(ratio(server, total), f"5xx {legend}"),
            prometheus(ratio(client, total), f"4xx {legend}"),
        ],
        "percentunit",
        description="Share of requests answered with 5xx (server) and 4xx (client), by route.",
    )


def latency_timeseries(
    selector: str,
    quantiles: Sequence[float] = (0.95, 0.99),
    by: Sequence[str] = ("route",),
    *,
    budget_seconds: float | None = None,
) -> JsonObject:
    """Latency quantiles per route (D of RED), with the alert threshold as a dashed line."""
    legend = " ".join(f"{{{{{label}}}}}" for label in by)
    targets = [
        prometheus(
            quantile(q, METRIC_HTTP_DURATION, selector, by),
            f"p{q * 100:g} {legend}",
            exemplar=True,
        )
        for q in quantiles
    ]
    return timeseries(
        "Latency " + " / ".join(f"p{q * 100:g}" for q in quantiles),
        targets,
        "s",
        description="Quantiles of http_request_duration_seconds by route.",
        steps=ceiling(budget_seconds) if budget_seconds is not None else None,
    )


def error_ratio(selector: str) -> str:
    """The 5xx share of all requests for a selector, as one series."""
    return ratio(
        sum_rate(METRIC_HTTP_REQUESTS, with_matchers(selector, 'code=~"5.."')),
        sum_rate(METRIC_HTTP_REQUESTS, selector),
    )


def with_matchers(selector: str, *matchers: str) -> str:
    """A selector narrowed by more matchers (route, code), still from the one selector source."""
    return ", ".join((selector, *matchers))
