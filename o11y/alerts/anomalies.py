"""Anomaly alerts: a watched metric outside its seasonal band for long enough (o11y/anomaly.py;
sudden drops, gradual degradation, unusual spikes), one per catalog watch.
Runbooks: o11y/alerts/runbooks/anomalies.py.
"""

from o11y.alertdef import AlertSpec, Owner
from o11y.anomaly import ANOMALY_LABEL, outside_band_expr
from o11y.model.anomaly import AnomalyWatch
from o11y.model.stack import Stack
from o11y.severity import Priority

GROUP = "anomalies"
ALERT = "MetricAnomaly"

ALERTS: tuple[AlertSpec[AnomalyWatch], ...] = (
    AlertSpec(
        ALERT,
        expr=outside_band_expr,
        for_=lambda watch: watch.sustained,
        priority=lambda watch: Priority(watch.priority),
        labels=lambda watch: {ANOMALY_LABEL: watch.name},
    ),
)


def subjects(stack: Stack) -> list[tuple[AnomalyWatch, Owner]]:
    """Every anomaly watch of the catalog, in order; the team it names owns it."""
    return [(watch, Owner(GROUP, watch.team, watch.service)) for watch in stack.anomalies]
