"""`check` finds what is wrong in a rendered tree, with the real tools."""

from pathlib import Path

import pytest

from o11y.artifacts import render
from o11y.check import check_artifacts
from o11y.model.stack import Stack


@pytest.fixture
def rendered(dev_stack: Stack, tmp_path: Path) -> Path:
    for relative, text in render(dev_stack).items():
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return tmp_path


def test_a_clean_render_has_no_problems(rendered: Path, promtool: str, amtool: str) -> None:
    report = check_artifacts(rendered)
    assert report.problems == []
    assert len(report.lines) == 5


def test_broken_artifacts_are_each_reported(rendered: Path, promtool: str, amtool: str) -> None:
    rules = rendered / "prometheus" / "rules" / "services.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("sum by", "sum byy", 1), "utf-8")
    config = rendered / "alertmanager" / "alertmanager.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("receiver: default", "receiver: nobody", 1),
        "utf-8",
    )
    values = rendered / "helm" / "loki.values.yaml"
    values.write_text(values.read_text(encoding="utf-8") + "lokii: {}\n", "utf-8")
    monitors = rendered / "kubernetes" / "monitors.yaml"
    monitors.write_text(
        monitors.read_text(encoding="utf-8").replace("endpoints:", "endpointz:", 1), "utf-8"
    )
    problems = check_artifacts(rendered).problems
    assert any(p.startswith("promtool check rules") for p in problems), problems
    assert any(p.startswith("amtool check-config") for p in problems), problems
    assert any("lokii" in p for p in problems), problems
    assert any("endpointz" in p for p in problems), problems
