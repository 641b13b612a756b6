"""Anomaly watches as declared: a band of some width, a side to watch, a priority of the
severity model."""

import pytest
from pydantic import ValidationError

from o11y.model.anomaly import AnomalyWatch

SIGN_UPS = {"name": "sign-ups", "title": "Sign-ups", "team": "core", "expr": "sum(rate(x[5m]))"}


def test_a_watch_flags_both_sides_of_a_three_sigma_band_by_default() -> None:
    watch = AnomalyWatch.model_validate(SIGN_UPS)
    assert (watch.direction, watch.sensitivity, watch.min_band_percent) == ("both", 3.0, 10.0)
    assert (watch.sustained, watch.priority) == ("30m", "P2")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sensitivity": 0}, "sensitivity"),
        ({"expr": ""}, "expr"),
        ({"direction": "down"}, "direction"),
        ({"min_band_percent": 120}, "min_band_percent"),
        ({"sustained": "half an hour"}, "sustained"),
        ({"priority": "P5"}, "priority"),
    ],
)
def test_a_watch_that_could_never_judge_a_metric_is_refused(
    change: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError, match=field):
        AnomalyWatch.model_validate({**SIGN_UPS, **change})
