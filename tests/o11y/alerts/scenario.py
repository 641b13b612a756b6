"""Proofs of alerts: input series under which an alert must fire, and under which it must not.

Each area's test module keeps a proof per alert name, built from the same subject as the
alert (thresholds, windows, buckets), so a new service or dependency is proven too.
`prove` runs them through the real promtool against the final rules (o11y/rules.py).
"""

import json
import re
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import yaml

from o11y.alertdef import AlertDefinition, Area, alert_definitions
from o11y.model.stack import Stack
from o11y.promrules import Rule
from o11y.rules import alert_rule

S = TypeVar("S")

# Every test samples its input series once a minute (promtool `interval`).
INTERVAL = "1m"


@dataclass(frozen=True)
class Series:
    """One input series in promtool's expanding notation (`0+60x30`: 0, 60, ..., 1800)."""

    series: str
    values: str


@dataclass(frozen=True)
class Case:
    """Input series and the time at which the alert is evaluated.

    `labels` are the labels the alert's expression yields (e.g. `service`, `instance`); the
    labels the final pass adds (severity, priority, team, ...) come from the rule itself.
    """

    title: str
    series: tuple[Series, ...]
    at: str
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Proof:
    """Every `fires` case fires the alert, no `silent` one does. Only a heartbeat (always
    firing by design) has no silent case."""

    fires: tuple[Case, ...]
    silent: tuple[Case, ...] = ()


# An area's proofs: alert name -> the proof for one subject.
Proofs = Mapping[str, Callable[[S], Proof]]


def area_proofs(
    area: Area[S], proofs: Proofs[S], stack: Stack
) -> list[tuple[AlertDefinition, Proof]]:
    """Every alert the area makes of `stack`, with its proof for the same subject."""
    missing = sorted({spec.name for spec in area.alerts} - set(proofs))
    assert not missing, f"alerts without a proof: {missing}"
    result: list[tuple[AlertDefinition, Proof]] = []
    for subject, owner in area.subjects(stack):
        definitions = alert_definitions(area.alerts, area.runbooks, subject, owner)
        result += [
            (d, proofs[spec.name](subject))
            for spec, d in zip(area.alerts, definitions, strict=True)
        ]
    return result


def series(metric: str, labels: Mapping[str, str], values: str) -> Series:
    """An input series `metric{labels}` with its values."""
    matchers = ",".join(f"{k}={json.dumps(v)}" for k, v in sorted(labels.items()))
    return Series(series=f"{metric}{{{matchers}}}", values=values)


def steady(value: float, minutes: int) -> str:
    """A gauge that holds `value` for `minutes`."""
    return f"{value:g}x{minutes}"


def counting(per_minute: float, minutes: int, start: float = 0) -> str:
    """A counter growing by `per_minute` every minute for `minutes`."""
    return f"{start:g}+{per_minute:g}x{minutes}"


def histogram(
    metric: str,
    labels: Mapping[str, str],
    buckets: Sequence[float],
    observed_le: float,
    per_minute: float,
    minutes: int,
) -> tuple[Series, ...]:
    """A histogram whose observations all land in the bucket with upper bound `observed_le`
    (`inf` for slower than every bucket), plus its `_count`."""
    bounds = [*sorted(buckets), float("inf")]
    result = [
        series(
            f"{metric}_bucket",
            {**labels, "le": "+Inf" if bound == float("inf") else f"{bound:g}"},
            counting(per_minute if bound >= observed_le else 0, minutes),
        )
        for bound in bounds
    ]
    result.append(series(f"{metric}_count", labels, counting(per_minute, minutes)))
    return tuple(result)


def slow_bucket(buckets: Sequence[float], threshold: float) -> float:
    """The bucket to put observations in so that any quantile is above `threshold`:
    histogram_quantile interpolates inside (lower, upper], so the lower bound must reach it."""
    ordered = sorted(buckets)
    lower = next((b for b in ordered if b >= threshold), None)
    if lower is None or (lower == ordered[-1] and lower == threshold):
        raise ValueError(f"no histogram bucket above {threshold:g}s: the alert can never fire")
    index = ordered.index(lower)
    return ordered[index + 1] if index + 1 < len(ordered) else float("inf")


def fast_bucket(buckets: Sequence[float], threshold: float) -> float:
    """The bucket to put observations in so that every quantile stays at or below `threshold`."""
    fitting = [b for b in sorted(buckets) if b <= threshold]
    if not fitting:
        raise ValueError(f"no histogram bucket at or below {threshold:g}s")
    return fitting[-1]


_LABEL_TEMPLATE = re.compile(r"\{\{ \$labels\.([a-zA-Z_][a-zA-Z0-9_]*) \}\}")


def rendered_annotations(rule: Rule, labels: Mapping[str, str]) -> dict[str, str]:
    """The annotations Prometheus renders for an alert with `labels`. Annotations only use
    `{{ $labels.<name> }}`, so the expected text is exact."""
    result: dict[str, str] = {}
    for key, text in rule.get("annotations", {}).items():
        value = _LABEL_TEMPLATE.sub(lambda m: labels.get(m.group(1), ""), text)
        if "{{" in value:
            raise ValueError(f"annotation {key} uses a template promtool tests cannot predict")
        result[key] = value
    return result


def promtool_test(rule: Rule, proof: Proof, rule_file: str) -> str:
    """A `promtool test rules` file: the rule (alone in `rule_file`) fires for every `fires`
    case with exactly the expected labels and annotations, and stays silent for the others."""
    name = rule["alert"]
    tests: list[object] = []
    for case in proof.fires:
        labels = {**case.labels, **rule.get("labels", {})}
        expected = {
            "exp_labels": labels,
            "exp_annotations": rendered_annotations(rule, {**labels, "alertname": name}),
        }
        tests.append(_test(f"{name} fires: {case.title}", case, name, [expected]))
    for case in proof.silent:
        tests.append(_test(f"{name} stays silent: {case.title}", case, name, []))
    document = {"rule_files": [rule_file], "evaluation_interval": INTERVAL, "tests": tests}
    return yaml.safe_dump(document, sort_keys=False, width=1000, allow_unicode=True)


def rule_group_file(rule: Rule) -> str:
    """A rule file holding only `rule`, so each test proves one alert in isolation."""
    return yaml.safe_dump(
        {"groups": [{"name": "under-test", "rules": [rule]}]}, sort_keys=False, width=1000
    )


def _test(title: str, case: Case, alertname: str, expected: list[object]) -> dict[str, object]:
    return {
        "name": title,
        "interval": INTERVAL,
        "input_series": [{"series": s.series, "values": s.values} for s in case.series],
        "alert_rule_test": [{"eval_time": case.at, "alertname": alertname, "exp_alerts": expected}],
    }


def prove(
    promtool: str, stack: Stack, proven: Sequence[tuple[AlertDefinition, Proof]], directory: Path
) -> None:
    """Every alert fires in its firing cases (exact labels and annotations) and stays silent
    in its silent ones, each rule alone in its file, evaluated by one promtool run."""
    assert proven, "no alerts to prove"
    tests: list[str] = []
    for i, (definition, proof) in enumerate(proven):
        rule = alert_rule(stack, definition)
        rules_name, test_name = f"rules-{i:03}.yaml", f"test-{i:03}.yaml"
        (directory / rules_name).write_text(rule_group_file(rule), encoding="utf-8")
        (directory / test_name).write_text(promtool_test(rule, proof, rules_name), encoding="utf-8")
        tests.append(test_name)
    result = subprocess.run(
        [promtool, "test", "rules", *tests],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
