"""Runs the generated `promtool test rules` suite of one alert area (one promtool invocation)."""

import subprocess
from pathlib import Path

from o11y.alerts.scenario import ProvenAlert, promtool_test, rule_group_file
from o11y.model.stack import Stack
from o11y.rules import alert_rule


def write_suite(stack: Stack, proven: list[ProvenAlert], directory: Path) -> list[str]:
    """One rule file and one test file per alert; returns the test file names."""
    tests: list[str] = []
    for i, alert in enumerate(proven):
        rule = alert_rule(stack, alert.definition)
        rules_name, test_name = f"rules-{i:03}.yaml", f"test-{i:03}.yaml"
        (directory / rules_name).write_text(rule_group_file(rule), encoding="utf-8")
        (directory / test_name).write_text(promtool_test(rule, alert, rules_name), encoding="utf-8")
        tests.append(test_name)
    return tests


def prove(promtool: str, stack: Stack, proven: list[ProvenAlert], directory: Path) -> None:
    """Every alert fires in its firing cases (exact labels and annotations) and stays silent
    in its silent ones, evaluated by the real promtool."""
    assert proven, "no alerts to prove"
    tests = write_suite(stack, proven, directory)
    result = subprocess.run(
        [promtool, "test", "rules", *tests],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
