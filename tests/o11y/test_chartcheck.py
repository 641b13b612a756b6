"""The chart checker reads rendered values files back and reports what the chart rejects."""

from pathlib import Path

from o11y.chartcheck import values_problems
from o11y.helm import values_files
from tests.conftest import load_stack


def test_rendered_values_files_of_both_stacks_have_no_problems(tmp_path: Path) -> None:
    for env in ("dev", "prod"):
        for relative, text in values_files(load_stack(env)).items():
            path = tmp_path / env / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            assert values_problems(path) == [], relative


def test_a_typo_in_a_rendered_file_is_reported_with_the_file_name(tmp_path: Path) -> None:
    text = values_files(load_stack("dev"))["helm/tempo.values.yaml"]
    path = tmp_path / "tempo.values.yaml"
    path.write_text(text.replace("multitenancyEnabled", "multitenancyEnabeld"), encoding="utf-8")
    assert values_problems(path) == [
        "tempo.values.yaml: tempo.multitenancyEnabeld: not a key of tempo 2.2.4"
    ]


def test_a_file_without_the_chart_header_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "x.values.yaml"
    path.write_text("replicas: 1\n", encoding="utf-8")
    assert values_problems(path) == ["x.values.yaml: no `# chart: <name> <version>` header"]


def test_the_collector_schema_rejects_a_wrong_mode(tmp_path: Path) -> None:
    text = values_files(load_stack("dev"))["helm/otel-agent.values.yaml"]
    path = tmp_path / "otel-agent.values.yaml"
    path.write_text(text.replace("mode: daemonset", "mode: sidecar"), encoding="utf-8")
    problems = values_problems(path)
    assert len(problems) == 1 and problems[0].startswith("otel-agent.values.yaml: mode: 'sidecar'")
