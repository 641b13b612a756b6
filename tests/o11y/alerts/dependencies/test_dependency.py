"""What the dependency areas share: every kind of dependency gets its alerts in the
dependencies rule file, and a data store's runbook reads the logs of the services using it."""

from o11y.alerts.areas import AREAS, POSTGRES
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
from tests.small_stacks import SERVICE, small_stack


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


def test_a_dependency_runbook_reads_the_logs_of_every_service_using_it() -> None:
    db = {"kind": "postgres", "name": "db", "host": "pg.data.svc", "database": "app"}
    services = [
        {**SERVICE, "name": name, "display_name": name.title(), "uses": uses}
        for name, uses in (("shop", ["db"]), ("cart", ["db"]), ("search", []))
    ]
    stack = small_stack(overrides={"dependencies": [db], "services": services})
    (down,) = [a for a in POSTGRES(stack) if a.name == POSTGRES_DOWN]
    (logs,) = [q for q in down.triage if q.language == "logql"]
    assert logs.title == "Connection errors in the logs of the services using db (shop, cart)"
    assert logs.query.startswith('{service=~"cart|shop"} |~ ')
    assert down.description.endswith("Used by: shop, cart.")
