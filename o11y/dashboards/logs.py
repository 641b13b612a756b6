"""The "Logs" dashboard: saved LogQL investigations, and logs <-> traces by trace_id.

Log lines are the JSON of docs/CONTRACT.md; Loki stream labels are `service`, `namespace` and
`level`; `trace_id` is structured metadata (`| trace_id="..."`), never a label. The fields the
queries parse (`| json`): msg, status, route, duration_ms, db_time_ms, user_id, event_id,
partner.

Nothing here queries before it is asked to: the saved investigations sit in collapsed rows,
grouped by what they look for, and load when a row is opened. A query that needs a value
(user id, event id, trace id) matches nothing while its variable is empty, instead of turning
the empty value into a filter for lines without that field.

Correlation: the "Trace ids of error lines" table links a trace_id to this dashboard with
`trace_id` set, which shows the trace (Tempo) and, one row below, every log line of it across
services (Loki). Service dashboards link here with their service selected.
"""

from dataclasses import dataclass

from grafana_foundation_sdk.builders.dashboard import DashboardLink
from grafana_foundation_sdk.models import dashboard as model
from grafana_foundation_sdk.models.dashboard import DashboardLinkType

from o11y.conventions import LOG_LEVEL_LABEL, SERVICE_LABEL, dashboard_uid, service_selector
from o11y.dashboards.panels import (
    LOKI,
    PanelBuilder,
    custom_variable,
    link,
    log_lines,
    loki,
    table,
    textbox_variable,
    timeseries,
    traceql,
    traces,
)
from o11y.dashboards.spec import DashboardSpec, Row
from o11y.model.stack import Stack

KEY = "logs"
SERVICE_VARIABLE = "service"
TRACE_VARIABLE = "trace_id"
USER_VARIABLE = "user_id"
EVENT_VARIABLE = "event_id"
ROUTE_VARIABLE = "route"

# Every service's streams (a LogQL selector needs one matcher that cannot match "").
ALL_SERVICES = f'{{{SERVICE_LABEL}=~".+"}}'
# The collapsed rows of saved investigations, in the order they appear.
ERRORS = "Errors and exceptions"
REQUESTS = "Requests"
BY_ID = "One user or event (set user_id / event_id)"
SECURITY = "Security"
DEPENDENCIES = "Dependencies"
VOLUME = "Volume"
GROUPS = (ERRORS, REQUESTS, BY_ID, SECURITY, DEPENDENCIES, VOLUME)


@dataclass(frozen=True)
class SavedQuery:
    title: str
    purpose: str
    expr: str  # LogQL; `$service`, `$user_id`, ... are dashboard variables
    group: str  # the collapsed row it sits in
    metric: bool = False  # a metric query (counts over time) rather than log lines


def stream(*matchers: str) -> str:
    """The stream selector of the chosen service, narrowed by more label matchers."""
    return "{" + ", ".join((service_selector(f"${SERVICE_VARIABLE}"), *matchers)) + "}"


def given(field: str, variable: str) -> str:
    """A filter on a parsed field for the value typed into `variable`; while the variable is
    empty it matches nothing (not the lines that lack the field)."""
    return f'{field} != "" | {field} = "${variable}"'


def saved_queries(stack: Stack) -> tuple[SavedQuery, ...]:
    errors = stream(f'{LOG_LEVEL_LABEL}="error"')
    slow_ms = stack.platform.tracing.slow_threshold_ms
    return (
        SavedQuery("Errors", "Every error line of the service.", errors, ERRORS),
        SavedQuery(
            "Warnings and errors",
            "What went wrong or nearly did.",
            stream(f'{LOG_LEVEL_LABEL}=~"warn|error"'),
            ERRORS,
        ),
        SavedQuery(
            "Errors for a user",
            "All errors one user ran into (set user_id).",
            f"{errors} | json | {given('user_id', USER_VARIABLE)}",
            BY_ID,
        ),
        SavedQuery(
            "Requests for an event",
            "Every line about one event (set event_id).",
            f"{stream()} | json | {given('event_id', EVENT_VARIABLE)}",
            BY_ID,
        ),
        SavedQuery(
            "Slow database queries",
            "Queries slower than 1s.",
            f'{stream()} |= "db_time_ms" | json | db_time_ms > 1000',
            DEPENDENCIES,
        ),
        SavedQuery(
            "Slow requests",
            f"Requests slower than the tail-sampling slow threshold ({slow_ms}ms): their"
            " traces are always kept.",
            f"{stream()} | json | duration_ms > {slow_ms}",
            REQUESTS,
        ),
        SavedQuery(
            "Server errors (5xx)",
            "Requests answered with 5xx: the SLO's bad events.",
            f"{stream()} | json | status >= 500",
            REQUESTS,
        ),
        SavedQuery(
            "Failed requests on a route",
            "4xx and 5xx answers of one route (set route, e.g. /api/billing/checkout).",
            f"{stream()} | json | {given('route', ROUTE_VARIABLE)} | status >= 400",
            REQUESTS,
        ),
        SavedQuery(
            "Unauthorized and forbidden",
            "401/403 answers: credential stuffing, unauthorized admin attempts.",
            f"{stream()} | json | status = 401 or status = 403",
            SECURITY,
        ),
        SavedQuery(
            "Rate limited",
            "429 answers: clients over their rate limit.",
            f"{stream()} | json | status = 429",
            SECURITY,
        ),
        SavedQuery(
            "Exceptions and stack traces",
            "Unhandled exceptions, panics and tracebacks, whatever the level.",
            f'{stream()} |~ "(?i)(exception|traceback|panic|unhandled)"',
            ERRORS,
        ),
        SavedQuery(
            "Partner API failures",
            "Failed calls to partner APIs: log lines naming a `partner`, with a 5xx status.",
            f'{stream()} | json | partner != "" | status >= 500',
            DEPENDENCIES,
        ),
        SavedQuery(
            "Kafka produce and consume errors",
            "Messages that did not reach or leave Kafka.",
            f'{errors} |~ "(?i)kafka"',
            DEPENDENCIES,
        ),
        SavedQuery(
            "Error lines by service",
            "Which services are logging errors right now.",
            f"sum by ({SERVICE_LABEL}) (count_over_time("
            f'{{{SERVICE_LABEL}=~".+", {LOG_LEVEL_LABEL}="error"}}[$__auto]))',
            VOLUME,
            metric=True,
        ),
        SavedQuery(
            "Log volume by level",
            "Lines per level: a debug flood costs storage (debug is kept 3d).",
            f"sum by ({LOG_LEVEL_LABEL}) (count_over_time({stream()}[$__auto]))",
            VOLUME,
            metric=True,
        ),
        SavedQuery(
            "Top error messages",
            "The ten most frequent error messages of the service.",
            f'topk(10, sum by (msg) (count_over_time({errors} | json | __error__="" [$__auto])))',
            VOLUME,
            metric=True,
        ),
    )


def saved_query_panel(query: SavedQuery) -> PanelBuilder:
    if query.metric:
        return timeseries(
            query.title,
            [loki(query.expr, "__auto")],
            datasource=LOKI,
            description=query.purpose,
        ).span(12)
    return log_lines(
        query.title,
        [loki(query.expr)],
        description=f"{query.purpose}\n\n`{query.expr}`",
    ).span(12)


def trace_panel() -> PanelBuilder:
    """The trace of the trace id (Tempo); with no trace id set, Tempo is not asked."""
    return traces("Trace", [traceql(f"${TRACE_VARIABLE}")]).height(14)


def trace_logs_panel() -> PanelBuilder:
    """Every service's log lines of the trace id (Loki), in a row of its own: it reads every
    service's streams, so it runs only once opened, and matches nothing without a trace id."""
    return log_lines(
        "Every log line of the trace",
        [loki(f"{ALL_SERVICES} | {given(TRACE_VARIABLE, TRACE_VARIABLE)}")],
        description="All services' lines carrying this trace_id (structured metadata).",
    ).height(14)


def trace_ids_panel() -> PanelBuilder:
    """Error lines' trace ids; a click opens this dashboard on that trace (logs -> traces)."""
    errors = stream(f'{LOG_LEVEL_LABEL}="error"')
    opens = link(
        "Show this trace and its logs",
        f"/d/{dashboard_uid(KEY)}?var-{TRACE_VARIABLE}=${{__value.raw}}"
        f"&var-{SERVICE_VARIABLE}=${{{SERVICE_VARIABLE}}}&${{__url_time_range}}",
    )
    return (
        table(
            "Trace ids of error lines",
            [
                loki(
                    f"sum by ({TRACE_VARIABLE}) (count_over_time("
                    f'{errors} | {TRACE_VARIABLE}!="" [$__range]))',
                    instant=True,
                )
            ],
            datasource=LOKI,
            description="The service's error lines per trace id over the range; click one.",
        )
        .span(24)
        .override_by_name(
            TRACE_VARIABLE,
            [model.DynamicConfigValue(id_val="links", value=[opens.build()])],
        )
    )


def logs_link(service: str) -> DashboardLink:
    """A dashboard link from a service's dashboard to its logs here."""
    return (
        DashboardLink("Logs")
        .type(DashboardLinkType.LINK)
        .url(f"/d/{dashboard_uid(KEY)}?var-{SERVICE_VARIABLE}={service}")
        .keep_time(True)
        .icon("doc")
    )


def first_route(stack: Stack) -> str:
    """A route with a performance budget, as the example value of the `route` variable."""
    return next((e.route for s in stack.services for e in s.endpoints), "/")


def dashboards(stack: Stack) -> list[DashboardSpec]:
    queries = saved_queries(stack)
    saved = tuple(
        Row(
            group,
            tuple(saved_query_panel(q) for q in queries if q.group == group),
            collapsed=True,
        )
        for group in GROUPS
        if any(q.group == group for q in queries)
    )
    return [
        DashboardSpec(
            key=KEY,
            title="Logs: saved queries and trace correlation",
            description=f"{len(queries)} saved LogQL queries and logs <-> traces by trace_id.",
            rows=(
                Row("Trace (set trace_id, or click one below)", (trace_panel(),)),
                Row("Log lines of the trace", (trace_logs_panel(),), collapsed=True),
                Row("Trace ids", (trace_ids_panel(),)),
                *saved,
            ),
            variables=(
                custom_variable(SERVICE_VARIABLE, "Service", [s.name for s in stack.services]),
                textbox_variable(TRACE_VARIABLE, "Trace id"),
                textbox_variable(USER_VARIABLE, "User id"),
                textbox_variable(EVENT_VARIABLE, "Event id"),
                textbox_variable(ROUTE_VARIABLE, "Route", first_route(stack)),
            ),
            time_from="now-1h",
        )
    ]
