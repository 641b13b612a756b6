"""`check` (cli/check.py) passes for every example stack."""

import pytest

from o11y.config import stack_names
from tests.cli.run import ROOT, command


@pytest.mark.parametrize("stack", stack_names(ROOT))
def test_check_passes_for_the_example_stacks(stack: str, promtool: str, amtool: str) -> None:
    done = command("check", "--stack", stack)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"OK: {stack} stack renders and validates" in done.stdout
