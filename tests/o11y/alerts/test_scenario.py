"""The promtool proof itself: it fails for an alert that does not do what its proof says."""

from pathlib import Path

import pytest

from o11y.alertdef import AlertDefinition
from o11y.model.stack import Stack
from o11y.severity import Priority
from tests.o11y.alerts.scenario import Case, Proof, histogram, prove, series, slow_bucket, steady

NEVER_FIRES = AlertDefinition(
    name="NeverFires",
    group="g",
    expr='up{job="x"} > 1',
    for_="1m",
    priority=Priority.P3,
    team="ai",
    summary="s",
    description="d",
)
UP = series("up", {"job": "x"}, steady(1, 10))


def test_the_proof_fails_for_an_alert_that_cannot_fire(
    dev_stack: Stack, promtool: str, tmp_path: Path
) -> None:
    proof = Proof(fires=(Case("up is 1", (UP,), "5m", {"job": "x"}),))
    with pytest.raises(AssertionError, match="NeverFires"):
        prove(promtool, dev_stack, [(NEVER_FIRES, proof)], tmp_path)


def test_the_proof_fails_for_an_alert_that_fires_when_it_should_stay_silent(
    dev_stack: Stack, promtool: str, tmp_path: Path
) -> None:
    always = AlertDefinition(**{**NEVER_FIRES.__dict__, "name": "AlwaysFires", "expr": "up == 1"})
    proof = Proof(
        fires=(Case("up is 1", (UP,), "5m", {"job": "x"}),), silent=(Case("up", (UP,), "5m"),)
    )
    with pytest.raises(AssertionError, match="AlwaysFires"):
        prove(promtool, dev_stack, [(always, proof)], tmp_path)


def test_a_slow_bucket_puts_every_quantile_above_the_threshold() -> None:
    # histogram_quantile interpolates inside (lower, upper]: the lower bound must reach it.
    assert slow_bucket((0.1, 0.5, 1.0), 0.5) == 1.0
    assert slow_bucket((0.1, 0.5, 1.0), 0.7) == float("inf")
    for threshold in (1.0, 2.0):
        with pytest.raises(ValueError, match="can never fire"):
            slow_bucket((0.1, 0.5, 1.0), threshold)


def test_a_histogram_counts_every_observation_in_its_bucket_and_above() -> None:
    buckets = histogram("d", {"s": "a"}, (0.1, 1.0), 1.0, 60, 5)
    values = {b.series: b.values for b in buckets}
    assert values['d_bucket{le="0.1",s="a"}'] == "0+0x5"
    assert values['d_bucket{le="1",s="a"}'] == "0+60x5"
    assert values['d_bucket{le="+Inf",s="a"}'] == "0+60x5"
    assert values['d_count{s="a"}'] == "0+60x5"
