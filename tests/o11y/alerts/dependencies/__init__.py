"""Proofs of the dependency alerts, one module per kind of dependency, on the stack of
conftest.py: every kind, used by two services of two teams, and two TLS endpoints."""

from o11y.conventions import DEPENDENCY_LABEL


def exporter_target(name: str) -> dict[str, str]:
    """The labels a data store's exporter puts on its series."""
    return {DEPENDENCY_LABEL: name, "job": f"{name}-exporter", "instance": "10.0.0.9:9187"}
