"""PostgreSQL alerts, proven by promtool."""

from pathlib import Path

from o11y.alerts.areas import POSTGRES
from o11y.alerts.dependencies.dependency import Used, dependency_labels
from o11y.alerts.dependencies.postgres import POSTGRES_CONNECTIONS, POSTGRES_DOWN
from o11y.model.catalog import Postgres
from o11y.model.stack import Stack
from o11y.severity import Priority
from tests.o11y.alerts.dependencies import exporter_target
from tests.o11y.alerts.scenario import (
    Case,
    Proof,
    Proofs,
    Series,
    area_proofs,
    prove,
    series,
    steady,
)


def _down(db: Used[Postgres]) -> Proof:
    name = db.store.name
    return Proof(
        fires=(
            Case(
                "the exporter cannot connect",
                (series("pg_up", exporter_target(name), steady(0, 10)),),
                "5m",
                dependency_labels(name),
            ),
            Case("the exporter is not scraped", (), "5m", dependency_labels(name)),
        ),
        silent=(
            Case(
                "the database answers",
                (series("pg_up", exporter_target(name), steady(1, 10)),),
                "5m",
            ),
        ),
    )


def _connections_open(db: Used[Postgres], open_: float) -> tuple[Series, ...]:
    """`open_` connections of the 100 max_connections allows."""
    target = exporter_target(db.store.name)
    return (
        series(
            "pg_stat_database_numbackends",
            {**target, "datname": db.store.database},
            steady(open_, 15),
        ),
        series("pg_settings_max_connections", target, steady(100, 15)),
    )


def _connections(db: Used[Postgres]) -> Proof:
    threshold = db.store.max_connections_percent
    return Proof(
        fires=(
            Case(
                "connections above the limit share",
                _connections_open(db, min(100.0, threshold + 5)),
                "10m",
                dependency_labels(db.store.name),
            ),
        ),
        silent=(
            Case(
                "connections below the limit share",
                _connections_open(db, threshold / 2),
                "10m",
            ),
        ),
    )


PROOFS: Proofs[Used[Postgres]] = {POSTGRES_DOWN: _down, POSTGRES_CONNECTIONS: _connections}


def test_the_database_pages_when_down_and_warns_near_max_connections(stack: Stack) -> None:
    down, connections = POSTGRES(stack)
    assert (down.name, down.priority, down.team) == (POSTGRES_DOWN, Priority.P1, "core")
    assert (
        down.expr
        == 'max by (dependency) (pg_up{dependency="db"}) == 0 or absent(pg_up{dependency="db"})'
    )
    assert (connections.name, connections.priority) == (POSTGRES_CONNECTIONS, Priority.P2)
    assert connections.expr.endswith(" * 100 > 80")
    assert down.group == connections.group == "dependency-db"


def test_postgres_alerts_fire_and_stay_silent_in_promtool(
    stack: Stack, promtool: str, tmp_path: Path
) -> None:
    prove(promtool, stack, area_proofs(POSTGRES, PROOFS, stack), tmp_path)
