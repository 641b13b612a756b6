"""Alerts on the data stores, queues, partner APIs and certificates the catalog services use.

One module per kind of dependency; `dependency_alerts` collects them in catalog order.
Exporter series carry the catalog dependency's name in `dependency` (o11y.conventions);
metric names are those of postgres_exporter, redis_exporter, kafka_exporter and the blackbox
exporter. Data stores and certificates belong to the platform team (or the endpoint's team);
a partner API's error rate belongs to each service that calls it.
"""

from o11y.alerts.dependencies.certificates import (
    CERT_EXPIRY,
    CERT_EXPIRY_DAYS,
    TLS_GROUP,
    TLS_PROBE_FAILING,
    certificate_alerts,
)
from o11y.alerts.dependencies.dependency import GROUP, WINDOW
from o11y.alerts.dependencies.kafka import KAFKA_BROKERS, KAFKA_LAG, kafka_alerts
from o11y.alerts.dependencies.partner import PARTNER_ERRORS, partner_alerts
from o11y.alerts.dependencies.postgres import POSTGRES_CONNECTIONS, POSTGRES_DOWN, postgres_alerts
from o11y.alerts.dependencies.redis import (
    REDIS_CONNECTIONS,
    REDIS_DOWN,
    REDIS_MAX_CLIENTS_PERCENT,
    REDIS_REJECTED,
    redis_alerts,
)
from o11y.alerts.scenario import ProvenAlert
from o11y.model.catalog import Kafka, Postgres, Redis
from o11y.model.stack import Stack

__all__ = [
    "CERT_EXPIRY",
    "CERT_EXPIRY_DAYS",
    "GROUP",
    "KAFKA_BROKERS",
    "KAFKA_LAG",
    "PARTNER_ERRORS",
    "POSTGRES_CONNECTIONS",
    "POSTGRES_DOWN",
    "REDIS_CONNECTIONS",
    "REDIS_DOWN",
    "REDIS_MAX_CLIENTS_PERCENT",
    "REDIS_REJECTED",
    "TLS_GROUP",
    "TLS_PROBE_FAILING",
    "WINDOW",
    "dependency_alerts",
]


def dependency_alerts(stack: Stack) -> list[ProvenAlert]:
    result: list[ProvenAlert] = []
    for dependency in stack.dependencies:
        if isinstance(dependency, Postgres):
            result += postgres_alerts(stack, dependency)
        elif isinstance(dependency, Redis):
            result += redis_alerts(stack, dependency)
        elif isinstance(dependency, Kafka):
            result += kafka_alerts(stack, dependency)
        else:
            result += partner_alerts(stack, dependency)
    for endpoint in stack.tls_endpoints:
        result += certificate_alerts(endpoint)
    return result
