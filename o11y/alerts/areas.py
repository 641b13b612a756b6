"""Every alert area of a stack and the rule file it goes to.

An area is an alert table (o11y/alerts/<area>.py: what fires), its runbooks
(o11y/alerts/runbooks/<area>.py: what the responder reads) and the subjects of a stack it is
written for; its promtool proofs are in tests/o11y/alerts/test_<area>.py.
"""

from collections.abc import Callable

from o11y.alertdef import AlertDefinition, Area
from o11y.alerts import (
    anomalies,
    business,
    infrastructure,
    selfmonitoring,
    service,
    synthetics,
    tempo_ingest,
)
from o11y.alerts.dependencies import certificates, kafka, partner, postgres, redis
from o11y.alerts.runbooks import anomalies as anomaly_runbooks
from o11y.alerts.runbooks import business as business_runbooks
from o11y.alerts.runbooks import infrastructure as infrastructure_runbooks
from o11y.alerts.runbooks import selfmonitoring as selfmonitoring_runbooks
from o11y.alerts.runbooks import service as service_runbooks
from o11y.alerts.runbooks import synthetics as synthetic_runbooks
from o11y.alerts.runbooks import tempo_ingest as tempo_ingest_runbooks
from o11y.alerts.runbooks.dependencies import certificates as certificates_runbooks
from o11y.alerts.runbooks.dependencies import kafka as kafka_runbooks
from o11y.alerts.runbooks.dependencies import partner as partner_runbooks
from o11y.alerts.runbooks.dependencies import postgres as postgres_runbooks
from o11y.alerts.runbooks.dependencies import redis as redis_runbooks
from o11y.model.stack import Stack

SYNTHETICS_STEM = "synthetics"
ANOMALIES_STEM = "anomalies"

# services
SERVICES = Area(service.ALERTS, service_runbooks.RUNBOOKS, service.subjects)
ENDPOINT_BUDGETS = Area(
    service.ENDPOINT_ALERTS, service_runbooks.ENDPOINT_RUNBOOKS, service.budget_subjects
)

# dependencies
POSTGRES = Area(postgres.ALERTS, postgres_runbooks.RUNBOOKS, postgres.subjects)
REDIS = Area(redis.ALERTS, redis_runbooks.RUNBOOKS, redis.subjects)
KAFKA_CONSUMER_GROUPS = Area(kafka.LAG_ALERTS, kafka_runbooks.LAG_RUNBOOKS, kafka.lag_subjects)
KAFKA = Area(kafka.ALERTS, kafka_runbooks.RUNBOOKS, kafka.subjects)
PARTNER = Area(partner.ALERTS, partner_runbooks.RUNBOOKS, partner.subjects)
CERTIFICATES = Area(certificates.ALERTS, certificates_runbooks.RUNBOOKS, certificates.subjects)

# infrastructure
INFRASTRUCTURE = Area(
    infrastructure.ALERTS, infrastructure_runbooks.RUNBOOKS, infrastructure.subjects
)

# business
BUSINESS_FAILURES = Area(
    business.FAILURE_ALERTS, business_runbooks.FAILURE_RUNBOOKS, business.failure_subjects
)
SECURITY_EVENTS = Area(
    business.EVENT_ALERTS, business_runbooks.SECURITY_RUNBOOKS, business.event_subjects
)
SECURITY_SPIKES = Area(
    business.SPIKE_ALERTS, business_runbooks.SECURITY_RUNBOOKS, business.spike_subjects
)

# observability
SELFMONITORING = Area(
    selfmonitoring.ALERTS, selfmonitoring_runbooks.RUNBOOKS, selfmonitoring.subjects
)
TEMPO_INGEST = Area(tempo_ingest.ALERTS, tempo_ingest_runbooks.RUNBOOKS, tempo_ingest.subjects)
TEMPO_KAFKA = Area(
    tempo_ingest.KAFKA_ALERTS, tempo_ingest_runbooks.RUNBOOKS, tempo_ingest.kafka_subjects
)
MIMIR_INGEST = Area(
    selfmonitoring.MIMIR_ALERTS, selfmonitoring_runbooks.RUNBOOKS, selfmonitoring.mimir_subjects
)
GRAFANA_HEALTH = Area(
    selfmonitoring.GRAFANA_DATABASE_ALERTS,
    selfmonitoring_runbooks.RUNBOOKS,
    selfmonitoring.grafana_database_subjects,
)

# synthetics
SYNTHETIC_FLOWS = Area(synthetics.ALERTS, synthetic_runbooks.RUNBOOKS, synthetics.subjects)
SYNTHETIC_RUNNERS = Area(
    synthetics.RUNNER_ALERTS, synthetic_runbooks.RUNNER_RUNBOOKS, synthetics.runner_subjects
)

# anomalies
ANOMALIES = Area(anomalies.ALERTS, anomaly_runbooks.RUNBOOKS, anomalies.subjects)

# A stack's alerts of one area (an `Area`, whatever its subject).
AlertArea = Callable[[Stack], list[AlertDefinition]]

# Rule-file stem -> the areas whose alerts it holds, in order; the files in the order written.
AREAS: dict[str, tuple[AlertArea, ...]] = {
    "services": (SERVICES, ENDPOINT_BUDGETS),
    "dependencies": (POSTGRES, REDIS, KAFKA_CONSUMER_GROUPS, KAFKA, PARTNER, CERTIFICATES),
    "infrastructure": (INFRASTRUCTURE,),
    "business": (BUSINESS_FAILURES, SECURITY_EVENTS, SECURITY_SPIKES),
    "observability": (SELFMONITORING, TEMPO_INGEST, TEMPO_KAFKA, MIMIR_INGEST, GRAFANA_HEALTH),
    SYNTHETICS_STEM: (SYNTHETIC_FLOWS, SYNTHETIC_RUNNERS),
    ANOMALIES_STEM: (ANOMALIES,),
}
