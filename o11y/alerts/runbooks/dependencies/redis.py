"""Runbooks of the Redis alerts (o11y/alerts/dependencies/redis.py)."""

from o11y.alertdef import Runbook, Runbooks, TriageQuery
from o11y.alerts.dependencies.dependency import WINDOW, Used
from o11y.alerts.dependencies.redis import (
    REDIS_CONNECTIONS,
    REDIS_DOWN,
    REDIS_MAX_CLIENTS_PERCENT,
    REDIS_REJECTED,
    clients,
    max_clients,
    rejected,
    up,
)
from o11y.alerts.runbooks.dependencies.dependency import connection_error_logs, used_by
from o11y.conventions import dependency_selector
from o11y.model.catalog import Redis


def _down(redis: Used[Redis]) -> Runbook:
    store = redis.store
    return Runbook(
        summary=f"Redis {store.name} is unreachable.",
        description=(
            f"redis_exporter cannot reach {store.host}:{store.port} (or is not scraped) for 1 "
            f"minute. Used by: {used_by(redis)}."
        ),
        symptom="Connections to Redis fail (redis_up is 0) or its exporter is gone.",
        impact="Caching, sessions and rate limiting backed by Redis fail or fall back to slow paths.",
        triage=(
            TriageQuery("Exporter connection state", up(redis)),
            TriageQuery(
                "Redis uptime (restarts reset it)",
                f"redis_uptime_in_seconds{{{dependency_selector(store.name)}}}",
            ),
            *connection_error_logs(redis),
        ),
        causes=(
            "The Redis pod restarted or was evicted (memory limit, node drain).",
            "Network policy or DNS change between the services and Redis.",
        ),
        resolution=(
            "Where Redis runs in the cluster, `kubectl describe` its pod: look for OOMKilled and restarts.",
            "Restore the primary (or promote a replica); the services reconnect on their own.",
        ),
        related=(REDIS_REJECTED, REDIS_CONNECTIONS),
    )


def _rejected(redis: Used[Redis]) -> Runbook:
    name = redis.store.name
    return Runbook(
        summary=f"Redis {name} rejects connections.",
        description=(
            f"Redis {name} refused client connections in the last {WINDOW} (maxclients "
            f"reached). Used by: {used_by(redis)}."
        ),
        symptom="Redis refuses new connections because maxclients is reached.",
        impact="Clients that cannot connect fail their cache or rate-limit calls.",
        triage=(
            TriageQuery("Rejected connections per second", f"rate({rejected(redis)}[{WINDOW}])"),
            TriageQuery(
                "Connected clients and the limit",
                f"redis_connected_clients{{{dependency_selector(name)}}} or redis_config_maxclients{{{dependency_selector(name)}}}",
            ),
        ),
        causes=(
            "Clients leak connections or open one per request.",
            "A scale-out multiplied the pools.",
        ),
        resolution=(
            "Find the clients with `CLIENT LIST`; fix pooling in the client.",
            "Raise `maxclients` only with memory headroom.",
        ),
        related=(REDIS_CONNECTIONS, REDIS_DOWN),
    )


def _connections(redis: Used[Redis]) -> Runbook:
    name = redis.store.name
    return Runbook(
        summary=f"Redis {name} uses more than {REDIS_MAX_CLIENTS_PERCENT}% of maxclients.",
        description=(
            f"Connected clients on {name} are above {REDIS_MAX_CLIENTS_PERCENT}% of "
            "maxclients for 5 minutes."
        ),
        symptom="The client connection count approaches maxclients.",
        impact="None yet; at the limit Redis rejects connections (RedisRejectedConnections).",
        triage=(
            TriageQuery(
                "Connected clients and the limit", f"{clients(redis)} or {max_clients(redis)}"
            ),
        ),
        causes=("Growing replica counts with fixed pools per replica.", "Leaked connections."),
        resolution=("Right-size the client pools before the limit is hit.",),
        related=(REDIS_REJECTED,),
    )


RUNBOOKS: Runbooks[Used[Redis]] = {
    REDIS_DOWN: _down,
    REDIS_REJECTED: _rejected,
    REDIS_CONNECTIONS: _connections,
}
