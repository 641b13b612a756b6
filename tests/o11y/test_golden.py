"""The committed golden artifacts match what the code renders (refresh: make golden)."""

import shutil
from pathlib import Path

from o11y.golden import differences
from o11y.model.stack import Stack
from o11y.rules import alerts_by_file

ROOT = Path(__file__).resolve().parents[2]


def test_committed_golden_artifacts_are_current() -> None:
    assert differences() == [], "golden artifacts are stale: run `make golden` and review the diff"


def test_a_changed_file_is_reported_stale(tmp_path: Path) -> None:
    for name in ("Pulumi.dev.yaml", "Pulumi.prod.yaml"):
        shutil.copy(ROOT / name, tmp_path / name)
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


def test_every_alert_of_every_example_stack_has_a_committed_runbook(
    dev_stack: Stack, prod_stack: Stack
) -> None:
    committed = {path.stem for path in (ROOT / "docs" / "runbooks").glob("*.md")}
    for stack in (dev_stack, prod_stack):
        names = {d.name for alerts in alerts_by_file(stack).values() for d in alerts}
        assert names - committed == set()
