"""What the runbooks of the data store alerts share: who uses the store, and where their
logs show it failing (o11y/alerts/dependencies/dependency.py)."""

from o11y.alertdef import TriageQuery
from o11y.alerts.dependencies.dependency import Store, Used
from o11y.conventions import services_log_stream_selector


def used_by(subject: Used[Store]) -> str:
    return ", ".join(subject.users) if subject.users else "no catalog service"


def connection_error_logs(subject: Used[Store]) -> tuple[TriageQuery, ...]:
    """Connection errors in the logs of every catalog service using the store: an outage
    shows in all of them, a problem of one client in that one only."""
    if not subject.users:
        return ()
    return (
        TriageQuery(
            f"Connection errors in the logs of the services using {subject.store.name} "
            f"({', '.join(subject.users)})",
            f'{services_log_stream_selector(subject.users)} |~ "(?i)(connection|timeout|refused)" '
            '| json | level=~"error|fatal"',
            "logql",
        ),
    )
