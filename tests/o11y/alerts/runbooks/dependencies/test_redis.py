"""The Redis runbooks name the store, where it is and who uses it, and query its own series."""

from o11y.alertdef import AlertDefinition
from o11y.alerts.areas import REDIS
from o11y.alerts.dependencies import REDIS_CONNECTIONS, REDIS_DOWN, REDIS_REJECTED
from o11y.alerts.dependencies.redis import REDIS_MAX_CLIENTS_PERCENT
from o11y.alerts.runbooks.dependencies.redis import RUNBOOKS
from o11y.model.stack import Stack
from tests.o11y.alerts.runbooks.checks import assert_complete, queries, selectors, stream_selector


def _of(stack: Stack, dependency: str) -> dict[str, AlertDefinition]:
    return {d.name: d for d in REDIS(stack) if d.labels["dependency"] == dependency}


def test_every_runbook_names_its_redis(stack: Stack) -> None:
    for name in ("kv", "spare"):
        definitions = _of(stack, name)
        assert list(definitions) == list(RUNBOOKS)
        for definition in definitions.values():
            assert definition.summary.startswith(f"Redis {name} "), definition.summary
            assert_complete(definition)


def test_the_outage_runbooks_say_who_uses_it(stack: Stack) -> None:
    for name in (REDIS_DOWN, REDIS_REJECTED):
        assert _of(stack, "kv")[name].description.endswith("Used by: shop.")
        assert _of(stack, "spare")[name].description.endswith("Used by: no catalog service.")


def test_down_says_where_the_exporter_connects(stack: Stack) -> None:
    assert "cannot reach redis.data.svc:6380 " in _of(stack, "kv")[REDIS_DOWN].description
    assert "cannot reach spare.data.svc:6379 " in _of(stack, "spare")[REDIS_DOWN].description


def test_the_client_limit_is_stated(stack: Stack) -> None:
    connections = _of(stack, "kv")[REDIS_CONNECTIONS]
    assert (
        connections.summary
        == f"Redis kv uses more than {REDIS_MAX_CLIENTS_PERCENT}% of maxclients."
    )
    assert REDIS_REJECTED in connections.impact


def test_promql_triage_selects_the_stores_exporter_series(stack: Stack) -> None:
    for name in ("kv", "spare"):
        for definition in _of(stack, name).values():
            for query in queries(definition, "promql"):
                found = selectors(query)
                assert found, query
                assert all(m == {"dependency": ("=", name)} for m in found), query


def test_down_shows_the_connection_state_that_is_present(stack: Stack) -> None:
    """The alert fires on a missing exporter too (absent); its first query shows what is there."""
    down = _of(stack, "kv")[REDIS_DOWN]
    first = down.triage[0].query
    assert first == 'redis_up{dependency="kv"}'
    assert f"absent({first})" in down.expr


def test_only_a_used_redis_reads_its_users_logs(stack: Stack) -> None:
    (logs,) = queries(_of(stack, "kv")[REDIS_DOWN], "logql")
    assert stream_selector(logs) == {"service": ("=", "shop")}
    assert queries(_of(stack, "spare")[REDIS_DOWN], "logql") == []
