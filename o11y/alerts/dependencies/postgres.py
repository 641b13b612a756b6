"""PostgreSQL alerts: the database is unreachable, its connections near max_connections.

Metric names are those of postgres_exporter; the platform team owns the database.
Runbooks: o11y/alerts/runbooks/dependencies/postgres.py.
"""

from o11y.alertdef import AlertSpec, Owner
from o11y.alerts.dependencies.dependency import Used, dependency_labels, stores
from o11y.conventions import DEPENDENCY_LABEL, dependency_selector
from o11y.model.catalog import Postgres
from o11y.model.stack import Stack
from o11y.promql import percent_of, selector
from o11y.severity import Priority

POSTGRES_DOWN = "PostgresDown"
POSTGRES_CONNECTIONS = "PostgresConnectionsNearLimit"


def up(db: Used[Postgres]) -> str:
    return selector("pg_up", dependency_selector(db.store.name))


def backends(db: Used[Postgres]) -> str:
    """Open connections of every database on the server (`datname`)."""
    return selector("pg_stat_database_numbackends", dependency_selector(db.store.name))


def _connections_used(db: Used[Postgres]) -> str:
    limit = selector("pg_settings_max_connections", dependency_selector(db.store.name))
    return percent_of(
        f"sum by ({DEPENDENCY_LABEL}) ({backends(db)})", f"max by ({DEPENDENCY_LABEL}) ({limit})"
    )


def _labels(db: Used[Postgres]) -> dict[str, str]:
    return dependency_labels(db.store.name)


ALERTS: tuple[AlertSpec[Used[Postgres]], ...] = (
    AlertSpec(
        POSTGRES_DOWN,
        expr=lambda db: f"max by ({DEPENDENCY_LABEL}) ({up(db)}) == 0 or absent({up(db)})",
        for_="1m",
        priority=Priority.P1,
        labels=_labels,
    ),
    AlertSpec(
        POSTGRES_CONNECTIONS,
        expr=lambda db: f"{_connections_used(db)} > {db.store.max_connections_percent:g}",
        for_="5m",
        priority=Priority.P2,
        labels=_labels,
    ),
)


def subjects(stack: Stack) -> list[tuple[Used[Postgres], Owner]]:
    """Every PostgreSQL of the catalog."""
    return stores(stack, Postgres)
