"""Runbooks of the PostgreSQL alerts (o11y/alerts/dependencies/postgres.py)."""

from o11y.alertdef import Runbook, Runbooks, TriageQuery
from o11y.alerts.dependencies.dependency import Used
from o11y.alerts.dependencies.postgres import POSTGRES_CONNECTIONS, POSTGRES_DOWN, backends, up
from o11y.alerts.runbooks.dependencies.dependency import connection_error_logs, used_by
from o11y.conventions import dependency_selector
from o11y.model.catalog import Postgres


def _connections_per_database(db: Used[Postgres]) -> TriageQuery:
    return TriageQuery("Connections per database", f"sum by (datname) ({backends(db)})")


def _down(db: Used[Postgres]) -> Runbook:
    store = db.store
    return Runbook(
        summary=f"PostgreSQL {store.name} is unreachable.",
        description=(
            f"postgres_exporter cannot connect to {store.host}:{store.port}/{store.database} (or "
            f"is not scraped) for 1 minute. Used by: {used_by(db)}."
        ),
        symptom="Connections to the database fail (pg_up is 0) or its exporter is gone.",
        impact="Every service using the database fails the requests that read or write it.",
        triage=(
            TriageQuery("Exporter connection state", up(db)),
            _connections_per_database(db),
            *connection_error_logs(db),
        ),
        causes=(
            "The database instance is down, failing over or restarting.",
            "Network or DNS failure between the cluster and the database.",
            "The exporter's credentials were rotated (the secret no longer matches).",
        ),
        resolution=(
            "Check the database instance (its cloud console, or its pods where it runs in the cluster); wait for or trigger the failover.",
            "If only the exporter fails, fix its secret and restart it; the services are not affected.",
        ),
        related=(POSTGRES_CONNECTIONS, "ServiceErrorRateCritical"),
    )


def _connections(db: Used[Postgres]) -> Runbook:
    name, threshold = db.store.name, db.store.max_connections_percent
    return Runbook(
        summary=f"PostgreSQL {name} uses more than {threshold:g}% of max_connections.",
        description=(
            f"Open connections on {name} are above {threshold:g}% of max_connections for 5 "
            f"minutes; new connections will soon be refused. Used by: {used_by(db)}."
        ),
        symptom="The connection count approaches max_connections (pool exhaustion).",
        impact="When the limit is reached, new connections fail and requests error out.",
        triage=(
            _connections_per_database(db),
            TriageQuery(
                "Connections by state (idle in transaction hold slots)",
                f"sum by (state) (pg_stat_activity_count{{{dependency_selector(name)}}})",
            ),
            *connection_error_logs(db),
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


RUNBOOKS: Runbooks[Used[Postgres]] = {POSTGRES_DOWN: _down, POSTGRES_CONNECTIONS: _connections}
