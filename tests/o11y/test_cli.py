"""The command line end to end: plan, render, check and bad input, as a user runs them."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def o11y(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "o11y", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def prod_plan() -> list[dict[str, str]]:
    done = o11y("plan", "--stack", "prod", "--json")
    assert done.returncode == 0, done.stderr
    rows: list[dict[str, str]] = json.loads(done.stdout)
    return rows


def test_plan_json_lists_type_name_and_parent(prod_plan: list[dict[str, str]]) -> None:
    assert prod_plan, "the prod plan is empty"
    assert all(set(row) == {"type", "name", "parent"} for row in prod_plan)
    names = {row["name"] for row in prod_plan}
    # Every parent is a resource of the plan or the stack itself.
    assert {row["parent"] for row in prod_plan} - names == {"o11y-prod"}


def test_plan_prints_a_tree_with_counts() -> None:
    done = o11y("plan", "--stack", "dev")
    assert done.returncode == 0, done.stderr
    assert "o11y:stack:ObservabilityStack  o11y" in done.stdout
    assert "resources" in done.stdout


def test_render_writes_every_kind_of_artifact(tmp_path: Path) -> None:
    done = o11y("render", "--stack", "dev", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert list((tmp_path / "prometheus" / "rules").glob("*.yaml"))
    assert (tmp_path / "alertmanager" / "alertmanager.yaml").is_file()
    assert list((tmp_path / "grafana" / "dashboards").glob("*.json"))
    assert list((tmp_path / "helm").glob("*.values.yaml"))
    assert list((tmp_path / "runbooks").glob("*.md"))
    assert json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))


def test_render_never_writes_a_secret_value(tmp_path: Path) -> None:
    config = tmp_path / "Pulumi.dev.yaml"
    secret = "pd-token-that-must-not-leak"
    text = (ROOT / "Pulumi.dev.yaml").read_text(encoding="utf-8")
    config.write_text(
        text + f"  o11y:secrets:\n    pagerduty_token:\n      secure: {secret}\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    done = o11y("render", "--stack", "dev", "--config-file", str(config), "--out", str(out))
    assert done.returncode == 0, done.stderr
    for path in out.rglob("*"):
        if path.is_file():
            assert secret not in path.read_text(encoding="utf-8"), path


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_check_passes_for_the_example_stacks(stack: str, promtool: str, amtool: str) -> None:
    done = o11y("check", "--stack", stack)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"OK: {stack} stack renders and validates" in done.stdout


def test_bad_config_gives_one_line_per_problem_and_no_traceback(tmp_path: Path) -> None:
    config = tmp_path / "Pulumi.bad.yaml"
    config.write_text(
        "config:\n"
        "  o11y:environment: prod\n"
        "  o11y:kubernetes: {context: c, namespace: Observability}\n"
        "  o11y:grafana: {url: not-a-url}\n"
        "  o11y:colour: blue\n",
        encoding="utf-8",
    )
    done = o11y("plan", "--stack", "prod", "--config-file", str(config))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert lines[0] == "error: invalid configuration"
    assert "  colour: unknown key" in lines
    assert any(
        line.startswith("  kubernetes.namespace: string should match pattern") for line in lines
    )
    assert any(line.startswith("  grafana.url: string should match pattern") for line in lines)


def test_a_missing_config_file_is_one_message(tmp_path: Path) -> None:
    done = o11y(
        "render",
        "--stack",
        "dev",
        "--config-file",
        str(tmp_path / "nope.yaml"),
        "--out",
        str(tmp_path),
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "cannot read" in done.stderr


def test_slo_converts_a_sloth_spec_into_a_rule_file(tmp_path: Path, promtool: str) -> None:
    out = tmp_path / "rules.yaml"
    spec = ROOT / "tests" / "fixtures" / "sloth" / "getting-started" / "spec.yml"
    done = o11y("slo", str(spec), "--out", str(out))
    assert done.returncode == 0, done.stderr
    checked = subprocess.run(
        [promtool, "check", "rules", str(out)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_slo_names_the_bad_key_of_a_spec(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yml"
    spec.write_text(
        'version: "prometheus/v1"\nservice: x\nslos:\n  - name: a\n    objective: 120\n'
        '    sli: {events: {error_query: "e[{{.window}}]", total_query: "t[{{.window}}]"}}\n',
        encoding="utf-8",
    )
    done = o11y("slo", str(spec), "--out", str(tmp_path / "rules.yaml"))
    assert done.returncode == 2
    assert f"  {spec}: slos[0].objective: must be < 100" in done.stderr.splitlines()
    assert "Traceback" not in done.stderr


def test_drill_names_an_unknown_scenario_and_the_known_ones() -> None:
    done = o11y("drill", "--stack", "dev", "--only", "flood")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    if "the drill needs" in done.stderr:  # binaries missing: that message comes first
        pytest.skip("the drill's binaries are not installed")
    assert done.stderr.startswith("error: no scenario named 'flood' (known: postgres-down, ")


def test_drill_says_which_binaries_are_missing_and_how_to_install_them(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "o11y", "drill", "--stack", "dev"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": str(tmp_path)},  # nothing installed
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "prometheus-alertmanager" in done.stderr
    assert "apt-get install -y --no-install-recommends" in done.stderr
    assert "redis-server" in done.stderr


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


@pytest.mark.tools
def test_an_interrupted_drill_stops_every_program_it_started(prometheus_bin: str) -> None:
    arguments = ["drill", "--stack", "dev", "--only", "redis-down", "--baseline", "0"]
    drill = subprocess.Popen(
        [sys.executable, "-m", "o11y", *arguments],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        started: set[int] = set()
        # Redis, its exporter, the blackbox exporter, Alertmanager and Prometheus.
        while len(started) < 5 and time.monotonic() < deadline:
            started = _children(drill.pid)
            time.sleep(0.5)
        assert len(started) >= 5, started
        drill.terminate()
        _, stderr = drill.communicate(timeout=60)
    finally:
        drill.kill()
    assert drill.returncode == 130, stderr
    assert "interrupted: every program the drill started is stopped" in stderr
    assert not [pid for pid in started if Path(f"/proc/{pid}").exists()]
