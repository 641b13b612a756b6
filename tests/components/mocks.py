"""Runs the real program under Pulumi mocks for a stack; helpers to query what it registered."""

from collections.abc import Sequence
from pathlib import Path

from cli.mocks import Registration
from cli.offline import run_program
from o11y.config import read_stack_file, with_secret_placeholders
from o11y.model.stack import Stack, required_secrets

ROOT = Path(__file__).resolve().parents[2]


def run_stack(name: str, stack: Stack, secrets: Sequence[str] | None = None) -> list[Registration]:
    """The program's registrations for Pulumi.<name>.yaml; `secrets` set placeholders by name."""
    chosen = required_secrets(stack) if secrets is None else secrets
    raw = with_secret_placeholders(read_stack_file(ROOT / f"Pulumi.{name}.yaml"), chosen)
    return run_program(raw, name)


def of_type(registrations: Sequence[Registration], type_: str) -> list[Registration]:
    return [r for r in registrations if r.type == type_]


def named(registrations: Sequence[Registration], name: str) -> Registration:
    matches = [r for r in registrations if r.name == name]
    assert len(matches) == 1, f"{len(matches)} resources named {name}"
    return matches[0]
