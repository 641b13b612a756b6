"""What the commands that read a stack share: their arguments, reading the stack file once, the
plan the program registers for it, and the error a user can fix."""

import argparse
import re
from pathlib import Path

from cli.offline import PlanError, stack_plan
from o11y.config import OfflineStack, read_offline, stack_file, stack_names
from o11y.model.types import STACK_NAME_PATTERN
from o11y.plan import PROJECT_ROOT, PlanRow


class CommandError(Exception):
    """A problem the user can fix; printed without a traceback."""


def stack_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stack", required=True, help="a stack of the project: any Pulumi.<stack>.yaml"
    )
    parser.add_argument(
        "--config-file",
        type=Path,
        help="a Pulumi stack file (`config:` map); default Pulumi.<stack>.yaml",
    )


def _config_file(args: argparse.Namespace) -> Path:
    if args.config_file is not None:
        given: Path = args.config_file
        return given
    return _stack_file(args.stack, PROJECT_ROOT)


def _stack_file(name: str, root: Path) -> Path:
    """The stack file of `name`; a name without one is told which stacks exist."""
    path = stack_file(root, name)
    if path.is_file():
        return path
    known = ", ".join(stack_names(root)) or "none"
    raise CommandError(
        f"no stack '{name}': expected {path.name} in {root} (stacks: {known}); "
        "or pass --config-file"
    )


def load(args: argparse.Namespace) -> OfflineStack:
    if not re.fullmatch(STACK_NAME_PATTERN, args.stack):
        raise CommandError(
            f"--stack '{args.stack}': a stack name is letters, digits, '-', '_' and '.'"
        )
    return read_offline(_config_file(args), PROJECT_ROOT, args.stack)


def plan_rows(offline: OfflineStack) -> list[PlanRow]:
    try:
        return stack_plan(offline)
    except PlanError as error:
        raise CommandError(f"the program refused the stack:\n{error}") from None
