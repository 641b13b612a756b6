"""Runs one component (not the whole program) under the project's recording Pulumi mocks."""

from collections.abc import Callable

from stacks.offline import Registration
from stacks.offline import record as record_program


def record(build: Callable[[], None], stack_name: str = "test") -> list[Registration]:
    """Every resource `build` registers (type, name, parent, protect, provider, dependencies,
    inputs, secret inputs), in order."""
    return record_program(build, stack_name)
