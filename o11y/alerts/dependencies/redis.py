"""Redis alerts: Redis is unreachable, rejects connections, or nears maxclients.

Metric names are those of redis_exporter; the platform team owns Redis.
"""

from o11y.alertdef import AlertDefinition, TriageQuery
from o11y.alerts.dependencies.dependency import (
    GROUP,
    WINDOW,
    connection_error_logs,
    dependency_labels,
    exporter_target,
    users_of,
)
from o11y.alerts.scenario import Case, ProvenAlert, counting, series, steady
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


def redis_alerts(stack: Stack, redis: Redis) -> list[ProvenAlert]:
    return [
        _redis_down(stack, redis),
        _redis_rejected(stack, redis),
        _redis_connections(stack, redis),
    ]


def _redis_down(stack: Stack, redis: Redis) -> ProvenAlert:
    up = selector("redis_up", dependency_selector(redis.name))
    definition = AlertDefinition(
        name=REDIS_DOWN,
        group=GROUP.format(name=redis.name),
        expr=f"max by ({DEPENDENCY_LABEL}) ({up}) == 0 or absent({up})",
        for_="1m",
        priority=Priority.P1,
        team=stack.alerting.platform_team,
        labels=dependency_labels(redis.name),
        summary=f"Redis {redis.name} is unreachable.",
        description=(
            f"redis_exporter cannot reach {redis.host}:{redis.port} (or is not scraped) for 1 "
            f"minute. Used by: {users_of(stack, redis.name)}."
        ),
        symptom="Connections to Redis fail (redis_up is 0) or its exporter is gone.",
        impact="Caching, sessions and rate limiting backed by Redis fail or fall back to slow paths.",
        triage=(
            TriageQuery("Exporter connection state", up),
            TriageQuery(
                "Redis uptime (restarts reset it)",
                f"redis_uptime_in_seconds{{{dependency_selector(redis.name)}}}",
            ),
            *connection_error_logs(stack, redis.name),
        ),
        causes=(
            "The Redis pod restarted or was evicted (memory limit, node drain).",
            "Network policy or DNS change between the services and Redis.",
        ),
        resolution=(
            "`kubectl -n data get pods` and `describe` the Redis pod; check OOMKilled.",
            "Restore the primary (or promote a replica); the services reconnect on their own.",
        ),
        related=(REDIS_REJECTED, REDIS_CONNECTIONS),
    )
    target = exporter_target(redis.name)
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                "the exporter cannot connect",
                (series("redis_up", target, steady(0, 10)),),
                "5m",
                dependency_labels(redis.name),
            ),
            Case("the exporter is not scraped", (), "5m", dependency_labels(redis.name)),
        ),
        silent=lambda: (Case("Redis answers", (series("redis_up", target, steady(1, 10)),), "5m"),),
    )


def _redis_rejected(stack: Stack, redis: Redis) -> ProvenAlert:
    rejected = selector("redis_rejected_connections_total", dependency_selector(redis.name))
    definition = AlertDefinition(
        name=REDIS_REJECTED,
        group=GROUP.format(name=redis.name),
        expr=f"sum by ({DEPENDENCY_LABEL}) (increase({rejected}[{WINDOW}])) > 0",
        for_="0s",
        priority=Priority.P2,
        team=stack.alerting.platform_team,
        labels=dependency_labels(redis.name),
        summary=f"Redis {redis.name} rejects connections.",
        description=(
            f"Redis {redis.name} refused client connections in the last {WINDOW} (maxclients "
            f"reached). Used by: {users_of(stack, redis.name)}."
        ),
        symptom="Redis refuses new connections because maxclients is reached.",
        impact="Clients that cannot connect fail their cache or rate-limit calls.",
        triage=(
            TriageQuery("Rejected connections per second", f"rate({rejected}[{WINDOW}])"),
            TriageQuery(
                "Connected clients and the limit",
                f"redis_connected_clients{{{dependency_selector(redis.name)}}} or redis_config_maxclients{{{dependency_selector(redis.name)}}}",
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
    target = exporter_target(redis.name)
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                "connections are rejected",
                (series("redis_rejected_connections_total", target, counting(3, 10)),),
                "5m",
                dependency_labels(redis.name),
            ),
        ),
        silent=lambda: (
            Case(
                "no connection is rejected",
                (series("redis_rejected_connections_total", target, steady(7, 10)),),
                "5m",
            ),
        ),
    )


def _redis_connections(stack: Stack, redis: Redis) -> ProvenAlert:
    clients = f"max by ({DEPENDENCY_LABEL}) (redis_connected_clients{{{dependency_selector(redis.name)}}})"
    limit = f"max by ({DEPENDENCY_LABEL}) (redis_config_maxclients{{{dependency_selector(redis.name)}}})"
    definition = AlertDefinition(
        name=REDIS_CONNECTIONS,
        group=GROUP.format(name=redis.name),
        expr=f"{percent_of(clients, limit)} > {REDIS_MAX_CLIENTS_PERCENT}",
        for_="5m",
        priority=Priority.P3,
        team=stack.alerting.platform_team,
        labels=dependency_labels(redis.name),
        summary=f"Redis {redis.name} uses more than {REDIS_MAX_CLIENTS_PERCENT}% of maxclients.",
        description=(
            f"Connected clients on {redis.name} are above {REDIS_MAX_CLIENTS_PERCENT}% of "
            "maxclients for 5 minutes."
        ),
        symptom="The client connection count approaches maxclients.",
        impact="None yet; at the limit Redis rejects connections (RedisRejectedConnections).",
        triage=(TriageQuery("Connected clients and the limit", f"{clients} or {limit}"),),
        causes=("Growing replica counts with fixed pools per replica.", "Leaked connections."),
        resolution=("Right-size the client pools before the limit is hit.",),
        related=(REDIS_REJECTED,),
    )
    target = exporter_target(redis.name)
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                "clients near the limit",
                (
                    series("redis_connected_clients", target, steady(9000, 15)),
                    series("redis_config_maxclients", target, steady(10000, 15)),
                ),
                "10m",
                dependency_labels(redis.name),
            ),
        ),
        silent=lambda: (
            Case(
                "few clients",
                (
                    series("redis_connected_clients", target, steady(100, 15)),
                    series("redis_config_maxclients", target, steady(10000, 15)),
                ),
                "10m",
            ),
        ),
    )
