"""Naming a stack (cli/command.py): a missing stack file, a name Pulumi would refuse, a missing config file."""

from pathlib import Path

from o11y.config import stack_names
from tests.cli.run import ROOT, command


def test_a_stack_without_a_stack_file_is_told_which_stacks_exist() -> None:
    done = command("plan", "--stack", "nosuch")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    known = ", ".join(stack_names(ROOT))
    assert done.stderr == (
        f"error: no stack 'nosuch': expected Pulumi.nosuch.yaml in {ROOT} (stacks: {known}); "
        "or pass --config-file\n"
    )


def test_a_stack_name_pulumi_would_refuse_is_one_message() -> None:
    done = command("render", "--stack", "../prod", "--out", "out")
    assert done.returncode == 2
    assert done.stderr == (
        "error: --stack '../prod': a stack name is letters, digits, '-', '_' and '.'\n"
    )


def test_a_missing_config_file_is_one_message(tmp_path: Path) -> None:
    done = command(
        "render",
        "--stack",
        "dev",
        "--config-file",
        str(tmp_path / "nope.yaml"),
        "--out",
        str(tmp_path),
    )
    assert done.returncode == 2
    assert done.stderr == f"error: {tmp_path / 'nope.yaml'}: no such file\n"
