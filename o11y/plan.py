"""The resource plan of a stack: the real Pulumi program run under mocks in a child process.

The child (`python -m stacks.offline`) is the only place the offline path touches Pulumi; this
package stays free of it.
"""

import json
import subprocess
import sys
from pathlib import Path

import yaml

from o11y.model.stack import Stack, required_secrets

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def project_name(root: Path = PROJECT_ROOT) -> str:
    """The Pulumi project's name (Pulumi.yaml), part of every resource's URN."""
    loaded = yaml.safe_load((root / "Pulumi.yaml").read_text(encoding="utf-8"))
    return str(loaded["name"])


PlanRow = dict[str, str]  # {"type", "name", "parent"}


class PlanError(Exception):
    """The program failed under mocks; the message is the program's own."""


def plan_rows(stack_name: str, config_file: Path, stack: Stack) -> list[PlanRow]:
    """Every resource the program registers, sorted; required secrets stand in as placeholders."""
    command = [sys.executable, "-m", "stacks.offline", "--stack", stack_name]
    command += ["--config-file", str(config_file.resolve())]
    for name in required_secrets(stack):
        command += ["--placeholder-secret", name]
    done = subprocess.run(
        command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    if done.returncode != 0:
        raise PlanError(f"the program failed under mocks:\n{done.stderr.strip()}")
    rows: list[PlanRow] = json.loads(done.stdout)
    return rows


def plan_json(rows: list[PlanRow]) -> str:
    return json.dumps(rows, indent=2, sort_keys=True) + "\n"
