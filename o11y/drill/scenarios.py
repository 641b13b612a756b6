"""What the drill breaks, and which alerts must fire for it, from the stack's alert catalog.

A scenario breaks one thing of one lane: a dependency goes down, its connections run out, a
service's health check fails, it answers 5xx, it slows down, or its process is killed. The
alerts it must fire are the catalog's for that cause (plus the service's SLO pages); alerts
no scenario can exercise on one machine are listed by name (`unexercised_alerts`).
"""

from dataclasses import dataclass
from enum import Enum

from o11y.alerts import service
from o11y.alerts.dependencies import postgres, redis
from o11y.model.catalog import Postgres, Redis, Service
from o11y.model.slo import AvailabilitySLO
from o11y.model.stack import Stack
from o11y.rules import alerts_by_file
from o11y.severity import Action
from o11y.slo import SLO_ALERT_LABEL, SLO_NAME_LABEL, slo_alerts


class Fault(Enum):
    DEPENDENCY_DOWN = "dependency down"
    CONNECTIONS_EXHAUSTED = "connections exhausted"
    HEALTH_FAILING = "health failing"
    ERROR_STORM = "error storm"
    LATENCY = "latency"
    PROCESS_KILLED = "process killed"


class Subject(Enum):
    SERVICE = "service"
    POSTGRES = "postgres"
    REDIS = "redis"


@dataclass(frozen=True)
class Scenario:
    name: str
    subject: Subject
    fault: Fault
    description: str


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("postgres-down", Subject.POSTGRES, Fault.DEPENDENCY_DOWN, "PostgreSQL stops"),
    Scenario("redis-down", Subject.REDIS, Fault.DEPENDENCY_DOWN, "Redis stops"),
    Scenario(
        "postgres-connections",
        Subject.POSTGRES,
        Fault.CONNECTIONS_EXHAUSTED,
        "idle clients hold almost every PostgreSQL connection",
    ),
    Scenario(
        "health-failing", Subject.SERVICE, Fault.HEALTH_FAILING, "the service's /health answers 503"
    ),
    Scenario("error-storm", Subject.SERVICE, Fault.ERROR_STORM, "every request answers 503"),
    Scenario(
        "latency", Subject.SERVICE, Fault.LATENCY, "every request takes 1.5x the p99 threshold"
    ),
    Scenario("process-killed", Subject.SERVICE, Fault.PROCESS_KILLED, "the service gets SIGKILL"),
)

# Requests per second the drill sends to each running service.
REQUESTS_PER_SECOND = 5.0
# Injected latency, as a multiple of the service's p99 threshold (ServiceLatencyP99High).
LATENCY_FACTOR = 1.5


def scenario(name: str) -> Scenario:
    for candidate in SCENARIOS:
        if candidate.name == name:
            return candidate
    known = ", ".join(s.name for s in SCENARIOS)
    raise KeyError(f"no scenario named '{name}' (known: {known})")


def drilled_service(stack: Stack, name: str | None) -> Service:
    """The service the service scenarios break: the one named, else the first catalog
    service with an availability SLO (its SLO pages are part of the drill)."""
    if name is not None:
        return stack.service(name)
    with_slo = [s for s in stack.services if any(isinstance(o, AvailabilitySLO) for o in s.slos)]
    return (with_slo or list(stack.services))[0]


def postgres_of(stack: Stack) -> Postgres | None:
    return next((d for d in stack.dependencies if isinstance(d, Postgres)), None)


def redis_of(stack: Stack) -> Redis | None:
    return next((d for d in stack.dependencies if isinstance(d, Redis)), None)


def _slo_page(stack: Stack, target: Service, kind: str) -> set[str]:
    """The page alert of the service's SLOs of this kind (availability or latency)."""
    kinds = {s.name for s in target.slos if (s.kind == kind)}
    return {
        a.name
        for a in slo_alerts(stack)
        if a.service == target.name
        and a.labels.get(SLO_NAME_LABEL) in kinds
        and a.labels.get(SLO_ALERT_LABEL) == Action.PAGE.value
    }


def expected_alerts(stack: Stack, chosen: Scenario, target: Service) -> frozenset[str]:
    """The alerts that must fire for `chosen` (the cause, and SLO pages it burns)."""
    by_fault: dict[tuple[Subject, Fault], set[str]] = {
        (Subject.POSTGRES, Fault.DEPENDENCY_DOWN): {postgres.POSTGRES_DOWN},
        (Subject.POSTGRES, Fault.CONNECTIONS_EXHAUSTED): {postgres.POSTGRES_CONNECTIONS},
        (Subject.REDIS, Fault.DEPENDENCY_DOWN): {redis.REDIS_DOWN},
        (Subject.SERVICE, Fault.HEALTH_FAILING): {service.PROBE_FAILING},
        (Subject.SERVICE, Fault.ERROR_STORM): {service.ERROR_RATE_CRITICAL}
        | _slo_page(stack, target, "availability"),
        (Subject.SERVICE, Fault.LATENCY): {service.LATENCY_P99_HIGH}
        | _slo_page(stack, target, "latency"),
        (Subject.SERVICE, Fault.PROCESS_KILLED): {service.SERVICE_DOWN},
    }
    return frozenset(by_fault[(chosen.subject, chosen.fault)])


def runnable(stack: Stack, chosen: Scenario) -> bool:
    """Whether the stack declares what the scenario breaks."""
    if chosen.subject is Subject.POSTGRES:
        return postgres_of(stack) is not None
    if chosen.subject is Subject.REDIS:
        return redis_of(stack) is not None
    return bool(stack.services)


# The alert areas (rule files) whose sources the drill runs: services, their SLOs, and
# PostgreSQL and Redis among the dependencies.
EXERCISED_FILES = ("services", "slo")
EXERCISED_DEPENDENCY_ALERTS = frozenset(
    {
        postgres.POSTGRES_DOWN,
        postgres.POSTGRES_CONNECTIONS,
        redis.REDIS_DOWN,
        redis.REDIS_REJECTED,
        redis.REDIS_CONNECTIONS,
    }
)


def unexercised_alerts(stack: Stack) -> tuple[str, ...]:
    """Alerts whose sources the drill cannot run here (Kafka, Loki, Tempo, Mimir, the OTel
    collectors, kube-state-metrics, partner APIs, public TLS endpoints, business counters),
    and the heartbeat aside."""
    names = set()
    for stem, definitions in alerts_by_file(stack).items():
        if stem in EXERCISED_FILES:
            continue
        names |= {
            d.name
            for d in definitions
            if not d.heartbeat and d.name not in EXERCISED_DEPENDENCY_ALERTS
        }
    return tuple(sorted(names))


def heartbeats(stack: Stack) -> frozenset[str]:
    return frozenset(d.name for ds in alerts_by_file(stack).values() for d in ds if d.heartbeat)
