"""PostgreSQL alerts: the database is unreachable, its connections near max_connections.

Metric names are those of postgres_exporter; the platform team owns the database.
"""

from o11y.alertdef import AlertDefinition, TriageQuery
from o11y.alerts.dependencies.dependency import (
    GROUP,
    connection_error_logs,
    dependency_labels,
    exporter_target,
    users_of,
)
from o11y.alerts.scenario import Case, ProvenAlert, series, steady
from o11y.conventions import DEPENDENCY_LABEL, dependency_selector
from o11y.model.catalog import Postgres
from o11y.model.stack import Stack
from o11y.promql import percent_of, selector
from o11y.severity import Priority

POSTGRES_DOWN = "PostgresDown"
POSTGRES_CONNECTIONS = "PostgresConnectionsNearLimit"


def postgres_alerts(stack: Stack, db: Postgres) -> list[ProvenAlert]:
    return [_postgres_down(stack, db), _postgres_connections(stack, db)]


def _postgres_down(stack: Stack, db: Postgres) -> ProvenAlert:
    up = selector("pg_up", dependency_selector(db.name))
    definition = AlertDefinition(
        name=POSTGRES_DOWN,
        group=GROUP.format(name=db.name),
        expr=f"max by ({DEPENDENCY_LABEL}) ({up}) == 0 or absent({up})",
        for_="1m",
        priority=Priority.P1,
        team=stack.alerting.platform_team,
        labels=dependency_labels(db.name),
        summary=f"PostgreSQL {db.name} is unreachable.",
        description=(
            f"postgres_exporter cannot connect to {db.host}:{db.port}/{db.database} (or is not "
            f"scraped) for 1 minute. Used by: {users_of(stack, db.name)}."
        ),
        symptom="Connections to the database fail (pg_up is 0) or its exporter is gone.",
        impact="Every service using the database fails the requests that read or write it.",
        triage=(
            TriageQuery("Exporter connection state", up),
            TriageQuery(
                "Connections per database",
                f"sum by (datname) (pg_stat_database_numbackends{{{dependency_selector(db.name)}}})",
            ),
            *connection_error_logs(stack, db.name),
        ),
        causes=(
            "The database instance is down, failing over or restarting.",
            "Network or DNS failure between the cluster and the database.",
            "The exporter's credentials were rotated (the secret no longer matches).",
        ),
        resolution=(
            "Check the database instance (cloud console / `kubectl -n data get pods`); wait for or trigger the failover.",
            "If only the exporter fails, fix its secret and restart it; the services are not affected.",
        ),
        related=(POSTGRES_CONNECTIONS, "ServiceErrorRateCritical"),
    )
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                "the exporter cannot connect",
                (series("pg_up", exporter_target(db.name), steady(0, 10)),),
                "5m",
                dependency_labels(db.name),
            ),
            Case("the exporter is not scraped", (), "5m", dependency_labels(db.name)),
        ),
        silent=lambda: (
            Case(
                "the database answers",
                (series("pg_up", exporter_target(db.name), steady(1, 10)),),
                "5m",
            ),
        ),
    )


def _postgres_connections(stack: Stack, db: Postgres) -> ProvenAlert:
    used = f"sum by ({DEPENDENCY_LABEL}) (pg_stat_database_numbackends{{{dependency_selector(db.name)}}})"
    limit = f"max by ({DEPENDENCY_LABEL}) (pg_settings_max_connections{{{dependency_selector(db.name)}}})"
    threshold = db.max_connections_percent
    definition = AlertDefinition(
        name=POSTGRES_CONNECTIONS,
        group=GROUP.format(name=db.name),
        expr=f"{percent_of(used, limit)} > {threshold:g}",
        for_="5m",
        priority=Priority.P2,
        team=stack.alerting.platform_team,
        labels=dependency_labels(db.name),
        summary=f"PostgreSQL {db.name} uses more than {threshold:g}% of max_connections.",
        description=(
            f"Open connections on {db.name} are above {threshold:g}% of max_connections for 5 "
            f"minutes; new connections will soon be refused. Used by: {users_of(stack, db.name)}."
        ),
        symptom="The connection count approaches max_connections (pool exhaustion).",
        impact="When the limit is reached, new connections fail and requests error out.",
        triage=(
            TriageQuery(
                "Connections per database",
                f"sum by (datname) (pg_stat_database_numbackends{{{dependency_selector(db.name)}}})",
            ),
            TriageQuery(
                "Connections by state (idle in transaction hold slots)",
                f"sum by (state) (pg_stat_activity_count{{{dependency_selector(db.name)}}})",
            ),
            *connection_error_logs(stack, db.name),
        ),
        causes=(
            "A service scaled out and every replica opened a full connection pool.",
            "Connection leaks or long transactions ('idle in transaction').",
            "Slow queries holding connections longer under load.",
        ),
        resolution=(
            "Find the client with the most connections (`SELECT usename, application_name, count(*) FROM pg_stat_activity GROUP BY 1, 2`).",
            "Lower pool sizes per replica or add a pooler (PgBouncer); kill idle-in-transaction sessions.",
        ),
        related=(POSTGRES_DOWN,),
    )
    target = exporter_target(db.name)
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                "connections above the limit share",
                (
                    series(
                        "pg_stat_database_numbackends",
                        {**target, "datname": db.database},
                        steady(min(100.0, threshold + 5), 15),
                    ),
                    series("pg_settings_max_connections", target, steady(100, 15)),
                ),
                "10m",
                dependency_labels(db.name),
            ),
        ),
        silent=lambda: (
            Case(
                "connections below the limit share",
                (
                    series(
                        "pg_stat_database_numbackends",
                        {**target, "datname": db.database},
                        steady(threshold / 2, 15),
                    ),
                    series("pg_settings_max_connections", target, steady(100, 15)),
                ),
                "10m",
            ),
        ),
    )
