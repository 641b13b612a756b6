"""Redis alerts, proven by promtool."""

from pathlib import Path

from o11y.alerts.areas import REDIS
from o11y.alerts.dependencies.dependency import Used, dependency_labels
from o11y.alerts.dependencies.redis import REDIS_CONNECTIONS, REDIS_DOWN, REDIS_REJECTED
from o11y.model.catalog import Redis
from o11y.model.stack import Stack
from o11y.severity import Priority
from tests.o11y.alerts.dependencies import exporter_target
from tests.o11y.alerts.scenario import (
    Case,
    Proof,
    Proofs,
    Series,
    area_proofs,
    counting,
    prove,
    series,
    steady,
)


def _down(redis: Used[Redis]) -> Proof:
    target = exporter_target(redis.store.name)
    return Proof(
        fires=(
            Case(
                "the exporter cannot connect",
                (series("redis_up", target, steady(0, 10)),),
                "5m",
                dependency_labels(redis.store.name),
            ),
            Case("the exporter is not scraped", (), "5m", dependency_labels(redis.store.name)),
        ),
        silent=(Case("Redis answers", (series("redis_up", target, steady(1, 10)),), "5m"),),
    )


def _rejected(redis: Used[Redis]) -> Proof:
    target = exporter_target(redis.store.name)
    return Proof(
        fires=(
            Case(
                "connections are rejected",
                (series("redis_rejected_connections_total", target, counting(3, 10)),),
                "5m",
                dependency_labels(redis.store.name),
            ),
        ),
        silent=(
            Case(
                "no connection is rejected",
                (series("redis_rejected_connections_total", target, steady(7, 10)),),
                "5m",
            ),
        ),
    )


def _clients(redis: Used[Redis], connected: float) -> tuple[Series, ...]:
    """`connected` clients of the 10000 maxclients allows."""
    target = exporter_target(redis.store.name)
    return (
        series("redis_connected_clients", target, steady(connected, 15)),
        series("redis_config_maxclients", target, steady(10000, 15)),
    )


def _connections(redis: Used[Redis]) -> Proof:
    return Proof(
        fires=(
            Case(
                "clients near the limit",
                _clients(redis, 9000),
                "10m",
                dependency_labels(redis.store.name),
            ),
        ),
        silent=(Case("few clients", _clients(redis, 100), "10m"),),
    )


PROOFS: Proofs[Used[Redis]] = {
    REDIS_DOWN: _down,
    REDIS_REJECTED: _rejected,
    REDIS_CONNECTIONS: _connections,
}


def test_redis_pages_when_down_and_warns_before_rejecting_clients(stack: Stack) -> None:
    assert [(a.name, a.priority, a.for_) for a in REDIS(stack)] == [
        (REDIS_DOWN, Priority.P1, "1m"),
        (REDIS_REJECTED, Priority.P2, "0s"),
        (REDIS_CONNECTIONS, Priority.P3, "5m"),
    ]


def test_redis_alerts_fire_and_stay_silent_in_promtool(
    stack: Stack, promtool: str, tmp_path: Path
) -> None:
    prove(promtool, stack, area_proofs(REDIS, PROOFS, stack), tmp_path)
