"""`render` (cli/render.py): every artifact as files, only its own files replaced, no secret written."""

import json
from collections import Counter
from pathlib import Path

import yaml

from benchmarks.catalogs import write_stack_file
from tests.cli.run import ROOT, command
from tests.trees import dig


def test_render_writes_every_kind_of_artifact(tmp_path: Path) -> None:
    done = command("render", "--stack", "dev", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert list((tmp_path / "prometheus" / "rules").glob("*.yaml"))
    assert (tmp_path / "alertmanager" / "alertmanager.yaml").is_file()
    assert list((tmp_path / "grafana" / "dashboards").glob("*.json"))
    assert list((tmp_path / "helm").glob("*.values.yaml"))
    assert list((tmp_path / "runbooks").glob("*.md"))
    assert json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))


def test_render_refuses_a_non_empty_directory_it_did_not_write(tmp_path: Path) -> None:
    notes = tmp_path / "prometheus" / "notes.md"
    notes.parent.mkdir()
    notes.write_text("mine", encoding="utf-8")
    done = command("render", "--stack", "dev", "--out", str(tmp_path))
    assert done.returncode == 2
    assert "is not empty and was not written by `render`" in done.stderr
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "prometheus",
        "prometheus/notes.md",
    ]


def test_render_again_replaces_only_its_own_files_and_says_what_it_removed(
    tmp_path: Path,
) -> None:
    assert command("render", "--stack", "dev", "--out", str(tmp_path)).returncode == 0
    listing = tmp_path / ".o11y-rendered"
    assert "alertmanager/alertmanager.yaml" in listing.read_text(encoding="utf-8").splitlines()
    # A file of the user's next to the generated ones, and one an older render wrote.
    mine = tmp_path / "grafana" / "dashboards" / "mine.json"
    mine.write_text("{}", encoding="utf-8")
    stale = tmp_path / "grafana" / "retired" / "old.json"
    stale.parent.mkdir()
    stale.write_text("{}", encoding="utf-8")
    with listing.open("a", encoding="utf-8") as f:
        f.write("grafana/retired/old.json\n../outside.txt\n")
    outside = tmp_path.parent / "outside.txt"
    outside.write_text("not render's", encoding="utf-8")
    rules = tmp_path / "alertmanager" / "alertmanager.yaml"
    rules.write_text("edited", encoding="utf-8")

    done = command("render", "--stack", "dev", "--out", str(tmp_path))

    assert done.returncode == 0, done.stderr
    assert "removed 1 file(s) the previous render wrote" in done.stdout
    assert "  grafana/retired/old.json" in done.stdout
    assert not stale.parent.exists()
    assert mine.read_text(encoding="utf-8") == "{}"
    assert outside.read_text(encoding="utf-8") == "not render's"
    assert rules.read_text(encoding="utf-8") != "edited"


def test_render_never_overwrites_a_file_it_did_not_write(tmp_path: Path) -> None:
    assert command("render", "--stack", "dev", "--out", str(tmp_path)).returncode == 0
    listing = tmp_path / ".o11y-rendered"
    kept = [
        line
        for line in listing.read_text(encoding="utf-8").splitlines()
        if line != "alertmanager/alertmanager.yaml"
    ]
    listing.write_text("\n".join(kept) + "\n", encoding="utf-8")
    config = tmp_path / "alertmanager" / "alertmanager.yaml"
    config.write_text("hand-written", encoding="utf-8")

    done = command("render", "--stack", "dev", "--out", str(tmp_path))

    assert done.returncode == 2
    assert "alertmanager/alertmanager.yaml" in done.stderr
    assert config.read_text(encoding="utf-8") == "hand-written"


def test_render_never_writes_a_secret_value(tmp_path: Path) -> None:
    config = tmp_path / "Pulumi.dev.yaml"
    secret = "pd-token-that-must-not-leak"
    text = (ROOT / "Pulumi.dev.yaml").read_text(encoding="utf-8")
    config.write_text(
        text + f"  o11y:secrets:\n    pagerduty_token:\n      secure: {secret}\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    done = command("render", "--stack", "dev", "--config-file", str(config), "--out", str(out))
    assert done.returncode == 0, done.stderr
    for path in out.rglob("*"):
        if path.is_file():
            assert secret not in path.read_text(encoding="utf-8"), path


def test_a_third_stack_renders_from_its_own_stack_file(tmp_path: Path) -> None:
    config = tmp_path / "Pulumi.qa.yaml"
    config.write_text(
        "config:\n"
        '  pulumi:disable-default-providers: ["*"]\n'
        "  o11y:profile: development\n"
        "  o11y:kubernetes: {context: qa-cluster, namespace: observability}\n"
        "  o11y:grafana: {url: http://grafana.observability.svc}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    done = command("render", "--stack", "qa", "--config-file", str(config), "--out", str(out))
    assert done.returncode == 0, done.stderr
    values = yaml.safe_load(
        (out / "helm" / "kube-prometheus-stack.values.yaml").read_text(encoding="utf-8")
    )
    assert dig(values, "prometheus", "prometheusSpec", "externalLabels") == {"environment": "qa"}
    rows = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert {row["parent"] for row in rows} - {row["name"] for row in rows} == {"o11y-qa"}


def test_a_generated_catalog_plans_and_renders_every_object_it_applies(tmp_path: Path) -> None:
    # 1,000 services take minutes under mocks; tests/o11y/test_manifests.py renders and sizes
    # the objects of 1,000 without the program.
    config = write_stack_file(tmp_path, "generated", 40)
    out = tmp_path / "out"
    done = command(
        "render", "--stack", "generated", "--config-file", str(config), "--out", str(out)
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    planned = sorted(
        row["name"].removeprefix("o11y-alerting-")
        for row in rows
        if row["type"] == "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
    )
    files = sorted(p.stem for p in (out / "kubernetes" / "prometheusrules").glob("*.yaml"))
    assert planned == files
    # SLOs and service alerts per service, one per data store, infrastructure, observability.
    assert len(files) == 2 * 40 + 4 + 2
    planned_kinds = Counter(row["type"].rsplit(":", 1)[-1] for row in rows)
    assert planned_kinds["ServiceMonitor"] == 40 + 4  # services, exporters of 2 dbs and 2 caches
    assert planned_kinds["Probe"] == 40 + 1  # health of each service, and Grafana's
