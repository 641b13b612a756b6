"""Replay traffic scenarios against a rule file with `promtool test rules`.

Shared by tests/o11y/test_slo.py, tests/o11y/test_sloth.py and benchmarks/slo_detection.py.
A scenario is a list of traffic phases (minutes, good requests/min, bad requests/min); it is
written as promtool input series at a 1m scrape interval and evaluated every minute.

`observe` reads what a rule file does: it asks promtool for a deliberately impossible value
(IMPOSSIBLE) of each query at each time, so every check fails and promtool prints the value it got.
`expect` then asserts known values with a passing promtool run, which is the real test.
"""

import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from o11y.model.types import duration_seconds


@dataclass(frozen=True)
class Phase:
    minutes: int
    good_per_minute: float
    bad_per_minute: float


@dataclass(frozen=True)
class Scenario:
    name: str
    phases: tuple[Phase, ...]

    @property
    def minutes(self) -> int:
        return sum(p.minutes for p in self.phases)


def _number(value: float) -> str:
    """No exponents: promtool's series notation reads `1e+06+5x3` wrongly."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def counter_values(phases: Sequence[Phase], per_minute: Sequence[float]) -> str:
    """promtool expanding notation for a counter growing by `per_minute[i]` during phase i."""
    parts = []
    value = 0.0
    first = True
    for phase, step in zip(phases, per_minute, strict=True):
        if first:
            parts.append(f"{_number(value)}+{_number(step)}x{phase.minutes}")
            first = False
        else:
            parts.append(f"{_number(value + step)}+{_number(step)}x{phase.minutes - 1}")
        value += step * phase.minutes
    return " ".join(parts)


def http_series(
    scenario: Scenario, metric: str, labels: Mapping[str, str], error_code: str = "500"
) -> dict[str, str]:
    """A good (code=200) and a bad counter; the bad one only if the scenario has errors."""

    def selector(code: str) -> str:
        pairs = ",".join(f'{k}="{v}"' for k, v in {**labels, "code": code}.items())
        return f"{metric}{{{pairs}}}"

    series = {
        selector("200"): counter_values(
            scenario.phases, [p.good_per_minute for p in scenario.phases]
        )
    }
    if any(p.bad_per_minute for p in scenario.phases):
        bad = [p.bad_per_minute for p in scenario.phases]
        series[selector(error_code)] = counter_values(scenario.phases, bad)
    return series


# What `observe` asks for, so that every check fails and promtool prints the actual value.
IMPOSSIBLE = -123456789

_FAILURE = re.compile(
    r'expr: "(?P<expr>(?:[^"\\]|\\.)*)", time: (?P<time>\S+),\n\s+exp: .*\n\s+got: (?P<got>.*)'
)
_VALUE = re.compile(r"^\{\} (?P<value>\S+)$")


def file_order(rules: str) -> list[str]:
    """Group names in file order. promtool otherwise evaluates groups in map order, so an alert
    would read recordings of this minute or of the last one at random; file order puts every
    SLI recording before the alerts that read it."""
    loaded = yaml.safe_load(rules)
    document = loaded.get("spec", loaded)  # a PrometheusRule object or a plain rule file
    return [str(group["name"]) for group in document["groups"]]


def plain_rules(rules: str) -> str:
    """A plain rule file, also from a PrometheusRule object (Sloth's CRD output)."""
    loaded = yaml.safe_load(rules)
    if "spec" in loaded:
        return yaml.safe_dump({"groups": loaded["spec"]["groups"]}, sort_keys=False)
    return rules


def _run(
    promtool: str,
    directory: Path,
    rules: str,
    series: Mapping[str, str],
    tests: list[object],
    evaluation_interval: int,
    group_order: Sequence[str] | None = None,
) -> subprocess.CompletedProcess[str]:
    group = {
        "interval": "1m",
        "input_series": [{"series": s, "values": v} for s, v in series.items()],
        **({"promql_expr_test": tests} if tests else {}),
    }
    return _promtool_test(
        promtool, directory, plain_rules(rules), [group], evaluation_interval, group_order
    )


def _promtool_test(
    promtool: str,
    directory: Path,
    rules: str,
    tests: Sequence[object],
    evaluation_interval: int,
    group_order: Sequence[str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Write `rules` (a plain rule file) and a suite of these test groups into `directory`,
    and run `promtool test rules` on them (groups in file order unless `group_order`)."""
    (directory / "rules.yaml").write_text(rules, encoding="utf-8")
    suite = {
        "rule_files": ["rules.yaml"],
        "evaluation_interval": f"{evaluation_interval}m",
        "group_eval_order": list(group_order or file_order(rules)),
        "tests": list(tests),
    }
    (directory / "test.yaml").write_text(yaml.safe_dump(suite, sort_keys=False), encoding="utf-8")
    return subprocess.run(
        [promtool, "test", "rules", "test.yaml"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def count_query(matchers: Mapping[str, str]) -> str:
    """How many alerts with these labels are firing (0, never empty)."""
    inner = ", ".join(f'{k}="{v}"' for k, v in {"alertstate": "firing", **matchers}.items())
    return f"count(ALERTS{{{inner}}}) or vector(0)"


def observe(
    promtool: str,
    directory: Path,
    rules: str,
    series: Mapping[str, str],
    queries: Sequence[str],
    minutes: Sequence[int],
    evaluation_interval: int = 1,
    group_order: Sequence[str] | None = None,
) -> dict[tuple[str, int], float]:
    """The value of each scalar-like query (one label-less sample) at each minute.

    Rules run every `evaluation_interval` minutes; long scenarios use a coarse one because
    promtool's cost grows with (evaluations x samples in the 1d and 3d windows)."""
    tests: list[object] = [
        {"expr": q, "eval_time": f"{m}m", "exp_samples": [{"labels": "{}", "value": IMPOSSIBLE}]}
        for q in queries
        for m in minutes
    ]
    result = _run(promtool, directory, rules, series, tests, evaluation_interval, group_order)
    observed: dict[tuple[str, int], float] = {}
    for match in _FAILURE.finditer(result.stdout + result.stderr):
        expr = match["expr"].encode().decode("unicode_escape")
        value = _VALUE.match(match["got"].strip())
        if value is None:
            raise AssertionError(
                f"query {expr!r} did not return one label-less sample: {match['got']}"
            )
        observed[(expr, duration_seconds(match["time"]) // 60)] = float(value["value"])
    missing = [(q, m) for q in queries for m in minutes if (q, m) not in observed]
    if missing:
        raise AssertionError(
            f"promtool gave no value for {missing[:3]}:\n{result.stdout}{result.stderr}"
        )
    return observed


def expect(
    promtool: str,
    directory: Path,
    rules: str,
    series: Mapping[str, str],
    expected: Mapping[tuple[str, int], float],
    evaluation_interval: int = 1,
) -> None:
    """Assert the values with a promtool run that must pass."""
    tests: list[object] = [
        {"expr": q, "eval_time": f"{m}m", "exp_samples": [{"labels": "{}", "value": v}]}
        for (q, m), v in sorted(expected.items())
    ]
    result = _run(promtool, directory, rules, series, tests, evaluation_interval)
    assert result.returncode == 0, result.stdout + result.stderr


def run_suite(
    promtool: str,
    directory: Path,
    rules: str,
    tests: Sequence[Mapping[str, object]],
    evaluation_interval: int = 1,
    group_order: Sequence[str] | None = None,
) -> None:
    """Run generated promtool test groups (alert_rule_test with exact labels) that must pass."""
    result = _promtool_test(promtool, directory, rules, tests, evaluation_interval, group_order)
    assert result.returncode == 0, result.stdout + result.stderr
