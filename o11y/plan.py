"""The resource plan of a stack: what `pulumi up` would register, one row per resource.

The command line (cli/offline.py) fills it by running the real program under Pulumi mocks;
this package only defines its shape and its reviewable JSON.
"""

from pathlib import Path

from pydantic import BaseModel, ConfigDict, JsonValue

from o11y.jsontext import json_text
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


def plan_json(rows: list[PlanRow]) -> str:
    """The rows as reviewable JSON: keys sorted, one value per line. Every field is JSON data
    already, so each row is written as it is (`dict(row)`: its fields, unconverted)."""
    return json_text([dict(row) for row in rows])
