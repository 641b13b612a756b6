"""PagerDuty schedule settings are refused exactly where the PagerDuty provider refuses them."""

import pytest

from tests.oncall_stacks import config_problems, stack_data

PD = "oncall.pagerduty"


def _daily(duration: int, start: str = "09:00:00") -> dict[str, object]:
    return {"start_time_of_day": start, "duration_seconds": duration}


def _weekly(duration: int, day: int = 1) -> dict[str, object]:
    return {
        "type": "weekly_restriction",
        "start_day_of_week": day,
        "start_time_of_day": "09:00:00",
        "duration_seconds": duration,
    }


CASES: list[tuple[str, dict[str, object], str | None]] = [
    ("a one-day turn is the shortest whole-day turn", {"rotation_days": 1}, None),
    (
        "a zero-day turn is refused",
        {"rotation_days": 0},
        f"{PD}.rotation_days: must be >= 1 (got 0)",
    ),
    ("a 365-day turn is the longest PagerDuty takes", {"rotation_days": 365}, None),
    (
        "a 366-day turn is refused",
        {"rotation_days": 366},
        f"{PD}.rotation_days: must be <= 365 (got 366)",
    ),
    ("a one-second daily restriction is taken", {"restrictions": [_daily(1)]}, None),
    (
        "a zero-second restriction is refused",
        {"restrictions": [_daily(0)]},
        f"{PD}.restrictions[0].duration_seconds: must be >= 1 (got 0)",
    ),
    (
        "a daily restriction a second short of a day is taken",
        {"restrictions": [_daily(86399)]},
        None,
    ),
    (
        "a daily restriction of a whole day is refused",
        {"restrictions": [_daily(86400)]},
        f"{PD}.restrictions[0]: a daily restriction lasts at most 86399 seconds "
        "(shorter than a day; got 86400)",
    ),
    (
        "a weekly restriction a second short of a week is taken",
        {"restrictions": [_weekly(604799)]},
        None,
    ),
    (
        "a weekly restriction of a whole week is refused",
        {"restrictions": [_weekly(604800)]},
        f"{PD}.restrictions[0].duration_seconds: must be <= 604799 (got 604800)",
    ),
    ("Sunday is day 7", {"restrictions": [_weekly(3600, day=7)]}, None),
    (
        "there is no day 8",
        {"restrictions": [_weekly(3600, day=8)]},
        f"{PD}.restrictions[0].start_day_of_week: must be <= 7 (got 8)",
    ),
    (
        "there is no day 0",
        {"restrictions": [_weekly(3600, day=0)]},
        f"{PD}.restrictions[0].start_day_of_week: must be >= 1 (got 0)",
    ),
    (
        "a weekly restriction needs its day",
        {"restrictions": [{**_weekly(3600), "start_day_of_week": None}]},
        f"{PD}.restrictions[0]: start_day_of_week is required by weekly and refused by daily "
        "restrictions",
    ),
    ("23:59:59 is the last time of day", {"restrictions": [_daily(1, "23:59:59")]}, None),
    (
        "24:00:00 is not a time of day",
        {"restrictions": [_daily(1, "24:00:00")]},
        f"{PD}.restrictions[0].start_time_of_day: must be a time of day from 00:00:00 to "
        "23:59:59 (got '24:00:00')",
    ),
    (
        "09:60:00 is not a time of day",
        {"restrictions": [_daily(1, "09:60:00")]},
        f"{PD}.restrictions[0].start_time_of_day: must be a time of day from 00:00:00 to "
        "23:59:59 (got '09:60:00')",
    ),
    (
        "weekly restrictions fit a two-week turn",
        {"rotation_days": 14, "restrictions": [_weekly(3600)]},
        None,
    ),
    (
        "weekly restrictions do not fit a ten-day turn",
        {"rotation_days": 10, "restrictions": [_weekly(3600)]},
        f"{PD}: weekly restrictions need rotation_days to be a whole number of weeks (got 10)",
    ),
    ("Etc/UTC is PagerDuty's UTC", {"time_zone": "Etc/UTC"}, None),
    ("a listed zone is taken", {"time_zone": "Europe/Berlin"}, None),
    (
        "plain UTC is refused with PagerDuty's spelling",
        {"time_zone": "UTC"},
        f"{PD}.time_zone: 'UTC' is not a time zone PagerDuty takes (PagerDuty spells it "
        "Etc/UTC); see https://developer.pagerduty.com/docs/1afe25e9c94cb-types#time-zone",
    ),
    (
        "a zone PagerDuty does not list is refused",
        {"time_zone": "Europe/Andorra"},
        f"{PD}.time_zone: 'Europe/Andorra' is not a time zone PagerDuty takes; see "
        "https://developer.pagerduty.com/docs/1afe25e9c94cb-types#time-zone",
    ),
    ("Teams can be switched off", {"teams": False}, None),
    (
        "the Teams switch is a boolean",
        {"teams": "sometimes"},
        f"{PD}.teams: must be true or false (got 'sometimes')",
    ),
]


@pytest.mark.parametrize(
    ("settings", "problem"), [pytest.param(s, p, id=name) for name, s, p in CASES]
)
def test_pagerduty_settings(settings: dict[str, object], problem: str | None) -> None:
    assert config_problems(stack_data(settings)) == ([] if problem is None else [problem])
