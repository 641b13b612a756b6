"""The committed golden artifacts of the example stacks: `rendered/<stack>/` and `docs/runbooks/`.

`make golden` (python -m o11y.golden) rewrites them; tests/o11y/test_golden.py fails while
they differ from what the code renders, so a pull request shows every generated change.
"""

import sys
from pathlib import Path

from o11y.artifacts import render
from o11y.config import load_offline
from o11y.plan import PROJECT_ROOT, plan_json, plan_rows
from o11y.runbooks import runbook_files

EXAMPLE_STACKS = ("dev", "prod")
RENDERED = Path("rendered")
RUNBOOKS = Path("docs") / "runbooks"


def golden_files(root: Path = PROJECT_ROOT) -> dict[Path, str]:
    """Relative path -> text of every golden file."""
    files: dict[Path, str] = {}
    for name in EXAMPLE_STACKS:
        stack_file = root / f"Pulumi.{name}.yaml"
        stack = load_offline(stack_file, root)
        for relative, text in render(stack).items():
            if not relative.startswith("runbooks/"):  # one copy of the runbooks: docs/runbooks
                files[RENDERED / name / relative] = text
        files[RENDERED / name / "plan.json"] = plan_json(plan_rows(name, stack_file, stack))
    # prod has every alert dev has, and the Mimir ones: its runbooks are the published set.
    prod = load_offline(root / "Pulumi.prod.yaml", root)
    for relative, text in runbook_files(prod).items():
        files[RUNBOOKS / Path(relative).name] = text
    return files


def differences(root: Path = PROJECT_ROOT) -> list[str]:
    """Golden files that are missing, stale or no longer generated."""
    wanted = golden_files(root)
    on_disk = {
        path.relative_to(root)
        for directory in (RENDERED, RUNBOOKS)
        for path in (root / directory).rglob("*")
        if path.is_file()
    }
    problems = [f"{p}: not generated any more" for p in sorted(on_disk - wanted.keys())]
    for path, text in sorted(wanted.items()):
        target = root / path
        if not target.is_file():
            problems.append(f"{path}: missing")
        elif target.read_text(encoding="utf-8") != text:
            problems.append(f"{path}: stale")
    return problems


def write_golden(root: Path = PROJECT_ROOT) -> int:
    wanted = golden_files(root)
    for directory in (RENDERED, RUNBOOKS):
        for path in (root / directory).rglob("*"):
            if path.is_file() and path.relative_to(root) not in wanted:
                path.unlink()
    for path, text in wanted.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    return len(wanted)


if __name__ == "__main__":
    print(f"wrote {write_golden()} golden files under {RENDERED}/ and {RUNBOOKS}/")
    sys.exit(0)
