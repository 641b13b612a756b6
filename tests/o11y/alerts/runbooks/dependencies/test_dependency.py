"""The data store runbooks say who uses the store and read the logs of every one of them."""

from o11y.alerts.areas import POSTGRES, REDIS
from o11y.alerts.dependencies import POSTGRES_DOWN
from o11y.alerts.dependencies.dependency import Store, Used, stores
from o11y.alerts.runbooks.dependencies.dependency import connection_error_logs, used_by
from o11y.model.catalog import Kafka, Postgres, Redis
from o11y.model.stack import Stack
from tests.o11y.alerts.runbooks.checks import stream_selector
from tests.small_stacks import SERVICE, small_stack


def _used(stack: Stack, kind: type[Store], name: str) -> Used[Store]:
    (used,) = [u for u, _ in stores(stack, kind) if u.store.name == name]
    return used


def test_used_by_names_the_users_in_catalog_order_or_says_there_is_none(stack: Stack) -> None:
    assert used_by(_used(stack, Postgres, "db")) == "shop, cart"
    assert used_by(_used(stack, Kafka, "bus")) == "cart"
    assert used_by(_used(stack, Redis, "spare")) == "no catalog service"


def test_the_connection_error_logs_select_exactly_the_users(stack: Stack) -> None:
    (both,) = connection_error_logs(_used(stack, Postgres, "db"))
    assert stream_selector(both.query) == {"service": ("=~", "cart|shop")}
    assert both.language == "logql"
    (one,) = connection_error_logs(_used(stack, Redis, "kv"))
    assert stream_selector(one.query) == {"service": ("=", "shop")}
    assert one.title == "Connection errors in the logs of the services using kv (shop)"


def test_a_store_nobody_uses_gets_no_log_query(stack: Stack) -> None:
    assert connection_error_logs(_used(stack, Redis, "spare")) == ()
    spare = [d for d in REDIS(stack) if d.labels["dependency"] == "spare"]
    assert spare
    assert all(q.language != "logql" for d in spare for q in d.triage)


def test_a_dependency_runbook_reads_the_logs_of_every_service_using_it() -> None:
    db = {"kind": "postgres", "name": "db", "host": "pg.data.svc", "database": "app"}
    services = [
        {**SERVICE, "name": name, "display_name": name.title(), "uses": uses}
        for name, uses in (("shop", ["db"]), ("cart", ["db"]), ("search", []))
    ]
    stack = small_stack(overrides={"dependencies": [db], "services": services})
    (down,) = [a for a in POSTGRES(stack) if a.name == POSTGRES_DOWN]
    (logs,) = [q for q in down.triage if q.language == "logql"]
    assert logs.title == "Connection errors in the logs of the services using db (shop, cart)"
    assert logs.query.startswith('{service=~"cart|shop"} |~ ')
    assert down.description.endswith("Used by: shop, cart.")
