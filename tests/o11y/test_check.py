"""`check` finds what is wrong in a rendered tree, with the real tools."""

from pathlib import Path

import pytest
import yaml

from o11y.artifacts import render
from o11y.check import check_artifacts, check_charts
from o11y.config import stack_names
from o11y.helm import releases
from o11y.manifests import OBJECT_SIZE_LIMIT, object_size
from o11y.model.stack import Stack
from tests.conftest import ROOT, load_stack


def _render(stack: Stack, out: Path) -> Path:
    for relative, text in render(stack).items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return out


@pytest.fixture
def rendered(dev_stack: Stack, tmp_path: Path) -> Path:
    return _render(dev_stack, tmp_path)


def test_a_clean_render_has_no_problems(rendered: Path, promtool: str, amtool: str) -> None:
    report = check_artifacts(rendered)
    assert report.problems == []
    assert len(report.lines) == 6


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
    board = rendered / "grafana" / "dashboards" / "o11y-logs.json"
    board.write_text(
        board.read_text(encoding="utf-8").replace('"graphTooltip"', '"graphTooltipp"', 1), "utf-8"
    )
    problems = check_artifacts(rendered).problems
    assert "o11y-logs.json: .graphTooltipp: dropped by the schema" in problems, problems
    assert any(p.startswith("promtool check rules") for p in problems), problems
    assert any(p.startswith("amtool check-config") for p in problems), problems
    assert any("lokii" in p for p in problems), problems
    assert any("endpointz" in p for p in problems), problems


def test_a_release_whose_chart_is_missing_is_reported_not_verified(
    dev_stack: Stack, rendered: Path, tmp_path: Path, helm: str
) -> None:
    empty = tmp_path / "no-charts"
    empty.mkdir()
    report = check_charts(dev_stack, rendered, empty)
    assert len(report.problems) == len(releases(dev_stack))
    assert all("not verified" in p for p in report.problems), report.problems
    assert report.lines == []


@pytest.mark.parametrize("name", stack_names(ROOT))
def test_every_release_renders_with_its_pinned_chart_and_every_name_exists(
    name: str, tmp_path: Path, pinned_charts: Path, promtool: str, amtool: str
) -> None:
    stack = load_stack(name)
    out = _render(stack, tmp_path)
    report = check_charts(stack, out, pinned_charts)
    assert report.problems == []
    rendered_releases = [line.split(":")[0] for line in report.lines[:-1]]
    assert rendered_releases == [r.name for r in releases(stack)]
    assert report.lines[-1].startswith("references: every name")


def test_an_object_over_the_size_limit_fails_the_check_naming_it(rendered: Path) -> None:
    rule = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "o11y-huge", "namespace": "observability"},
        "spec": {
            "groups": [{"name": "huge", "rules": [{"record": "r", "expr": "1" + " + 1" * 140_000}]}]
        },
    }
    size = object_size(rule)
    assert size > OBJECT_SIZE_LIMIT
    huge = rendered / "kubernetes" / "prometheusrules" / "o11y-huge.yaml"
    huge.write_text(yaml.safe_dump(rule, width=1000), encoding="utf-8")
    # An object of exactly the limit is still accepted.
    secret: dict[str, object] = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "at-the-limit", "namespace": "observability"},
        "stringData": {"k": ""},
    }
    secret["stringData"] = {"k": "x" * (OBJECT_SIZE_LIMIT - object_size(secret))}
    assert object_size(secret) == OBJECT_SIZE_LIMIT
    at_limit = rendered / "kubernetes" / "at-the-limit.yaml"
    at_limit.write_text(yaml.safe_dump(secret, width=1000), encoding="utf-8")
    problems = check_artifacts(rendered).problems
    assert [p for p in problems if "bytes as JSON" in p] == [
        f"kubernetes/prometheusrules/o11y-huge.yaml: PrometheusRule o11y-huge is {size} bytes "
        f"as JSON, over the limit of {OBJECT_SIZE_LIMIT} bytes (512 KiB) per object"
    ]
