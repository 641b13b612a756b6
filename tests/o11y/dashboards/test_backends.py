"""The observability backends dashboard: one row per backend the stack runs in pieces, and
panels that read what the alerts read, shown true by promtool on series of the tests' own."""

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from o11y.alerts.areas import TEMPO_INGEST
from o11y.alerts.tempo_ingest import TEMPO_COMPONENT_DOWN, component_targets
from o11y.dashboards import PLATFORM, finish
from o11y.dashboards.backends import dashboards
from o11y.model.stack import Stack
from tests.small_stacks import PROD, small_stack
from tests.trees import as_dict, dicts

PLATFORM_VALUES = as_dict(PROD["platform"])
EXTERNAL_KAFKA = {"bootstrap_server": "kafka.shared.svc:9092", "topic": "traces"}


def prod(**platform: object) -> Stack:
    return small_stack("prod", {"platform": {**PLATFORM_VALUES, **platform}})


def expressions(stack: Stack) -> dict[str, str]:
    """Panel title -> its first query, as Grafana reads the dashboard."""
    (spec,) = dashboards(stack)
    board = as_dict(json.loads(finish(spec, PLATFORM).json))
    return {
        str(panel["title"]): str(dicts(panel["targets"])[0]["expr"])
        for panel in dicts(board["panels"])
        if panel.get("targets")
    }


def test_a_development_stack_has_no_backends_dashboard() -> None:
    assert dashboards(small_stack("dev")) == []


def test_a_production_stack_shows_tempo_its_kafka_and_grafanas_database() -> None:
    (spec,) = dashboards(prod())
    assert [row.title for row in spec.rows] == ["Tempo", "Tempo's Kafka", "Grafana"]


def test_with_an_external_kafka_the_platform_shows_no_kafka_of_its_own() -> None:
    (spec,) = dashboards(prod(kafka=EXTERNAL_KAFKA))
    assert [row.title for row in spec.rows] == ["Tempo", "Grafana"]


def test_the_component_panels_select_the_targets_the_alert_pages_on() -> None:
    stack = prod()
    (down,) = [a for a in TEMPO_INGEST(stack) if a.name == TEMPO_COMPONENT_DOWN]
    assert component_targets(stack) in down.expr
    assert component_targets(stack) in expressions(stack)["Targets up by component"]


@pytest.mark.parametrize(
    "up, expected",
    [
        ({"distributor": "1", "querier": "1"}, 0),
        ({"distributor": "0", "querier": "1"}, 1),
        ({"distributor": "0", "querier": "0"}, 2),
    ],
    ids=["every component up", "one component down", "two components down"],
)
def test_the_down_component_count_shows_how_many_components_have_no_target_up(
    promtool: str, tmp_path: Path, up: dict[str, str], expected: int
) -> None:
    stack = prod()
    namespace = stack.kubernetes.namespace
    query = expressions(stack)["Components with no target up"]
    rules = tmp_path / "rules.yaml"
    rules.write_text(yaml.safe_dump({"groups": []}), encoding="utf-8")
    series = [
        {"series": f'up{{job="{namespace}/{component}", pod="{component}-0"}}', "values": f"{v}x5"}
        for component, v in up.items()
    ]
    check = {"expr": query, "eval_time": "2m", "exp_samples": [{"labels": "{}", "value": expected}]}
    tests = tmp_path / "tests.yaml"
    tests.write_text(
        yaml.safe_dump(
            {
                "rule_files": [str(rules)],
                "evaluation_interval": "1m",
                "tests": [{"interval": "1m", "input_series": series, "promql_expr_test": [check]}],
            }
        ),
        encoding="utf-8",
    )
    done = subprocess.run(
        [promtool, "test", "rules", str(tests)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
