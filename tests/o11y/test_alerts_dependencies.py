"""Dependency alerts: data stores, Kafka, partner APIs and certificates, proven by promtool."""

from pathlib import Path

import pytest

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
from tests.small_stacks import SERVICE, TEAM, small_stack

WEB = {**TEAM, "name": "web", "display_name": "Web", "slack_channel": "#alerts-web"}
DEPENDENCIES = [
    {"kind": "postgres", "name": "db", "host": "pg.data.svc", "database": "app"},
    {"kind": "redis", "name": "kv", "host": "redis.data.svc"},
    {
        "kind": "kafka",
        "name": "bus",
        "brokers": ["kafka-0.data.svc:9092"],
        "consumer_groups": ["orders"],
        "max_lag": 500,
    },
    {"kind": "partner_api", "name": "bank", "partner_label": "bank", "error_rate_percent": 10},
    {"kind": "partner_api", "name": "maps", "partner_label": "maps", "error_rate_percent": 20},
]


@pytest.fixture(scope="module")
def stack() -> Stack:
    """Every kind of dependency, used by two services of two teams, and two TLS endpoints."""
    return small_stack(
        overrides={
            "teams": [TEAM, WEB],
            "dependencies": DEPENDENCIES,
            "services": [
                {**SERVICE, "uses": ["db", "kv", "bank"]},
                {
                    **SERVICE,
                    "name": "cart",
                    "display_name": "Cart",
                    "team": "web",
                    "uses": ["db", "bus", "maps"],
                },
            ],
            "tls_endpoints": [
                {"name": "api", "url": "https://api.example.org", "team": "core"},
                {"name": "app", "url": "https://app.example.org", "team": "web"},
            ],
        }
    )


def test_each_dependency_kind_gets_its_alerts(stack: Stack) -> None:
    by_dependency: dict[str, set[str]] = {}
    for alert in dependency_alerts(stack):
        key = alert.definition.labels.get("dependency") or alert.definition.labels["endpoint"]
        by_dependency.setdefault(key, set()).add(alert.definition.name)
    assert by_dependency == {
        "db": {POSTGRES_DOWN, POSTGRES_CONNECTIONS},
        "kv": {REDIS_DOWN, REDIS_REJECTED, REDIS_CONNECTIONS},
        "bus": {KAFKA_LAG, KAFKA_BROKERS},
        "bank": {PARTNER_ERRORS},
        "maps": {PARTNER_ERRORS},
        "api": {TLS_PROBE_FAILING, CERT_EXPIRY},
        "app": {TLS_PROBE_FAILING, CERT_EXPIRY},
    }


def test_kafka_lag_pages_above_the_configured_lag(stack: Stack) -> None:
    (lag,) = [a.definition for a in dependency_alerts(stack) if a.definition.name == KAFKA_LAG]
    assert lag.expr == (
        "sum by (dependency, consumergroup) (kafka_consumergroup_lag"
        '{dependency="bus",consumergroup="orders"}) > 500'
    )
    assert lag.priority == Priority.P1


def test_partner_errors_belong_to_each_calling_service(stack: Stack) -> None:
    partner = [
        (a.definition.service, a.definition.team, a.definition.labels["dependency"])
        for a in dependency_alerts(stack)
        if a.definition.name == PARTNER_ERRORS
    ]
    assert partner == [("shop", "core", "bank"), ("cart", "web", "maps")]
    (bank,) = [
        a.definition
        for a in dependency_alerts(stack)
        if a.definition.labels.get("dependency") == "bank"
    ]
    assert bank.priority == Priority.P2
    assert 'partner_requests_total{service="shop",partner="bank",outcome="error"}' in bank.expr
    assert " * 100 > 10 and " in bank.expr


def test_certificates_expiring_within_30_days_notify_their_team(stack: Stack) -> None:
    certs = [a.definition for a in dependency_alerts(stack) if a.definition.name == CERT_EXPIRY]
    assert [(c.team, c.priority) for c in certs] == [("core", Priority.P3), ("web", Priority.P3)]
    assert certs[0].expr == (
        'min by (endpoint) (probe_ssl_earliest_cert_expiry{endpoint="api"}) - time() < 30 * 86400'
    )


def test_dependency_alerts_fire_and_stay_silent_in_promtool(
    stack: Stack, promtool: str, tmp_path: Path
) -> None:
    prove(promtool, stack, dependency_alerts(stack), tmp_path)


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
