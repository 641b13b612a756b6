"""Redis alerts: Redis is unreachable, rejects connections, or nears maxclients.

Metric names are those of redis_exporter; the platform team owns Redis.
Runbooks: o11y/alerts/runbooks/dependencies/redis.py.
"""

from o11y.alertdef import AlertSpec, Owner
from o11y.alerts.dependencies.dependency import WINDOW, Used, dependency_labels, stores
from o11y.conventions import DEPENDENCY_LABEL, dependency_selector
from o11y.model.catalog import Redis
from o11y.model.stack import Stack
from o11y.promql import percent_of, selector
from o11y.severity import Priority

REDIS_DOWN = "RedisDown"
REDIS_REJECTED = "RedisRejectedConnections"
REDIS_CONNECTIONS = "RedisConnectionsNearLimit"

# Redis has no configurable limit in the catalog; 80% of maxclients matches Postgres' default.
REDIS_MAX_CLIENTS_PERCENT = 80


def _series(metric: str, redis: Used[Redis]) -> str:
    return selector(metric, dependency_selector(redis.store.name))


def up(redis: Used[Redis]) -> str:
    return _series("redis_up", redis)


def rejected(redis: Used[Redis]) -> str:
    return _series("redis_rejected_connections_total", redis)


def clients(redis: Used[Redis]) -> str:
    return f"max by ({DEPENDENCY_LABEL}) ({_series('redis_connected_clients', redis)})"


def max_clients(redis: Used[Redis]) -> str:
    return f"max by ({DEPENDENCY_LABEL}) ({_series('redis_config_maxclients', redis)})"


def _labels(redis: Used[Redis]) -> dict[str, str]:
    return dependency_labels(redis.store.name)


ALERTS: tuple[AlertSpec[Used[Redis]], ...] = (
    AlertSpec(
        REDIS_DOWN,
        expr=lambda r: f"max by ({DEPENDENCY_LABEL}) ({up(r)}) == 0 or absent({up(r)})",
        for_="1m",
        priority=Priority.P1,
        labels=_labels,
    ),
    AlertSpec(
        REDIS_REJECTED,
        expr=lambda r: f"sum by ({DEPENDENCY_LABEL}) (increase({rejected(r)}[{WINDOW}])) > 0",
        for_="0s",
        priority=Priority.P2,
        labels=_labels,
    ),
    AlertSpec(
        REDIS_CONNECTIONS,
        expr=lambda r: f"{percent_of(clients(r), max_clients(r))} > {REDIS_MAX_CLIENTS_PERCENT}",
        for_="5m",
        priority=Priority.P3,
        labels=_labels,
    ),
)


def subjects(stack: Stack) -> list[tuple[Used[Redis], Owner]]:
    """Every Redis of the catalog."""
    return stores(stack, Redis)
