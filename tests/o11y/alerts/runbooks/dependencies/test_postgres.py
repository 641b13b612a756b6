"""The PostgreSQL runbooks name the database, where it is and who uses it, and query its own series."""

from o11y.alertdef import AlertDefinition
from o11y.alerts.areas import POSTGRES
from o11y.alerts.dependencies import POSTGRES_CONNECTIONS, POSTGRES_DOWN
from o11y.alerts.runbooks.dependencies.postgres import RUNBOOKS
from o11y.model.stack import Stack
from tests.o11y.alerts.runbooks.checks import assert_complete, queries, selectors, stream_selector


def _by_name(stack: Stack) -> dict[str, AlertDefinition]:
    return {d.name: d for d in POSTGRES(stack)}


def test_every_runbook_names_the_database_and_its_users(stack: Stack) -> None:
    definitions = POSTGRES(stack)
    assert [d.name for d in definitions] == list(RUNBOOKS)
    for definition in definitions:
        assert "PostgreSQL db " in definition.summary
        assert definition.description.endswith("Used by: shop, cart.")
        assert_complete(definition)


def test_down_says_where_the_exporter_connects(stack: Stack) -> None:
    down = _by_name(stack)[POSTGRES_DOWN]
    assert "cannot connect to pg.data.svc:6432/app" in down.description


def test_the_connection_limit_is_the_databases_own(stack: Stack) -> None:
    connections = _by_name(stack)[POSTGRES_CONNECTIONS]
    assert connections.summary == "PostgreSQL db uses more than 70% of max_connections."
    assert "above 70% of max_connections" in connections.description


def test_promql_triage_selects_the_databases_exporter_series(stack: Stack) -> None:
    for definition in POSTGRES(stack):
        promql = queries(definition, "promql")
        assert promql
        for query in promql:
            found = selectors(query)
            assert found, query
            assert all(m == {"dependency": ("=", "db")} for m in found), query


def test_down_shows_the_connection_state_that_is_present(stack: Stack) -> None:
    """The alert fires on a missing exporter too (absent); its first query shows what is there."""
    down = _by_name(stack)[POSTGRES_DOWN]
    first = down.triage[0].query
    assert first == 'pg_up{dependency="db"}'
    assert f"absent({first})" in down.expr


def test_both_runbooks_read_the_logs_of_every_user(stack: Stack) -> None:
    for definition in POSTGRES(stack):
        (logs,) = queries(definition, "logql")
        assert stream_selector(logs) == {"service": ("=~", "cart|shop")}, definition.name
