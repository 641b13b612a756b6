"""The service catalog: services, their owners, endpoints, SLOs and the dependencies they use.

A new service is monitored, probed, alerted on, dashboarded and paged for by adding one
`Service` entry here (stacks/catalog.yaml).
"""

from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from o11y.model.slo import SLO
from o11y.model.types import (
    STRICT,
    Duration,
    Email,
    LabelName,
    MetricName,
    Name,
    Percent,
    Port,
)

# The default histogram buckets of prom-client and prometheus_client, in seconds.
DEFAULT_BUCKETS: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class EndpointBudget(BaseModel):
    """A performance budget for one route: latency quantiles in seconds."""

    model_config = STRICT
    route: str = Field(min_length=1)
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "GET"
    p50_seconds: float = Field(gt=0)
    p95_seconds: float = Field(gt=0)
    p99_seconds: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> "EndpointBudget":
        if not self.p50_seconds <= self.p95_seconds <= self.p99_seconds:
            raise ValueError("budgets must satisfy p50_seconds <= p95_seconds <= p99_seconds")
        return self


class ServiceMetric(BaseModel):
    """A service-specific metric the service promises to expose, shown on its dashboard."""

    model_config = STRICT
    name: MetricName
    title: str
    unit: str = "short"
    # How to read it: `rate` for counters, `gauge` as is, `p95` for histograms.
    read_as: Literal["rate", "gauge", "p95"] = "rate"


class Service(BaseModel):
    """One monitored service. Metric names and labels follow the contract in docs/CONTRACT.md."""

    model_config = STRICT
    name: Name
    display_name: str
    team: Name
    namespace: Name
    port: Port
    port_name: Name = "http"
    # Pod/Service labels that select this service; default app.kubernetes.io/name=<name>.
    selector: dict[str, str] = Field(default_factory=dict)
    metrics_path: str = "/metrics"
    health_path: str = "/health"
    scrape_interval: Duration = "30s"
    # Histogram buckets the service exports for http_request_duration_seconds.
    latency_buckets: tuple[float, ...] = DEFAULT_BUCKETS
    # Alert thresholds: 5xx ratio in percent, latency in seconds.
    error_rate_page_percent: Percent = 5.0
    error_rate_ticket_percent: Percent = 1.0
    latency_p99_seconds: float = Field(default=2.0, gt=0)
    latency_p95_seconds: float = Field(default=0.5, gt=0)
    endpoints: list[EndpointBudget] = Field(default_factory=list)
    slos: list[SLO] = Field(default_factory=list)
    metrics: list[ServiceMetric] = Field(default_factory=list)
    # Dependencies this service uses, by name (see `dependencies`).
    uses: list[Name] = Field(default_factory=list)

    @property
    def pod_selector(self) -> dict[str, str]:
        return self.selector or {"app.kubernetes.io/name": self.name}

    @model_validator(mode="after")
    def _unique_slos(self) -> "Service":
        names = [slo.name for slo in self.slos]
        for name in sorted({n for n in names if names.count(n) > 1}):
            raise ValueError(f"SLO name '{name}' is used more than once")
        for slo in self.slos:
            if slo.kind == "latency" and slo.threshold_seconds not in self.latency_buckets:
                raise ValueError(
                    f"latency SLO '{slo.name}': no histogram bucket le=\"{slo.threshold_seconds:g}\""
                    f" in latency_buckets {list(self.latency_buckets)}; the SLI needs a bucket"
                    " boundary at the threshold"
                )
        return self


class Postgres(BaseModel):
    model_config = STRICT
    kind: Literal["postgres"]
    name: Name
    # host:port/database the exporter connects to; the password comes from a secret.
    host: str
    port: Port = 5432
    database: str = "postgres"
    user: str = "postgres_exporter"
    max_connections_percent: Percent = 80.0


class Redis(BaseModel):
    model_config = STRICT
    kind: Literal["redis"]
    name: Name
    host: str
    port: Port = 6379


class Kafka(BaseModel):
    model_config = STRICT
    kind: Literal["kafka"]
    name: Name
    brokers: list[str] = Field(min_length=1)
    # Consumer groups whose lag matters, with the lag that pages.
    consumer_groups: list[str] = Field(default_factory=list)
    max_lag: int = Field(default=1000, ge=1)


class PartnerApi(BaseModel):
    """A third-party API called by a service (e.g. a bank's API)."""

    model_config = STRICT
    kind: Literal["partner_api"]
    name: Name
    # Value of the `partner` label on the caller's outgoing-request metrics.
    partner_label: str
    error_rate_percent: Percent = 10.0


Dependency = Annotated[Postgres | Redis | Kafka | PartnerApi, Field(discriminator="kind")]


# A person's role on their PagerDuty team. Everyone here is paged and must acknowledge and resolve
# incidents, which PagerDuty's observer role cannot do, so only the two on-call roles are offered.
TeamRole = Literal["responder", "manager"]

# PagerDuty takes at most 20 members in a schedule rotation (pagerduty_schedulev2
# `assignment_strategy.member`, "Maximum 20 members").
MAX_ROTATION_MEMBERS = 20


class Member(BaseModel):
    model_config = STRICT
    name: str
    email: Email
    role: TeamRole = "responder"


class Team(BaseModel):
    """An owning team: who is on call, where its notifications go."""

    model_config = STRICT
    name: Name
    display_name: str
    slack_channel: str = Field(pattern=r"^#[a-z0-9_-]+$")
    email: Email
    # Weekly rotating primary on-call, in rotation order.
    rotation: list[Member] = Field(min_length=1, max_length=MAX_ROTATION_MEMBERS)
    # Secondary on-call and escalation level 2.
    lead: Member


class TlsEndpoint(BaseModel):
    """An HTTPS endpoint whose certificate expiry is probed."""

    model_config = STRICT
    name: Name
    url: str = Field(pattern=r"^https://[^\s]+$")
    team: Name


class BusinessMetric(BaseModel):
    """A KPI a service exports for a business domain (revenue, messages sent, generations)."""

    model_config = STRICT
    name: MetricName
    title: str
    service: Name
    unit: str = "short"
    # `rate` per second over time, `increase` totals over the dashboard's range, `gauge` as is,
    # `p95` for histograms.
    read_as: Literal["rate", "increase", "gauge", "p95"] = "rate"
    # A bounded label to split it by (plan, reason, channel); one series per value.
    by: LabelName | None = None


class FunnelStage(BaseModel):
    """One step of a funnel: a counter of everything that reached it."""

    model_config = STRICT
    title: str
    metric: MetricName


class BusinessFunnel(BaseModel):
    """Steps a customer goes through, in order (cart viewed -> checkout -> paid), each counted by
    the service; the dashboard shows how many reach each step out of those who entered."""

    model_config = STRICT
    title: str
    service: Name
    stages: list[FunnelStage] = Field(min_length=2)


class BusinessDomain(BaseModel):
    """A business domain with its own dashboard: its KPIs, the failure-rate rules whose
    counters start with `<name>_` (billing_checkout_attempts_total), and the p95 of the
    catalog endpoints under `route_prefix` against their budgets."""

    model_config = STRICT
    name: Name
    title: str
    route_prefix: str = ""
    kpis: list[BusinessMetric] = Field(default_factory=list)
    funnels: list[BusinessFunnel] = Field(default_factory=list)

    @property
    def metric_prefix(self) -> str:
        return f"{self.name.replace('-', '_')}_"
