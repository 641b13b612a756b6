"""Runs this project's real Pulumi program offline, under Pulumi mocks, and records what it registers.

Used by every command that needs the plan (`plan`, `render`, `check`, `import-file`, the
goldens) in this very process, and by the mock tests. Nothing here reaches a cluster, Grafana
or PagerDuty.
"""

import hashlib
import runpy
from collections.abc import Sequence

import pulumi
from pulumi.runtime.config import set_all_config
from pydantic import JsonValue

from cli.mocks import SECRET_SIG, SECRET_VALUE, Registration, record
from components.program import program
from o11y.config import OfflineStack, RawConfig
from o11y.plan import PlanRow
from stacks.loader import PROJECT_ROOT, secret_outputs


def run_program(raw: RawConfig, stack_name: str) -> list[Registration]:
    """Run the program's entry point (__main__.py, as `pulumi up` runs it) under mocks with
    this engine config; every registration, in order."""
    set_all_config(dict(raw.values), sorted(raw.secret_keys))
    program = PROJECT_ROOT / "__main__.py"

    def program_main() -> None:
        runpy.run_path(str(program), run_name="__main__")

    return record(program_main, stack_name)


# What `plan --json` shows instead of a secret value.
SECRET_MASK = "[secret]"


# Strings longer than this (dashboard JSON models) show as their size and digest: the
# content itself is rendered as its own file (`render`), where a diff reads well.
LONG_STRING = 4096


def masked(value: object) -> JsonValue:
    """An input with every value Pulumi holds as a secret replaced by SECRET_MASK, and long
    strings by their size and SHA-256."""
    # Concrete types, strings first: a large plan holds hundreds of thousands of values, and
    # the engine deserialises them to plain dicts and lists (an ABC check costs far more).
    if isinstance(value, str):
        if len(value) > LONG_STRING:
            digest = hashlib.sha256(value.encode()).hexdigest()[:16]
            return f"[{len(value.encode())} bytes, sha256 {digest}]"
        return value
    if isinstance(value, dict):
        if value.get(SECRET_SIG) == SECRET_VALUE:
            return SECRET_MASK
        return {str(k): masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v) for v in value]
    # The wire has one number type; whole numbers read as the integers the program wrote.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value is None or isinstance(value, int | float | bool):
        return value
    raise TypeError(f"not a value the engine passes: {value!r}")


def _resource_name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def _provider_name(reference: str) -> str | None:
    """The provider's resource name from a `<urn>::<id>` reference; None for no provider."""
    return _resource_name(reference.rsplit("::", 1)[0]) if reference else None


def plan_rows(registrations: Sequence[Registration]) -> list[PlanRow]:
    """The resource graph as rows, sorted for stable output. Inputs Pulumi holds as secrets
    (Output.secret, secret config, additional_secret_outputs) show as SECRET_MASK, never
    their value."""
    rows = [
        # Built from what the engine deserialised: JSON values already, nothing to validate.
        PlanRow.model_construct(
            type=r.type,
            name=r.name,
            parent=r.parent_name,
            provider=_provider_name(r.provider),
            protect=r.protect,
            dependencies=sorted({_resource_name(urn) for urn in r.dependencies}),
            inputs={
                key: SECRET_MASK if key in r.additional_secret_outputs else masked(value)
                for key, value in r.inputs.items()
            },
        )
        for r in registrations
    ]
    return sorted(rows, key=lambda row: (row.parent, row.type, row.name))


class PlanError(Exception):
    """The program refused the stack; the message is the program's own."""


def stack_plan(offline: OfflineStack) -> list[PlanRow]:
    """Every resource the program registers for a stack read offline, sorted; the secrets it
    must have stand in as placeholders. A config the program refuses raises PlanError."""

    def build() -> None:
        program(offline.stack, secret_outputs(offline.raw))

    try:
        return plan_rows(record(build, offline.stack.environment))
    except pulumi.RunError as error:
        raise PlanError(str(error)) from None
