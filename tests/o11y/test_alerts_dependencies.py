"""Dependency alerts: data stores, Kafka, partner APIs and certificates, proven by promtool."""

from pathlib import Path

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
    dependency_alerts,
)
from o11y.model.stack import Stack
from o11y.severity import Priority
from tests.o11y.promtool_proof import prove
from tests.small_stacks import SERVICE, small_stack


def test_each_dependency_kind_gets_its_alerts(dev_stack: Stack) -> None:
    by_dependency: dict[str, set[str]] = {}
    for alert in dependency_alerts(dev_stack):
        key = alert.definition.labels.get("dependency") or alert.definition.labels["endpoint"]
        by_dependency.setdefault(key, set()).add(alert.definition.name)
    assert by_dependency == {
        "main-db": {POSTGRES_DOWN, POSTGRES_CONNECTIONS},
        "cache": {REDIS_DOWN, REDIS_REJECTED, REDIS_CONNECTIONS},
        "events": {KAFKA_LAG, KAFKA_BROKERS},
        "fintech-bank": {PARTNER_ERRORS},
        "airtable": {PARTNER_ERRORS},
        "public-api": {TLS_PROBE_FAILING, CERT_EXPIRY},
        "web-app": {TLS_PROBE_FAILING, CERT_EXPIRY},
    }


def test_kafka_lag_pages_above_the_configured_lag(dev_stack: Stack) -> None:
    (lag,) = [a.definition for a in dependency_alerts(dev_stack) if a.definition.name == KAFKA_LAG]
    assert lag.expr == (
        "sum by (dependency, consumergroup) (kafka_consumergroup_lag"
        '{dependency="events",consumergroup="game-consumer"}) > 1000'
    )
    assert lag.priority == Priority.P1


def test_partner_errors_belong_to_each_calling_service(dev_stack: Stack) -> None:
    partner = [
        (a.definition.service, a.definition.team, a.definition.labels["dependency"])
        for a in dependency_alerts(dev_stack)
        if a.definition.name == PARTNER_ERRORS
    ]
    assert partner == [
        ("api-gateway", "platform", "fintech-bank"),
        ("airtable-gateway", "product", "airtable"),
    ]
    (fintech,) = [
        a.definition
        for a in dependency_alerts(dev_stack)
        if a.definition.labels.get("dependency") == "fintech-bank"
    ]
    assert fintech.priority == Priority.P2
    assert (
        'partner_requests_total{service="api-gateway",partner="fintech-bank",outcome="error"}'
        in (fintech.expr)
    )
    assert " * 100 > 10 and " in fintech.expr


def test_certificates_expiring_within_30_days_notify_their_team(dev_stack: Stack) -> None:
    certs = [a.definition for a in dependency_alerts(dev_stack) if a.definition.name == CERT_EXPIRY]
    assert [(c.team, c.priority) for c in certs] == [
        ("platform", Priority.P3),
        ("product", Priority.P3),
    ]
    assert certs[0].expr == (
        'min by (endpoint) (probe_ssl_earliest_cert_expiry{endpoint="public-api"}) - time()'
        " < 30 * 86400"
    )


def test_dependency_alerts_fire_and_stay_silent_in_promtool(
    dev_stack: Stack, promtool: str, tmp_path: Path
) -> None:
    prove(promtool, dev_stack, dependency_alerts(dev_stack), tmp_path)


def test_a_dependency_runbook_reads_the_logs_of_every_service_using_it() -> None:
    db = {"kind": "postgres", "name": "db", "host": "pg.data.svc", "database": "app"}
    services = [
        {**SERVICE, "name": name, "display_name": name.title(), "uses": uses}
        for name, uses in (("shop", ["db"]), ("cart", ["db"]), ("search", []))
    ]
    stack = small_stack(overrides={"dependencies": [db], "services": services})
    (down,) = [a.definition for a in dependency_alerts(stack) if a.definition.name == POSTGRES_DOWN]
    (logs,) = [q for q in down.triage if q.language == "logql"]
    assert logs.title == "Connection errors in the logs of the services using db (shop, cart)"
    assert logs.query.startswith('{service=~"cart|shop"} |~ ')
