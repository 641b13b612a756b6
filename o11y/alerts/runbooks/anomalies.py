"""Runbook of the anomaly alert (o11y/alerts/anomalies.py)."""

from o11y.alertdef import Runbook, Runbooks, TriageQuery
from o11y.alerts.anomalies import ALERT
from o11y.anomaly import BASELINE, LOWER, SIGNAL, UPPER, selected
from o11y.model.anomaly import AnomalyWatch

# Where the metric is, for each watched direction.
_WHERE = {"drop": "under", "rise": "over", "both": "outside"}


def _anomaly(watch: AnomalyWatch) -> Runbook:
    where = _WHERE[watch.direction]
    return Runbook(
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


RUNBOOKS: Runbooks[AnomalyWatch] = {ALERT: _anomaly}
