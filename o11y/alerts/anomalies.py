"""Anomaly alerts: a watched metric outside its seasonal band for long enough (o11y/anomaly.py;
sudden drops, gradual degradation, unusual spikes)."""

from o11y.alertdef import AlertDefinition, TriageQuery
from o11y.alerts.scenario import Case, ProvenAlert, Series, series, steady
from o11y.anomaly import (
    ANOMALY_LABEL,
    BASELINE,
    LOWER,
    SIGNAL,
    UPPER,
    outside_band_expr,
    selected,
)
from o11y.model.anomaly import AnomalyWatch
from o11y.model.stack import Stack
from o11y.model.types import duration_seconds
from o11y.severity import Priority

GROUP = "anomalies"
ALERT = "MetricAnomaly"
_WORDS = {"drop": "under", "rise": "over", "both": "outside"}


def anomaly_alerts(stack: Stack) -> list[ProvenAlert]:
    return [_anomaly(watch) for watch in stack.anomalies]


def _anomaly(watch: AnomalyWatch) -> ProvenAlert:
    where = _WORDS[watch.direction]
    labels = {ANOMALY_LABEL: watch.name}
    definition = AlertDefinition(
        name=ALERT,
        group=GROUP,
        expr=outside_band_expr(watch),
        for_=watch.sustained,
        priority=Priority(watch.priority),
        team=watch.team,
        service=watch.service,
        labels=labels,
        summary=f"{watch.title} is {where} its usual range.",
        description=(
            f"{watch.title} has been {where} the band around its value at the same time last "
            f"week for {watch.sustained} ({watch.sensitivity:g} standard deviations, at least "
            f"{watch.min_band_percent:g}% of the baseline)."
        ),
        symptom=(
            "A watched metric left the band its own history predicts for this hour and weekday, "
            "and stayed out: a sudden drop, a slow drift or a surge no fixed threshold catches."
        ),
        impact=(
            "Often the first sign of a problem without an error: fewer successful checkouts, "
            "slower answers, a flood of sign-ups from a bot."
        ),
        triage=(
            TriageQuery("The metric now", selected(SIGNAL, watch)),
            TriageQuery("Its baseline (same hour last week)", selected(BASELINE, watch)),
            TriageQuery("Its band", f"{selected(LOWER, watch)} or {selected(UPPER, watch)}"),
            TriageQuery("The metric's own expression", watch.expr),
        ),
        causes=(
            "A release or configuration change (compare with the deployment times).",
            "A dependency or partner outage that degrades without failing requests.",
            "A real change in traffic (campaign, holiday) the last week did not have.",
        ),
        resolution=(
            "Compare with last week on the metric's dashboard; find the first moment it left "
            "the band and what changed then.",
            "If the new level is the new normal, it becomes the baseline a week later; silence "
            "the alert until then.",
        ),
        related=("ServiceErrorRateHigh", "ServiceLatencyP95High"),
    )
    minutes = duration_seconds(watch.sustained) // 60 + 10

    def band(signal: float) -> tuple[Series, ...]:
        return (
            series(SIGNAL, labels, steady(signal, minutes)),
            series(LOWER, labels, steady(90, minutes)),
            series(UPPER, labels, steady(110, minutes)),
        )

    at = f"{minutes}m"
    inside = Case("the metric stays inside its band", band(100), at)
    fires: tuple[Case, ...]
    silent: tuple[Case, ...]
    if watch.direction == "drop":
        fires = (Case("the metric drops under its band", band(50), at, labels),)
        silent = (inside, Case("the metric rises over its band", band(150), at))
    elif watch.direction == "rise":
        fires = (Case("the metric rises over its band", band(150), at, labels),)
        silent = (inside, Case("the metric drops under its band", band(50), at))
    else:
        fires = (
            Case("the metric drops under its band", band(50), at, labels),
            Case("the metric rises over its band", band(150), at, labels),
        )
        silent = (inside,)
    short = " ".join(["50"] * (minutes // 2) + ["100"] * (minutes - minutes // 2 + 1))
    brief = Case(
        "the metric leaves its band for less than the sustained time",
        (
            series(
                SIGNAL, labels, short if watch.direction != "rise" else short.replace("50", "150")
            ),
            series(LOWER, labels, steady(90, minutes)),
            series(UPPER, labels, steady(110, minutes)),
        ),
        # The last minute outside: a shorter `for` would fire here.
        f"{minutes // 2 - 1}m",
    )
    return ProvenAlert(definition, fires=lambda: fires, silent=lambda: (*silent, brief))
