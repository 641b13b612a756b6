"""The logs dashboard: trace id click-through, empty variables that filter nothing, heavy
queries in collapsed rows, LogQL stream selectors without trace ids."""

import re

from o11y.dashboards import dashboards
from o11y.dashboards.logs import saved_queries
from o11y.model.stack import Stack
from tests.o11y.dashboards.shop import (
    by_uid,
    exprs,
    model,
    rows_and_panels,
    titled,
)
from tests.trees import dicts, dig, text


def test_the_trace_id_click_through_matches_a_column_of_the_table(shop: Stack) -> None:
    table = titled(by_uid(shop)["o11y-logs"])["Trace ids of error lines"]
    expr = text(dig(table, "targets", 0, "expr"))
    grouped = re.match(r"sum by \((\w+)\)", expr)
    assert grouped is not None
    # labelsToFields turns the grouping label into a column; the link matches that column.
    override = dig(table, "fieldConfig", "overrides", 0)
    assert dig(override, "matcher") == {"id": "byName", "options": grouped.group(1)}
    url = text(dig(override, "properties", 0, "value", 0, "url"))
    assert url.startswith("/d/o11y-logs?var-trace_id=${__value.raw}&var-service=${service}")


def test_empty_variables_match_nothing_instead_of_becoming_filters(shop: Stack) -> None:
    board = by_uid(shop)["o11y-logs"]
    textboxes = [
        text(v["name"])
        for v in dicts(dig(model(board), "templating", "list"))
        if v["type"] == "textbox"
    ]
    assert textboxes == ["trace_id", "user_id", "event_id", "route"]
    for query in exprs(board, "loki"):
        for name in textboxes:
            if f'"${name}"' in query:
                assert f'{name} != "" | {name} = "${name}"' in query, query
    # A Tempo query of an empty trace id is not sent (Grafana skips an empty trace id).
    trace = dig(titled(board)["Trace"], "targets", 0)
    assert (dig(trace, "queryType"), dig(trace, "query")) == ("traceql", "$trace_id")


def test_log_queries_over_every_service_or_many_lines_wait_in_collapsed_rows(shop: Stack) -> None:
    board = by_uid(shop)["o11y-logs"]
    queries = saved_queries(shop)
    assert len(queries) >= 10
    assert all(q.expr in exprs(board, "loki") for q in queries)
    running: list[str] = []
    for panel, collapsed in rows_and_panels(board):
        if "datasource" in panel and dig(panel, "datasource", "type") == "loki" and not collapsed:
            running.append(text(panel["title"]))
    assert running == ["Trace ids of error lines"]


def test_logql_keeps_trace_id_out_of_stream_selectors(shop: Stack) -> None:
    for board in dashboards(shop):
        for query in exprs(board, "loki"):
            assert query.count("{") == query.count("}"), query
            assert query.count("(") == query.count(")"), query
            selectors = re.findall(r"\{([^}]*)\}", query)
            assert selectors and all(re.search(r'=~?"[^"]*[^"*]', s) for s in selectors), query
            assert not re.search(r"\{[^}]*trace_id", query), query
