"""Anomaly alerts, proven by promtool on their own watches."""

from pathlib import Path

from o11y.alerts.anomalies import ALERT
from o11y.alerts.areas import ANOMALIES
from o11y.anomaly import ANOMALY_LABEL, LOWER, SIGNAL, UPPER
from o11y.model.anomaly import AnomalyWatch
from o11y.model.stack import Stack
from o11y.model.types import duration_seconds
from o11y.severity import Priority
from tests.o11y.alerts.scenario import (
    Case,
    Proof,
    Proofs,
    Series,
    area_proofs,
    prove,
    series,
    steady,
)

# Test input: a band from 90 to 110; a metric at 50 is under it, at 150 over it.
UNDER, INSIDE, OVER = 50, 100, 150
# Where a watch fires, by its direction; everywhere else outside the band it stays silent.
FIRES_AT = {"drop": (UNDER,), "rise": (OVER,), "both": (UNDER, OVER)}
_WHERE = {UNDER: "drops under", OVER: "rises over"}


def _anomaly(watch: AnomalyWatch) -> Proof:
    labels = {ANOMALY_LABEL: watch.name}
    minutes = duration_seconds(watch.sustained) // 60 + 10
    at = f"{minutes}m"

    def band(signal: str) -> tuple[Series, ...]:
        return (
            series(SIGNAL, labels, signal),
            series(LOWER, labels, steady(90, minutes)),
            series(UPPER, labels, steady(110, minutes)),
        )

    def case(value: int, expected: dict[str, str] | None) -> Case:
        title = f"the metric {_WHERE[value]} its band"
        return Case(title, band(steady(value, minutes)), at, expected or {})

    fires = FIRES_AT[watch.direction]
    outside = fires[0]
    # Outside for half the time, then back inside.
    brief = " ".join([f"{outside}"] * (minutes // 2) + [f"{INSIDE}"] * (minutes - minutes // 2 + 1))
    return Proof(
        fires=tuple(case(value, labels) for value in fires),
        silent=(
            Case("the metric stays inside its band", band(steady(INSIDE, minutes)), at),
            *(case(value, None) for value in (UNDER, OVER) if value not in fires),
            Case(
                "the metric leaves its band for less than the sustained time",
                band(brief),
                # The last minute outside: a shorter `for` would fire here.
                f"{minutes // 2 - 1}m",
            ),
        ),
    )


PROOFS: Proofs[AnomalyWatch] = {ALERT: _anomaly}


def _stack(base: Stack) -> Stack:
    data = base.model_dump()
    data["anomalies"] = [
        {"name": f"m-{d}", "title": d, "team": "platform", "expr": "sum(x)", "direction": d}
        for d in ("drop", "rise", "both")
    ]
    return Stack.model_validate(data)


def test_one_alert_per_watch_with_its_sustained_time(dev_stack: Stack) -> None:
    alerts = ANOMALIES(_stack(dev_stack))
    assert [(d.name, d.labels, d.for_) for d in alerts] == [
        ("MetricAnomaly", {"anomaly": "m-drop"}, "30m"),
        ("MetricAnomaly", {"anomaly": "m-rise"}, "30m"),
        ("MetricAnomaly", {"anomaly": "m-both"}, "30m"),
    ]
    assert {(d.group, d.team, d.priority) for d in alerts} == {
        ("anomalies", "platform", Priority.P2)
    }


def test_anomaly_alerts_fire_and_stay_silent_in_promtool(
    dev_stack: Stack, promtool: str, tmp_path: Path
) -> None:
    stack = _stack(dev_stack)
    prove(promtool, stack, area_proofs(ANOMALIES, PROOFS, stack), tmp_path)
