"""Alerts on the data stores, queues, partner APIs and certificates the catalog services use.

One table per kind of dependency (postgres, redis, kafka, partner, certificates; what the
data stores share is in dependency.py), registered in o11y/alerts/areas.py; their runbooks
are in o11y/alerts/runbooks/dependencies/, their proofs in tests/o11y/alerts/dependencies/.
Exporter series carry the catalog dependency's name in `dependency` (o11y.conventions);
metric names are those of postgres_exporter, redis_exporter, kafka_exporter and the blackbox
exporter. Data stores and certificates belong to the platform team (or the endpoint's team);
a partner API's error rate belongs to each service that calls it.

The alert names are importable from the package (o11y/rules.py inhibits one by another).
"""

from o11y.alerts.dependencies.certificates import CERT_EXPIRY, TLS_PROBE_FAILING
from o11y.alerts.dependencies.kafka import KAFKA_BROKERS, KAFKA_LAG
from o11y.alerts.dependencies.partner import PARTNER_ERRORS
from o11y.alerts.dependencies.postgres import POSTGRES_CONNECTIONS, POSTGRES_DOWN
from o11y.alerts.dependencies.redis import REDIS_CONNECTIONS, REDIS_DOWN, REDIS_REJECTED

__all__ = [
    "CERT_EXPIRY",
    "KAFKA_BROKERS",
    "KAFKA_LAG",
    "PARTNER_ERRORS",
    "POSTGRES_CONNECTIONS",
    "POSTGRES_DOWN",
    "REDIS_CONNECTIONS",
    "REDIS_DOWN",
    "REDIS_REJECTED",
    "TLS_PROBE_FAILING",
]
