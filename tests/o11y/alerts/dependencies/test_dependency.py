"""What the dependency areas share: every kind of dependency gets its alerts in the
dependencies rule file."""

from o11y.alerts.areas import AREAS
from o11y.alerts.dependencies import (
    CERT_EXPIRY,
    KAFKA_BROKERS,
    KAFKA_LAG,
    PARTNER_ERRORS,
    POSTGRES_CONNECTIONS,
    POSTGRES_DOWN,
    REDIS_CONNECTIONS,
    REDIS_DOWN,
    REDIS_REJECTED,
    TLS_PROBE_FAILING,
)
from o11y.model.stack import Stack


def test_each_dependency_kind_gets_its_alerts(stack: Stack) -> None:
    by_dependency: dict[str, set[str]] = {}
    for area in AREAS["dependencies"]:
        for alert in area(stack):
            key = alert.labels.get("dependency") or alert.labels["endpoint"]
            by_dependency.setdefault(key, set()).add(alert.name)
    assert by_dependency == {
        "db": {POSTGRES_DOWN, POSTGRES_CONNECTIONS},
        "kv": {REDIS_DOWN, REDIS_REJECTED, REDIS_CONNECTIONS},
        "bus": {KAFKA_LAG, KAFKA_BROKERS},
        "bank": {PARTNER_ERRORS},
        "maps": {PARTNER_ERRORS},
        "api": {TLS_PROBE_FAILING, CERT_EXPIRY},
        "app": {TLS_PROBE_FAILING, CERT_EXPIRY},
    }
