"""The one final pass and the rendered rule files: labels, annotations, promtool check rules."""

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from o11y.alertdef import AlertDefinition
from o11y.model.alerting import Alerting, SeverityLabels
from o11y.model.stack import Stack
from o11y.rules import (
    HEARTBEAT_SEVERITY,
    INHIBITIONS,
    alert_rule,
    alerts_by_file,
    rule_files,
    rule_groups,
)
from o11y.severity import Priority

STEMS = [
    "anomalies",
    "business",
    "dependencies",
    "infrastructure",
    "observability",
    "services",
    "slo",
    "synthetics",
]


def _alert_rules(stack: Stack) -> list[dict[str, object]]:
    return [
        dict(rule)
        for groups in rule_groups(stack).values()
        for group in groups
        for rule in group["rules"]
        if "alert" in rule
    ]


def test_one_rule_file_per_area(dev_stack: Stack) -> None:
    assert list(rule_files(dev_stack)) == [f"prometheus/rules/{stem}.yaml" for stem in STEMS]


def test_the_catalog_has_more_than_20_alerts(dev_stack: Stack) -> None:
    names = {d.name for alerts in alerts_by_file(dev_stack).values() for d in alerts}
    assert len(names - {n for n in names if n.startswith("SLO")}) > 20


@pytest.mark.parametrize("stack_name", ["dev_stack", "prod_stack"])
def test_every_alert_has_the_cross_cutting_labels_and_annotations(
    stack_name: str, request: pytest.FixtureRequest
) -> None:
    stack: Stack = request.getfixturevalue(stack_name)
    base = stack.alerting.runbook_base_url
    for rule in _alert_rules(stack):
        labels = rule["labels"]
        annotations = rule["annotations"]
        assert isinstance(labels, dict) and isinstance(annotations, dict)
        assert {"severity", "team"} <= labels.keys(), rule["alert"]
        assert labels["team"] in {t.name for t in stack.teams}
        assert set(annotations) == {"summary", "description", "runbook_url"}
        assert annotations["runbook_url"] == f"{base}/{rule['alert']}.md"
        if rule["alert"] != "Watchdog":
            assert labels["priority"] in {"P0", "P1", "P2", "P3"}


def test_service_alerts_carry_the_service_label(dev_stack: Stack) -> None:
    for definition in alerts_by_file(dev_stack)["services"]:
        assert alert_rule(dev_stack, definition)["labels"]["service"] == definition.service


@pytest.mark.parametrize(
    ("priority", "severity"),
    [
        (Priority.P0, "sev-page"),
        (Priority.P1, "sev-page"),
        (Priority.P2, "sev-ticket"),
        (Priority.P3, "sev-notify"),
    ],
)
def test_severity_is_the_action_of_the_priority_named_by_the_stack(
    dev_stack: Stack, priority: Priority, severity: str
) -> None:
    labels = SeverityLabels(page="sev-page", ticket="sev-ticket", notify="sev-notify")
    stack = dev_stack.model_copy(update={"alerting": Alerting(severity_labels=labels)})
    definition = AlertDefinition(
        name="X",
        group="g",
        expr="vector(1)",
        for_="1m",
        priority=priority,
        team="ai",
        summary="s",
        description="d",
    )
    rule = alert_rule(stack, definition)
    assert rule["labels"] == {"priority": priority.value, "severity": severity, "team": "ai"}


def test_the_watchdog_has_severity_none_and_no_priority(dev_stack: Stack) -> None:
    (watchdog,) = [r for r in _alert_rules(dev_stack) if r["alert"] == "Watchdog"]
    assert watchdog["expr"] == "vector(1)"
    assert watchdog["labels"] == {"severity": HEARTBEAT_SEVERITY, "team": "platform"}


def test_inhibitions_name_existing_alerts_that_carry_the_equal_labels(dev_stack: Stack) -> None:
    rules: dict[str, list[dict[str, object]]] = {}
    for rule in _alert_rules(dev_stack):
        rules.setdefault(str(rule["alert"]), []).append(rule)
    for inhibition in INHIBITIONS:
        for name in (inhibition.source, *inhibition.targets):
            assert name in rules, name
            for rule in rules[name]:
                labels = rule["labels"]
                assert isinstance(labels, dict)
                assert set(inhibition.equal) <= labels.keys(), (name, inhibition.equal)


@pytest.mark.parametrize("stack_name", ["dev_stack", "prod_stack"])
def test_promtool_check_rules_accepts_every_rule_file(
    stack_name: str, request: pytest.FixtureRequest, promtool: str, tmp_path: Path
) -> None:
    stack: Stack = request.getfixturevalue(stack_name)
    paths = []
    for relative, text in rule_files(stack).items():
        path = tmp_path / Path(relative).name
        path.write_text(text, encoding="utf-8")
        assert yaml.safe_load(text)["groups"], relative
        paths.append(str(path))
    result = subprocess.run(
        [promtool, "check", "rules", *paths], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_platform_team_must_be_a_catalog_team(dev_stack: Stack) -> None:
    data = dev_stack.model_dump()
    data["alerting"]["platform_team"] = "nobody"
    with pytest.raises(
        ValueError, match=re.escape("alerting.platform_team: unknown team 'nobody'")
    ):
        Stack.model_validate(data)
