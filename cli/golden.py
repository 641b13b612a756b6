"""The committed golden artifacts of the example stacks: `rendered/<stack>/` for every
`Pulumi.<stack>.yaml`, and `docs/runbooks/`.

`make golden` (python -m cli.golden) rewrites them, `make runbooks` (python -m cli.golden
runbooks) only docs/runbooks; tests/cli/test_golden.py fails while they differ from what the
code renders, so a pull request shows every generated change.
"""

import sys
from pathlib import Path

from cli.offline import stack_plan
from o11y.artifacts import render
from o11y.config import read_offline, stack_file, stack_names
from o11y.plan import PROJECT_ROOT, plan_json
from o11y.runbooks import runbook_files

# The published runbooks (docs/runbooks) are this stack's: a production-profile stack has every
# alert a development one has, and the Mimir ones. A test checks they cover every stack's alerts.
RUNBOOK_STACK = "prod"
RENDERED = Path("rendered")
RUNBOOKS = Path("docs") / "runbooks"


def golden_files(root: Path = PROJECT_ROOT) -> dict[Path, str]:
    """Relative path -> text of every golden file."""
    files: dict[Path, str] = {}
    stacks = {name: read_offline(stack_file(root, name), root, name) for name in stack_names(root)}
    for name, offline in stacks.items():
        for relative, text in render(offline.stack).items():
            if not relative.startswith("runbooks/"):  # one copy of the runbooks: docs/runbooks
                files[RENDERED / name / relative] = text
        files[RENDERED / name / "plan.json"] = plan_json(stack_plan(offline))
    for relative, text in runbook_files(stacks[RUNBOOK_STACK].stack).items():
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


def write_golden(root: Path = PROJECT_ROOT, only: Path | None = None) -> int:
    """Rewrite the golden files (those under `only`, when given); returns how many there are."""
    wanted = {
        path: text
        for path, text in golden_files(root).items()
        if only is None or path.is_relative_to(only)
    }
    for directory in (RENDERED, RUNBOOKS) if only is None else (only,):
        for path in (root / directory).rglob("*"):
            if path.is_file() and path.relative_to(root) not in wanted:
                path.unlink()
    for path, text in wanted.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    return len(wanted)


if __name__ == "__main__":
    if sys.argv[1:] == ["runbooks"]:
        print(f"wrote {write_golden(only=RUNBOOKS)} runbooks under {RUNBOOKS}/")
    elif sys.argv[1:]:
        sys.exit("usage: python -m cli.golden [runbooks]")
    else:
        print(f"wrote {write_golden()} golden files under {RENDERED}/ and {RUNBOOKS}/")
    sys.exit(0)
