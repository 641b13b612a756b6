"""Anomaly rules: the band's records, and two weeks of synthetic series replayed by promtool."""

from pathlib import Path

import pytest

from o11y.anomaly import half_width_expr, outside_band_expr, recording_groups, watch_rules
from o11y.model.anomaly import AnomalyWatch
from o11y.model.stack import Stack
from tests.o11y.anomaly_scenarios import SCENARIOS, Scenario, replay, scenario_stack


def _watch(**changes: object) -> AnomalyWatch:
    fields: dict[str, object] = {
        "name": "signups",
        "title": "Sign-ups",
        "team": "platform",
        "expr": "sum(rate(signups_total[10m]))",
    }
    return AnomalyWatch.model_validate({**fields, **changes})


def test_the_baseline_is_the_hour_around_the_same_time_last_week() -> None:
    rules = {r["record"]: r["expr"] for r in watch_rules(_watch())}
    assert rules["anomaly:signal"] == "sum(rate(signups_total[10m]))"
    assert rules["anomaly:signal:avg1h_last_week"] == (
        'avg_over_time(anomaly:signal{anomaly="signups"}[1h] offset 10050m)'
    )
    assert rules["anomaly:signal:stddev1h_last_week"] == (
        'stddev_over_time(anomaly:signal{anomaly="signups"}[1h] offset 10050m)'
    )


def test_the_band_is_sensitivity_spreads_wide_but_never_narrower_than_its_floor() -> None:
    assert half_width_expr(_watch(sensitivity=4, min_band_percent=20)) == (
        '(4 * anomaly:signal:stddev1h_last_week{anomaly="signups"} > '
        '0.2 * abs(anomaly:signal:avg1h_last_week{anomaly="signups"})) or '
        '0.2 * abs(anomaly:signal:avg1h_last_week{anomaly="signups"})'
    )


@pytest.mark.parametrize(
    ("direction", "expr"),
    [
        (
            "drop",
            'anomaly:signal{anomaly="signups"} < anomaly:signal:band_lower{anomaly="signups"}',
        ),
        (
            "rise",
            'anomaly:signal{anomaly="signups"} > anomaly:signal:band_upper{anomaly="signups"}',
        ),
    ],
)
def test_the_direction_decides_which_side_of_the_band_counts(direction: str, expr: str) -> None:
    assert outside_band_expr(_watch(direction=direction)) == expr


def test_without_watched_metrics_there_are_no_records(dev_stack: Stack) -> None:
    assert recording_groups(dev_stack.model_copy(update={"anomalies": []})) == []


def test_watches_refer_to_catalog_teams(dev_stack: Stack) -> None:
    data = dev_stack.model_dump()
    data["anomalies"] = [{**_watch().model_dump(), "team": "nobody"}]
    with pytest.raises(ValueError, match=r"anomalies\[0\]\.team: unknown team 'nobody'"):
        Stack.model_validate(data)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_two_weeks_of_series_in_promtool(
    scenario: Scenario, dev_stack: Stack, promtool: str, tmp_path: Path
) -> None:
    """Silent on normal daily and weekly seasonality; a sudden drop and a spike are flagged
    once they last `sustained`, a drift of 12% a day within two days; never a false alarm."""
    outcome = replay(promtool, dev_stack, scenario, tmp_path)
    assert outcome.false_firing == 0
    if scenario.anomaly is None:
        assert outcome.detection_minutes is None
    elif scenario.anomaly.minutes is None:
        assert outcome.detection_minutes is not None
        assert outcome.detection_minutes <= 2 * 24 * 60
    else:
        sustained = int(
            scenario_stack(dev_stack, scenario).anomalies[0].sustained.removesuffix("m")
        )
        assert outcome.detection_minutes is not None
        assert sustained <= outcome.detection_minutes <= sustained + 15
