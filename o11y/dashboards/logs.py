"""The "Logs" dashboard (D6, seed 003 task 2.3): saved LogQL queries for common investigations,
and logs <-> traces by trace_id.

Log lines are the JSON of docs/CONTRACT.md; Loki stream labels are `service`, `namespace` and
`level`; `trace_id` is structured metadata (`| trace_id="..."`), never a label. The fields the
queries parse (`| json`): msg, status, route, duration_ms, db_time_ms, user_id, event_id,
partner.

Correlation: every saved query shows trace_id with each line; the "Trace ids" table links a
trace_id to this dashboard with `trace_id` set, which shows the trace (Tempo) next to every log
line of it (Loki) across services. Service dashboards link here with their service selected.
"""

from dataclasses import dataclass

from o11y.conventions import LOG_LEVEL_LABEL, SERVICE_LABEL, dashboard_uid, service_selector
from o11y.dashboards.layout import DashboardSpec, Row
from o11y.dashboards.panels import (
    JsonObject,
    custom_variable,
    logs,
    loki,
    table,
    textbox_variable,
    timeseries,
    traceql,
    traces,
)
from o11y.model.stack import Stack

KEY = "logs"
SERVICE_VARIABLE = "service"
TRACE_VARIABLE = "trace_id"

# Every service's streams (a LogQL selector needs one matcher that cannot match "").
ALL_SERVICES = f'{{{SERVICE_LABEL}=~".+"}}'


@dataclass(frozen=True)
class SavedQuery:
    title: str
    purpose: str
    expr: str  # LogQL; `$service`, `$user_id`, ... are dashboard variables
    metric: bool = False  # a metric query (counts over time) rather than log lines


def stream(*matchers: str) -> str:
    """The stream selector of the chosen service, narrowed by more label matchers."""
    return "{" + ", ".join((service_selector(f"${SERVICE_VARIABLE}"), *matchers)) + "}"


def saved_queries(stack: Stack) -> tuple[SavedQuery, ...]:
    errors = stream(f'{LOG_LEVEL_LABEL}="error"')
    slow_ms = stack.platform.tracing.slow_threshold_ms
    return (
        SavedQuery("Errors", "Every error line of the service.", errors),
        SavedQuery(
            "Warnings and errors",
            "What went wrong or nearly did.",
            stream(f'{LOG_LEVEL_LABEL}=~"warn|error"'),
        ),
        SavedQuery(
            "Errors for a user",
            "Seed 003: all errors one user ran into (set user_id).",
            f'{errors} | json | user_id="$user_id"',
        ),
        SavedQuery(
            "Requests for an event",
            "Seed 003: every line about one event (set event_id).",
            f'{stream()} | json | event_id="$event_id"',
        ),
        SavedQuery(
            "Slow database queries",
            "Seed 003: queries slower than 1s.",
            f'{stream()} |= "db_time_ms" | json | db_time_ms > 1000',
        ),
        SavedQuery(
            "Slow requests",
            f"Requests slower than the tail-sampling slow threshold ({slow_ms}ms): their"
            " traces are always kept.",
            f"{stream()} | json | duration_ms > {slow_ms}",
        ),
        SavedQuery(
            "Server errors (5xx)",
            "Requests answered with 5xx: the SLO's bad events.",
            f"{stream()} | json | status >= 500",
        ),
        SavedQuery(
            "Failed requests on a route",
            "4xx and 5xx answers of one route (set route, e.g. /api/billing/checkout).",
            f'{stream()} | json | route="$route" | status >= 400',
        ),
        SavedQuery(
            "Unauthorized and forbidden",
            "401/403 answers: credential stuffing, unauthorized admin attempts.",
            f"{stream()} | json | status = 401 or status = 403",
        ),
        SavedQuery(
            "Rate limited",
            "429 answers: clients over their rate limit.",
            f"{stream()} | json | status = 429",
        ),
        SavedQuery(
            "Exceptions and stack traces",
            "Unhandled exceptions, panics and tracebacks, whatever the level.",
            f'{stream()} |~ "(?i)(exception|traceback|panic|unhandled)"',
        ),
        SavedQuery(
            "Partner API failures",
            "Failed calls to partner APIs (FinTech bank, Airtable).",
            f'{stream()} | json | partner != "" | status >= 500',
        ),
        SavedQuery(
            "Kafka produce and consume errors",
            "Seed 002 game flow: messages that did not reach or leave Kafka.",
            f'{errors} |~ "(?i)kafka"',
        ),
        SavedQuery(
            "Error lines by service",
            "Which services are logging errors right now.",
            f"sum by ({SERVICE_LABEL}) (count_over_time("
            f'{{{SERVICE_LABEL}=~".+", {LOG_LEVEL_LABEL}="error"}}[$__auto]))',
            metric=True,
        ),
        SavedQuery(
            "Log volume by level",
            "Lines per level: a debug flood costs storage (debug is kept 3d).",
            f"sum by ({LOG_LEVEL_LABEL}) (count_over_time({stream()}[$__auto]))",
            metric=True,
        ),
        SavedQuery(
            "Top error messages",
            "The ten most frequent error messages of the service.",
            f'topk(10, sum by (msg) (count_over_time({errors} | json | __error__="" [$__auto])))',
            metric=True,
        ),
    )


def saved_query_panel(query: SavedQuery) -> JsonObject:
    if query.metric:
        return timeseries(
            query.title, [loki(query.expr, "__auto")], width=12, description=query.purpose
        )
    return logs(
        query.title,
        [loki(query.expr)],
        width=12,
        height=10,
        description=f"{query.purpose}\n\n`{query.expr}`",
    )


def trace_panels() -> tuple[JsonObject, ...]:
    """A trace id's trace (Tempo) and its log lines in every service (Loki)."""
    trace = f"${TRACE_VARIABLE}"
    return (
        traces("Trace", [traceql(trace)], width=12, height=14),
        logs(
            "Every log line of the trace",
            [loki(f'{ALL_SERVICES} | {TRACE_VARIABLE}="{trace}"')],
            width=12,
            height=14,
            description="All services' lines carrying this trace_id (structured metadata).",
        ),
    )


def trace_ids_panel() -> JsonObject:
    """Error lines' trace ids; a click opens this dashboard on that trace (logs -> traces)."""
    errors = stream(f'{LOG_LEVEL_LABEL}="error"')
    panel = table(
        "Trace ids of error lines",
        [
            loki(
                f"sum by ({TRACE_VARIABLE}) (count_over_time("
                f'{errors} | {TRACE_VARIABLE}!="" [$__range]))',
                instant=True,
            )
        ],
        width=24,
        height=8,
    )
    link: JsonObject = {
        "title": "Show this trace and its logs",
        "url": f"/d/{dashboard_uid(KEY)}?var-{TRACE_VARIABLE}=${{__value.raw}}"
        f"&var-{SERVICE_VARIABLE}=${{{SERVICE_VARIABLE}}}&${{__url_time_range}}",
    }
    field_config = panel["fieldConfig"]
    assert isinstance(field_config, dict)
    field_config["overrides"] = [
        {
            "matcher": {"id": "byName", "options": TRACE_VARIABLE},
            "properties": [{"id": "links", "value": [link]}],
        }
    ]
    return panel


def logs_link(service: str) -> JsonObject:
    """A dashboard link from a service's dashboard to its logs here."""
    return {
        "title": "Logs",
        "type": "link",
        "url": f"/d/{dashboard_uid(KEY)}?var-{SERVICE_VARIABLE}={service}",
        "keepTime": True,
        "icon": "doc",
    }


def first_route(stack: Stack) -> str:
    """A route with a performance budget, as the example value of the `route` variable."""
    return next((e.route for s in stack.services for e in s.endpoints), "/")


def dashboards(stack: Stack) -> list[DashboardSpec]:
    queries = saved_queries(stack)
    return [
        DashboardSpec(
            key=KEY,
            title="Logs: saved queries and trace correlation",
            description=f"{len(queries)} saved LogQL queries and logs <-> traces by trace_id (D6).",
            rows=(
                Row("Trace (set trace_id, or click one below)", trace_panels()),
                Row("Trace ids", (trace_ids_panel(),)),
                Row("Saved queries", tuple(saved_query_panel(q) for q in queries)),
            ),
            variables=(
                custom_variable(SERVICE_VARIABLE, "Service", [s.name for s in stack.services]),
                textbox_variable(TRACE_VARIABLE, "Trace id"),
                textbox_variable("user_id", "User id"),
                textbox_variable("event_id", "Event id"),
                textbox_variable("route", "Route", first_route(stack)),
            ),
            time_from="now-1h",
        )
    ]
