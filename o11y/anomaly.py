"""Anomaly detection in plain PromQL: each watched metric against its own seasonal band.

The baseline is the metric's mean over the hour centred on the same time one week earlier,
which carries both its daily and its weekly shape (Monday 09:00 is compared with last Monday
09:00); the band's half-width is `sensitivity` standard deviations of that same hour, and at
least `min_band_percent` of the baseline. The metric is anomalous while it stays outside the
band for `sustained`. A week of history is needed before anything can be flagged.
"""

from o11y.model.anomaly import AnomalyWatch
from o11y.model.stack import Stack
from o11y.promrules import Rule, RuleGroup

ANOMALY_LABEL = "anomaly"
SIGNAL = "anomaly:signal"
BASELINE = "anomaly:signal:avg1h_last_week"
SPREAD = "anomaly:signal:stddev1h_last_week"
HALF_WIDTH = "anomaly:signal:band_half_width"
LOWER = "anomaly:signal:band_lower"
UPPER = "anomaly:signal:band_upper"
GROUP = "anomaly-detection-records"
# The hour centred on the same time a week ago: `[1h] offset (1w - 30m)`. In minutes, which
# every Prometheus version parses.
SEASON_WINDOW = "1h"
SEASON_OFFSET = f"{7 * 24 * 60 - 30}m"


def selected(record: str, watch: AnomalyWatch) -> str:
    return f'{record}{{{ANOMALY_LABEL}="{watch.name}"}}'


def _last_week(function: str, watch: AnomalyWatch) -> str:
    return f"{function}({selected(SIGNAL, watch)}[{SEASON_WINDOW}] offset {SEASON_OFFSET})"


def half_width_expr(watch: AnomalyWatch) -> str:
    """`sensitivity` spreads, or the floor share of the baseline when that is wider."""
    floor = f"{watch.min_band_percent / 100:g} * abs({selected(BASELINE, watch)})"
    return f"({watch.sensitivity:g} * {selected(SPREAD, watch)} > {floor}) or {floor}"


def watch_rules(watch: AnomalyWatch) -> list[Rule]:
    labels = {ANOMALY_LABEL: watch.name}
    exprs = (
        (SIGNAL, watch.expr),
        (BASELINE, _last_week("avg_over_time", watch)),
        (SPREAD, _last_week("stddev_over_time", watch)),
        (HALF_WIDTH, half_width_expr(watch)),
        (UPPER, f"{selected(BASELINE, watch)} + {selected(HALF_WIDTH, watch)}"),
        (LOWER, f"{selected(BASELINE, watch)} - {selected(HALF_WIDTH, watch)}"),
    )
    return [{"record": name, "expr": expr, "labels": dict(labels)} for name, expr in exprs]


def outside_band_expr(watch: AnomalyWatch) -> str:
    """The alert's condition: the metric under (drop) or over (rise) its band."""
    below = f"{selected(SIGNAL, watch)} < {selected(LOWER, watch)}"
    above = f"{selected(SIGNAL, watch)} > {selected(UPPER, watch)}"
    return {"drop": below, "rise": above, "both": f"{below} or {above}"}[watch.direction]


def recording_groups(stack: Stack) -> list[RuleGroup]:
    """One group: rules run in order, so each record reads the ones above it at the same time."""
    if not stack.anomalies:
        return []
    return [{"name": GROUP, "rules": [r for w in stack.anomalies for r in watch_rules(w)]}]
