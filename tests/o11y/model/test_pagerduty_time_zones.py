"""The time zones PagerDuty takes: real zones of the tz database, UTC spelled as PagerDuty
spells it."""

import zoneinfo

import pytest

from o11y.model.pagerduty_time_zones import PAGERDUTY_TIME_ZONES


def test_utc_is_spelled_etc_utc() -> None:
    assert "Etc/UTC" in PAGERDUTY_TIME_ZONES
    assert "UTC" not in PAGERDUTY_TIME_ZONES


def test_every_zone_is_a_zone_of_the_tz_database() -> None:
    known = zoneinfo.available_timezones()
    if not known:
        pytest.skip("no tz database on this machine (tzdata)")
    assert sorted(PAGERDUTY_TIME_ZONES - known) == []
