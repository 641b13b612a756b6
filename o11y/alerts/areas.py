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
    dependencies,
    infrastructure,
    selfmonitoring,
    service,
    synthetics,
)
from o11y.alerts.runbooks import anomalies as anomaly_runbooks
from o11y.alerts.runbooks import business as business_runbooks
from o11y.alerts.runbooks import infrastructure as infrastructure_runbooks
from o11y.alerts.runbooks import service as service_runbooks
from o11y.alerts.runbooks import synthetics as synthetic_runbooks
from o11y.alerts.scenario import ProvenAlert
from o11y.model.stack import Stack

SYNTHETICS_STEM = "synthetics"
ANOMALIES_STEM = "anomalies"

INFRASTRUCTURE = Area(
    infrastructure.ALERTS, infrastructure_runbooks.RUNBOOKS, infrastructure.subjects
)
SERVICES = Area(service.ALERTS, service_runbooks.RUNBOOKS, service.subjects)
ENDPOINT_BUDGETS = Area(
    service.ENDPOINT_ALERTS, service_runbooks.ENDPOINT_RUNBOOKS, service.budget_subjects
)
BUSINESS_FAILURES = Area(
    business.FAILURE_ALERTS, business_runbooks.FAILURE_RUNBOOKS, business.failure_subjects
)
SECURITY_EVENTS = Area(
    business.EVENT_ALERTS, business_runbooks.SECURITY_RUNBOOKS, business.event_subjects
)
SECURITY_SPIKES = Area(
    business.SPIKE_ALERTS, business_runbooks.SECURITY_RUNBOOKS, business.spike_subjects
)
ANOMALIES = Area(anomalies.ALERTS, anomaly_runbooks.RUNBOOKS, anomalies.subjects)
SYNTHETIC_FLOWS = Area(synthetics.ALERTS, synthetic_runbooks.RUNBOOKS, synthetics.subjects)
SYNTHETIC_RUNNERS = Area(
    synthetics.RUNNER_ALERTS, synthetic_runbooks.RUNNER_RUNBOOKS, synthetics.runner_subjects
)

# A stack's alerts of one area (an `Area`, whatever its subject).
AlertArea = Callable[[Stack], list[AlertDefinition]]

# Rule-file stem -> the areas whose alerts it holds, in order.
AREAS: dict[str, tuple[AlertArea, ...]] = {
    "services": (SERVICES, ENDPOINT_BUDGETS),
    "infrastructure": (INFRASTRUCTURE,),
    "business": (BUSINESS_FAILURES, SECURITY_EVENTS, SECURITY_SPIKES),
    SYNTHETICS_STEM: (SYNTHETIC_FLOWS, SYNTHETIC_RUNNERS),
    ANOMALIES_STEM: (ANOMALIES,),
}
LEGACY_AREAS: dict[str, Callable[[Stack], list[ProvenAlert]]] = {
    "dependencies": dependencies.dependency_alerts,
    "observability": selfmonitoring.selfmonitoring_alerts,
}
# The rule files in the order they are written.
STEMS = (
    "services",
    "dependencies",
    "infrastructure",
    "business",
    "observability",
    SYNTHETICS_STEM,
    ANOMALIES_STEM,
)
