"""Two-week synthetic series for the anomaly rules, replayed by the real promtool.

Week one is history; week two is judged. Every series has a daily shape, a quieter weekend,
week-over-week growth and seeded noise; the anomalous ones add a sudden drop, a slow drift or
a spike in week two. promtool evaluates the generated recording and alerting rules every five
minutes over both weeks; the firing times are read back from its `ALERTS` series.
"""

import math
import random
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from o11y.alerts.anomalies import ALERT
from o11y.alerts.areas import ANOMALIES
from o11y.anomaly import recording_groups
from o11y.model.stack import Stack
from o11y.rules import alert_rule

STEP_MINUTES = 5
DAY = 24 * 60
WEEK = 7 * DAY
SPAN = 2 * WEEK  # minutes of input; t=0 is a Monday 00:00
METRIC = "scenario_value"


@dataclass(frozen=True)
class Shape:
    """A normal metric: level, daily swing (peak at `peak_hour`), weekend factor, noise."""

    level: float
    swing: float
    peak_hour: float
    weekend: float
    noise: float
    growth_per_week: float = 0.03

    def value(self, minute: int, rng: random.Random) -> float:
        hour = (minute % DAY) / 60
        daily = 1 + self.swing * math.cos(2 * math.pi * (hour - self.peak_hour) / 24)
        weekday = (minute // DAY) % 7
        weekly = self.weekend if weekday >= 5 else 1.0
        growth = 1 + self.growth_per_week * minute / WEEK
        return self.level * daily * weekly * growth * (1 + rng.gauss(0, self.noise))


# A success ratio barely moves; latency follows traffic a little; event creation a lot.
CHECKOUT_SUCCESS = Shape(
    level=0.975, swing=0.005, peak_hour=4, weekend=1.0, noise=0.003, growth_per_week=0
)
LATENCY = Shape(level=0.25, swing=0.2, peak_hour=14, weekend=0.9, noise=0.03)
EVENT_CREATION = Shape(level=2.0, swing=0.6, peak_hour=19, weekend=0.7, noise=0.06)


@dataclass(frozen=True)
class Anomaly:
    """What happens to the normal value from `start` (minutes) for `minutes` (None: to the end)."""

    title: str
    start: int
    minutes: int | None
    change: Callable[[float, int], float]  # (normal value, minutes since start) -> value

    def applies(self, minute: int) -> bool:
        return minute >= self.start and (self.minutes is None or minute < self.start + self.minutes)


@dataclass(frozen=True)
class Scenario:
    name: str
    shape: Shape
    direction: str
    anomaly: Anomaly | None
    seed: int
    min_band_percent: float = 10.0
    sustained: str = "30m"

    def values(self) -> list[float]:
        rng = random.Random(self.seed)
        result = []
        for minute in range(0, SPAN + 1, STEP_MINUTES):
            value = self.shape.value(minute, rng)
            if self.anomaly is not None and self.anomaly.applies(minute):
                value = self.anomaly.change(value, minute - self.anomaly.start)
            result.append(value)
        return result


# Thursday 14:00 of week two, three hours at 80% success.
SUDDEN_DROP = Anomaly(
    "checkout success falls to 80%", WEEK + 3 * DAY + 14 * 60, 180, lambda v, _: 0.80
)
# From Tuesday 00:00 of week two, latency grows by 0.5% an hour (12% a day) and stays.
SLOW_DRIFT = Anomaly(
    "latency grows 0.5% an hour", WEEK + DAY, None, lambda v, m: v * (1 + 0.005 * m / 60)
)
# Friday 20:00 of week two, event creation triples for 90 minutes.
SPIKE = Anomaly(
    "event creation triples for 90 minutes", WEEK + 4 * DAY + 20 * 60, 90, lambda v, _: v * 3
)

SCENARIOS: tuple[Scenario, ...] = (
    Scenario("checkout-normal", CHECKOUT_SUCCESS, "drop", None, 1, min_band_percent=5),
    Scenario("checkout-drop", CHECKOUT_SUCCESS, "drop", SUDDEN_DROP, 2, min_band_percent=5),
    Scenario("latency-normal", LATENCY, "rise", None, 3, sustained="1h"),
    Scenario("latency-drift", LATENCY, "rise", SLOW_DRIFT, 4, sustained="1h"),
    Scenario("events-normal", EVENT_CREATION, "rise", None, 5),
    Scenario("events-spike", EVENT_CREATION, "rise", SPIKE, 6),
)


@dataclass(frozen=True)
class Outcome:
    scenario: Scenario
    # Evaluations of week two (every five minutes) at which the alert was firing when it should
    # not have: outside the anomaly (and before it, for one that lasts to the end).
    false_firing: int
    judged: int
    # Minutes from the anomaly's start to the first firing evaluation; None if it never fired.
    detection_minutes: float | None

    @property
    def false_positive_rate(self) -> float:
        return self.false_firing / self.judged


def _watch(scenario: Scenario) -> dict[str, object]:
    return {
        "name": scenario.name,
        "title": scenario.name,
        "team": "platform",
        "direction": scenario.direction,
        "min_band_percent": scenario.min_band_percent,
        "sustained": scenario.sustained,
        "expr": f'max({METRIC}{{scenario="{scenario.name}"}})',
    }


def scenario_stack(base: Stack, scenario: Scenario) -> Stack:
    data = base.model_dump()
    data["anomalies"] = [_watch(scenario)]
    return Stack.model_validate(data)


def _firing(scenario: Scenario, window: int, end: int) -> str:
    """Firing evaluations in the `window` minutes before minute `end` (of the 2-week span)."""
    alerts = f'ALERTS{{alertname="{ALERT}",alertstate="firing",anomaly="{scenario.name}"}}'
    offset = f" offset {SPAN - end}m" if end < SPAN else ""
    return f"sum(sum_over_time({alerts}[{window}m]{offset})) or vector(0)"


def _queries(scenario: Scenario) -> list[str]:
    """[firing evaluations that are false, minute of the first firing at or after the onset]."""
    alerts = f'ALERTS{{alertname="{ALERT}",alertstate="firing",anomaly="{scenario.name}"}}'
    anomaly = scenario.anomaly
    if anomaly is None:
        false = _firing(scenario, WEEK, SPAN)
        first = "vector(-1)"
    else:
        before = _firing(scenario, anomaly.start - WEEK, anomaly.start)
        if anomaly.minutes is None:
            false = before
        else:
            # After the anomaly, the alert may take its band's hour to clear: judged from then.
            after_start = anomaly.start + anomaly.minutes + 60
            after = _firing(scenario, SPAN - after_start, SPAN)
            false = f"({before}) + ({after})"
        since = SPAN - anomaly.start
        first = (
            f"min(min_over_time(timestamp({alerts})[{since}m:{STEP_MINUTES}m])) / 60 or vector(-1)"
        )
    return [false, first]


def judged_evaluations(scenario: Scenario) -> int:
    anomaly = scenario.anomaly
    if anomaly is None:
        return WEEK // STEP_MINUTES
    before = (anomaly.start - WEEK) // STEP_MINUTES
    if anomaly.minutes is None:
        return before
    return before + (SPAN - (anomaly.start + anomaly.minutes + 60)) // STEP_MINUTES


_GOT = re.compile(r"got: \{[^}]*\} ([-+0-9.eE]+)")


def replay(promtool: str, base: Stack, scenario: Scenario, directory: Path) -> Outcome:
    """Runs the scenario's rules over its series in promtool and reads the outcome back."""
    stack = scenario_stack(base, scenario)
    rules = [*recording_groups(stack)]
    (definition,) = ANOMALIES(stack)
    rules.append({"name": "anomalies", "rules": [alert_rule(stack, definition)]})
    rule_path = directory / f"{scenario.name}.rules.yaml"
    rule_path.write_text(yaml.safe_dump({"groups": rules}, sort_keys=False), encoding="utf-8")
    values = " ".join(f"{v:.6g}" for v in scenario.values())
    # Each query expects nothing, so promtool prints what it got: that is the measurement.
    test = {
        "rule_files": [rule_path.name],
        "evaluation_interval": f"{STEP_MINUTES}m",
        "tests": [
            {
                "interval": f"{STEP_MINUTES}m",
                "input_series": [
                    {"series": f'{METRIC}{{scenario="{scenario.name}"}}', "values": values}
                ],
                "promql_expr_test": [
                    {"expr": query, "eval_time": f"{SPAN}m", "exp_samples": []}
                    for query in _queries(scenario)
                ],
            }
        ],
    }
    test_path = directory / f"{scenario.name}.test.yaml"
    test_path.write_text(yaml.safe_dump(test, sort_keys=False, width=100000), encoding="utf-8")
    done = subprocess.run(
        [promtool, "test", "rules", test_path.name],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    got = [float(v) for v in _GOT.findall(done.stdout + done.stderr)]
    if len(got) != 2:
        raise AssertionError(f"unexpected promtool output:\n{done.stdout}\n{done.stderr}")
    false, first = got
    anomaly = scenario.anomaly
    detection = None if first < 0 or anomaly is None else first - anomaly.start
    return Outcome(scenario, int(false), judged_evaluations(scenario), detection)
