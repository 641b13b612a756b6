"""The committed golden artifacts match what the code renders (refresh: make golden)."""

import shutil
from pathlib import Path

from cli.golden import RUNBOOKS, differences, write_golden
from o11y.config import stack_names
from o11y.rules import alerts_by_file
from tests.conftest import load_stack

ROOT = Path(__file__).resolve().parents[2]


def test_committed_golden_artifacts_are_current() -> None:
    assert differences() == [], "golden artifacts are stale: run `make golden` and review the diff"


def test_a_changed_file_is_reported_stale(tmp_path: Path) -> None:
    for path in ROOT.glob("Pulumi.*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    shutil.copytree(ROOT / "stacks", tmp_path / "stacks")
    for directory in ("rendered", "docs"):
        shutil.copytree(ROOT / directory, tmp_path / directory)
    runbook = tmp_path / "docs" / "runbooks" / "ServiceDown.md"
    runbook.write_text("edited by hand\n", encoding="utf-8")
    (tmp_path / "rendered" / "dev" / "left-over.txt").write_text("x", encoding="utf-8")
    assert differences(tmp_path) == [
        "rendered/dev/left-over.txt: not generated any more",
        "docs/runbooks/ServiceDown.md: stale",
    ]


def test_make_runbooks_rewrites_the_published_runbooks_only(tmp_path: Path) -> None:
    for path in ROOT.glob("Pulumi.*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    shutil.copytree(ROOT / "stacks", tmp_path / "stacks")
    for directory in ("rendered", "docs"):
        shutil.copytree(ROOT / directory, tmp_path / directory)
    (tmp_path / "docs" / "runbooks" / "ServiceDown.md").write_text("edited\n", encoding="utf-8")
    (tmp_path / "docs" / "runbooks" / "Retired.md").write_text("old\n", encoding="utf-8")
    (tmp_path / "rendered" / "dev" / "plan.json").write_text("[]\n", encoding="utf-8")
    written = write_golden(tmp_path, only=RUNBOOKS)
    assert written == len(list((ROOT / "docs" / "runbooks").glob("*.md")))
    assert differences(tmp_path) == ["rendered/dev/plan.json: stale"]


def test_every_alert_of_every_example_stack_has_a_committed_runbook() -> None:
    committed = {path.stem for path in (ROOT / "docs" / "runbooks").glob("*.md")}
    for name in stack_names(ROOT):
        stack = load_stack(name)
        names = {d.name for alerts in alerts_by_file(stack).values() for d in alerts}
        assert names - committed == set()
