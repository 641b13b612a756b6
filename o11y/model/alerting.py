"""Alerting settings (severity labels, runbook location) and failure-rate rules on app metrics."""

from typing import Literal

from pydantic import BaseModel, Field

from o11y.model.types import STRICT, Duration, Name, Percent


class SeverityLabels(BaseModel):
    """The `severity` label value for each action (see o11y/severity.py)."""

    model_config = STRICT
    page: str = Field(default="critical", pattern=r"^[a-z][a-z0-9_-]*$")
    ticket: str = Field(default="high", pattern=r"^[a-z][a-z0-9_-]*$")
    notify: str = Field(default="warning", pattern=r"^[a-z][a-z0-9_-]*$")


class BusinessRule(BaseModel):
    """A failure-rate alert on an application counter pair (e.g. checkout, join, check-in)."""

    model_config = STRICT
    name: Name
    title: str
    service: Name
    # Counters: attempts and failures, as `rate()`-able metric selectors.
    total_metric: str
    failed_metric: str
    max_failure_percent: Percent = 5.0
    window: Duration = "5m"
    priority: str = Field(default="P2", pattern=r"^P[0-3]$")


class SecurityRule(BaseModel):
    """An alert on an application security counter.

    `any`: one event in `window` fires (unauthorized admin attempts > 0).
    `spike`: the rate over `window` exceeds `spike_factor` times the rate of the hour before
    and `min_per_second` (rate-limit breaches spike).
    """

    model_config = STRICT
    name: Name
    title: str
    service: Name
    # A counter, as a `rate()`-able metric selector.
    metric: str
    kind: Literal["any", "spike"]
    window: Duration = "5m"
    spike_factor: float = Field(default=3.0, gt=1)
    min_per_second: float = Field(default=0.1, ge=0)
    priority: str = Field(default="P1", pattern=r"^P[0-3]$")


class Alerting(BaseModel):
    model_config = STRICT
    # The team owning the observability stack; platform-wide alerts (nodes, data stores, the
    # stack itself) go to it.
    platform_team: Name = "platform"
    # Below this request rate (per second, over the alert window) rate-based service alerts
    # stay silent: 1 failure in 3 requests is not an outage (false positives stay under 5%).
    low_traffic_rps: float = Field(default=0.1, ge=0)
    # Series one service may expose (cardinality control); above it, its owners are told.
    max_series_per_service: int = Field(default=10000, ge=1)
    severity_labels: SeverityLabels = SeverityLabels()
    runbook_base_url: str = Field(
        default="https://github.com/example/o11y/blob/main/docs/runbooks",
        pattern=r"^https?://[^\s]+[^/]$",
    )
