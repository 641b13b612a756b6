"""Anomaly alerts, proven by promtool on their own watches."""

from pathlib import Path

from o11y.alerts.anomalies import anomaly_alerts
from o11y.model.stack import Stack
from tests.o11y.promtool_proof import prove


def _stack(base: Stack) -> Stack:
    data = base.model_dump()
    data["anomalies"] = [
        {"name": f"m-{d}", "title": d, "team": "platform", "expr": "sum(x)", "direction": d}
        for d in ("drop", "rise", "both")
    ]
    return Stack.model_validate(data)


def test_one_alert_per_watch_with_its_sustained_time(dev_stack: Stack) -> None:
    alerts = [a.definition for a in anomaly_alerts(_stack(dev_stack))]
    assert [(d.name, d.labels, d.for_) for d in alerts] == [
        ("MetricAnomaly", {"anomaly": "m-drop"}, "30m"),
        ("MetricAnomaly", {"anomaly": "m-rise"}, "30m"),
        ("MetricAnomaly", {"anomaly": "m-both"}, "30m"),
    ]


def test_anomaly_alerts_fire_and_stay_silent_in_promtool(
    dev_stack: Stack, promtool: str, tmp_path: Path
) -> None:
    prove(promtool, _stack(dev_stack), anomaly_alerts(_stack(dev_stack)), tmp_path)
