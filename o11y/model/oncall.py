"""On-call settings: PagerDuty shape and Alertmanager notification timing."""

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator

from o11y.model.catalog import Member
from o11y.model.pagerduty_time_zones import PAGERDUTY_TIME_ZONES
from o11y.model.types import STRICT, Count, Duration


class NotificationTiming(BaseModel):
    model_config = STRICT
    group_wait: Duration
    group_interval: Duration
    repeat_interval: Duration


class Escalation(BaseModel):
    """On-call engineer at once, engineering lead at 15 min, head of engineering at 30."""

    model_config = STRICT
    lead_after_minutes: Count = 15
    head_after_minutes: Count = 15
    loops: int = Field(default=2, ge=0, le=9)


# The bounds terraform-provider-pagerduty (v3.32) puts on a schedule layer, so a stack the model
# accepts is one the provider accepts: `rotation_turn_length_seconds` between 3600 s and 365 days
# (validation.IntBetween(3600, 365*24*3600)), a restriction's `duration_seconds` between 1 s and
# one second short of a week (validation.IntBetween(1, 7*24*3600-1)), and a daily restriction
# shorter than a day (the schedule resource's CustomizeDiff).
MAX_ROTATION_DAYS = 365
MAX_RESTRICTION_SECONDS = 7 * 86400 - 1
MAX_DAILY_RESTRICTION_SECONDS = 86400 - 1


def _time_of_day(value: str) -> str:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d:[0-5]\d", value):
        raise ValueError(f"must be a time of day from 00:00:00 to 23:59:59 (got '{value}')")
    return value


# HH:MM:SS, as PagerDuty takes a restriction's start (the provider's `00:00:00 format`).
TimeOfDay = Annotated[str, AfterValidator(_time_of_day)]


class Restriction(BaseModel):
    """When a schedule layer is on duty (PagerDuty layer restriction); none = around the clock.

    Times of day are in the schedule's time zone.
    """

    model_config = STRICT
    type: Literal["daily_restriction", "weekly_restriction"] = "daily_restriction"
    start_time_of_day: TimeOfDay
    duration_seconds: int = Field(ge=1, le=MAX_RESTRICTION_SECONDS)
    # 1 = Monday ... 7 = Sunday; weekly restrictions only.
    start_day_of_week: int | None = Field(default=None, ge=1, le=7)

    @model_validator(mode="after")
    def _fits_its_type(self) -> "Restriction":
        weekly = self.type == "weekly_restriction"
        if weekly != (self.start_day_of_week is not None):
            raise ValueError(
                "start_day_of_week is required by weekly and refused by daily restrictions"
            )
        if not weekly and self.duration_seconds > MAX_DAILY_RESTRICTION_SECONDS:
            raise ValueError(
                f"a daily restriction lasts at most {MAX_DAILY_RESTRICTION_SECONDS} seconds "
                f"(shorter than a day; got {self.duration_seconds})"
            )
        return self


def _pagerduty_time_zone(name: str) -> str:
    if name not in PAGERDUTY_TIME_ZONES:
        hint = " (PagerDuty spells it Etc/UTC)" if name.upper() in {"UTC", "GMT", "Z"} else ""
        raise ValueError(
            f"'{name}' is not a time zone PagerDuty takes{hint}; see "
            "https://developer.pagerduty.com/docs/1afe25e9c94cb-types#time-zone"
        )
    return name


PagerDutyTimeZone = Annotated[str, AfterValidator(_pagerduty_time_zone)]
# PagerDuty account region (the provider's service_region).
PagerDutyRegion = Literal["us", "eu"]


class PagerDuty(BaseModel):
    model_config = STRICT
    # One PagerDuty service per catalog service, or one per team.
    service_per: Literal["service", "team"] = "service"
    region: PagerDutyRegion = "us"
    # PagerDuty Teams (Business plan and up). Without them: no teams and team memberships; the
    # schedules and escalation policies belong to no team.
    teams: bool = True
    # The schedules' time zone; restriction times of day are in it.
    time_zone: PagerDutyTimeZone = "Etc/UTC"
    # RFC 3339 on a whole minute with an offset, as PagerDuty takes it.
    rotation_start: str = Field(
        default="2026-01-05T09:00:00Z",
        pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:00(Z|[+-]\d\d:\d\d)$",
    )
    # The primary on-call rotates weekly.
    rotation_days: int = Field(default=7, ge=1, le=MAX_ROTATION_DAYS)
    restrictions: list[Restriction] = Field(default_factory=list)
    head_of_engineering: Member | None = None
    escalation: Escalation = Escalation()
    auto_resolve_timeout_seconds: int | None = Field(default=14400, ge=60)
    acknowledgement_timeout_seconds: int | None = Field(default=1800, ge=60)
    # PagerDuty-side grouping of alerts into incidents (an AlertGroupingSetting per service).
    # "none" where the account lacks it: time-based grouping is part of PagerDuty's AIOps /
    # Event Intelligence on some plans. Alertmanager's own grouping applies either way.
    alert_grouping: Literal["time", "none"] = "time"
    alert_grouping_window_seconds: int = Field(default=300, ge=60, le=3600)

    @model_validator(mode="after")
    def _weekly_restrictions_fit_the_rotation(self) -> "PagerDuty":
        # A weekly restriction recurs every week; the hand-over must fall on a week boundary for
        # each person to take whole weeks of it.
        weekly = [r for r in self.restrictions if r.type == "weekly_restriction"]
        if weekly and self.rotation_days % 7:
            raise ValueError(
                "weekly restrictions need rotation_days to be a whole number of weeks "
                f"(got {self.rotation_days})"
            )
        return self


class OnCall(BaseModel):
    model_config = STRICT
    pagerduty: PagerDuty = PagerDuty()
    # Low-severity notifications are e-mailed only inside these hours (Mon-Fri).
    business_hours_start: str = Field(default="09:00", pattern=r"^\d\d:\d\d$")
    business_hours_end: str = Field(default="18:00", pattern=r"^\d\d:\d\d$")
    business_hours_time_zone: str = "UTC"
    email_from: str = "alertmanager@example.com"
    smtp_smarthost: str = "smtp.example.com:587"
    smtp_username: str = "alertmanager"
    # Where alerts without a known team go, so nothing is dropped silently.
    default_slack_channel: str = Field(default="#alerts-unrouted", pattern=r"^#[a-z0-9_-]+$")
    # The dead man's switch URL is the secret `secrets.dead_mans_switch_url`.
    heartbeat_interval: Duration = "1m"
    page: NotificationTiming = NotificationTiming(
        group_wait="30s", group_interval="5m", repeat_interval="4h"
    )
    ticket: NotificationTiming = NotificationTiming(
        group_wait="1m", group_interval="10m", repeat_interval="12h"
    )
    notify: NotificationTiming = NotificationTiming(
        group_wait="5m", group_interval="30m", repeat_interval="24h"
    )

    @model_validator(mode="before")
    @classmethod
    def _dead_mans_switch_is_a_secret(cls, data: object) -> object:
        if isinstance(data, dict) and "dead_mans_switch_url" in data:
            raise ValueError(
                "dead_mans_switch_url: is a secret (whoever holds it can silence the page that "
                "says alerting is dead); set it with pulumi config set --secret --path "
                "'secrets.dead_mans_switch_url' <url>"
            )
        return data
