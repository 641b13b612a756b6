"""What the alerts on one catalog dependency share: their rule group, query window and labels,
the labels its exporter puts on a series, and the services that use it."""

from o11y.alertdef import TriageQuery
from o11y.conventions import DEPENDENCY_LABEL, services_log_stream_selector
from o11y.model.stack import Stack

GROUP = "dependency-{name}"
WINDOW = "5m"


def users_of(stack: Stack, name: str) -> str:
    users = [s.name for s in stack.services if name in s.uses]
    return ", ".join(users) if users else "no catalog service"


def exporter_target(name: str) -> dict[str, str]:
    return {DEPENDENCY_LABEL: name, "job": f"{name}-exporter", "instance": "10.0.0.9:9187"}


def dependency_labels(name: str) -> dict[str, str]:
    return {DEPENDENCY_LABEL: name}


def connection_error_logs(stack: Stack, name: str) -> tuple[TriageQuery, ...]:
    """Connection errors in the logs of every catalog service using the dependency: an outage
    shows in all of them, a problem of one client in that one only."""
    users = [s.name for s in stack.services if name in s.uses]
    if not users:
        return ()
    return (
        TriageQuery(
            f"Connection errors in the logs of the services using {name} ({', '.join(users)})",
            f'{services_log_stream_selector(users)} |~ "(?i)(connection|timeout|refused)" '
            '| json | level=~"error|fatal"',
            "logql",
        ),
    )
