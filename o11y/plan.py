"""The resource plan of a stack: the real Pulumi program run under mocks in a child process.

The child (`python -m stacks.offline`) is the only place the offline path touches Pulumi; this
package stays free of it.
"""

import json
import subprocess
import sys
from pathlib import Path

from pydantic import BaseModel, ConfigDict, JsonValue, TypeAdapter, ValidationError

from o11y.model.stack import Stack, required_secrets
from o11y.yamlfile import YamlFileError, read_map

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def project_name(root: Path = PROJECT_ROOT) -> str:
    """The Pulumi project's name (Pulumi.yaml), part of every resource's URN."""
    path = root / "Pulumi.yaml"
    name = read_map(path, "a Pulumi project file").get("name")
    if not isinstance(name, str) or not name:
        raise YamlFileError(path, "`name:` is required: the project's name")
    return name


class PlanRow(BaseModel):
    """One resource as `pulumi up` would register it: what it is, where it sits in the tree,
    which provider creates it, whether it is protected, what it explicitly waits for, and its
    inputs with every secret value shown as `[secret]`."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    type: str
    name: str
    # The parent resource's name ("" for the stack itself).
    parent: str
    # The explicit provider resource's name; None for providers and components.
    provider: str | None
    protect: bool
    # Names of the resources it waits for, sorted.
    dependencies: list[str]
    inputs: dict[str, JsonValue]


_ROWS = TypeAdapter(list[PlanRow])


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
    try:
        return _ROWS.validate_json(done.stdout)
    except ValidationError as error:
        raise PlanError(f"the program under mocks printed an unexpected plan:\n{error}") from None


def plan_json(rows: list[PlanRow]) -> str:
    """The rows as reviewable JSON: keys sorted, one value per line."""
    return json.dumps(_ROWS.dump_python(rows, mode="json"), indent=2, sort_keys=True) + "\n"
