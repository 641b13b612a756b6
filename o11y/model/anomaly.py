"""Metrics watched for anomalies: each is judged against its own history (o11y/anomaly.py)."""

from typing import Literal

from pydantic import BaseModel, Field

from o11y.model.types import STRICT, Duration, Name, Percent


class AnomalyWatch(BaseModel):
    """One metric, as a PromQL expression, flagged when it leaves its seasonal band.

    `expr` is evaluated as it is and recorded once per rule evaluation: aggregate it to the
    series that matter (one series, or one per label you keep). `drop` flags values under the
    band (a success ratio), `rise` values over it (latency, a surge of sign-ups), `both` either.
    """

    model_config = STRICT
    name: Name
    title: str
    team: Name
    service: Name | None = None
    expr: str = Field(min_length=1)
    direction: Literal["drop", "rise", "both"] = "both"
    # How many standard deviations of last week's same hour make the band's half-width.
    sensitivity: float = Field(default=3.0, gt=0)
    # The band's half-width is at least this share of the baseline: a series that was
    # smooth last week would otherwise flag every wobble.
    min_band_percent: Percent = 10.0
    # How long the metric must stay outside the band before anyone is told.
    sustained: Duration = "30m"
    priority: str = Field(default="P2", pattern=r"^P[0-3]$")
