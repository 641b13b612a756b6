"""`python -m o11y`: plan, render and check a stack offline; convert Sloth SLO specs.

Needs no cluster, no Pulumi CLI and no tokens. Bad input ends with one message per problem
(`key.path: reason`) and exit code 2, never a traceback.
"""

import argparse
import json
import shutil
import signal
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import get_args

from o11y.artifacts import render
from o11y.check import check_artifacts
from o11y.config import ConfigError, load_offline
from o11y.drill.report import scenario_table
from o11y.drill.run import drill
from o11y.drill.scenarios import (
    SCENARIOS,
    drilled_service,
    runnable,
    scenario,
    unexercised_alerts,
)
from o11y.drill.world import missing_programs
from o11y.model.slo import Period
from o11y.model.stack import Stack
from o11y.plan import PROJECT_ROOT, PlanError, PlanRow, plan_json, plan_rows
from o11y.sloth import rule_file_from_specs

# Directories `render` owns inside its output directory; emptied before each render.
RENDERED_DIRS = ("prometheus", "alertmanager", "grafana", "helm", "kubernetes", "runbooks")


class CommandError(Exception):
    """A problem the user can fix; printed without a traceback."""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except ConfigError as error:
        print("error: invalid configuration", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    except CommandError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m o11y", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    plan = commands.add_parser("plan", help="run the Pulumi program under mocks; print resources")
    _stack_arguments(plan)
    plan.add_argument("--json", action="store_true", help="print [{type, name, parent}, ...]")
    plan.set_defaults(run=_plan)

    render_ = commands.add_parser("render", help="write every generated artifact as files")
    _stack_arguments(render_)
    render_.add_argument("--out", type=Path, required=True, help="output directory")
    render_.set_defaults(run=_render)

    check = commands.add_parser("check", help="render and validate with promtool, amtool, schemas")
    _stack_arguments(check)
    check.set_defaults(run=_check)

    slo = commands.add_parser("slo", help="Sloth prometheus/v1 SLO specs -> Prometheus rule file")
    slo.add_argument("specs", type=Path, nargs="+", metavar="SPEC.yml")
    slo.add_argument("--out", type=Path, required=True, metavar="RULES.yaml")
    slo.add_argument(
        "--period",
        choices=get_args(Period),
        default="30d",
        help="SLO period for specs that set none (Sloth's --default-slo-period)",
    )
    slo.set_defaults(run=_slo)

    drill = commands.add_parser(
        "drill",
        help="run the alerting on the real Prometheus, Alertmanager and exporters; break things",
    )
    _stack_arguments(drill)
    drill.add_argument(
        "--only",
        action="append",
        metavar="SCENARIO",
        help="run only this scenario (repeatable): " + ", ".join(s.name for s in SCENARIOS),
    )
    drill.add_argument("--service", help="the catalog service the service scenarios break")
    drill.add_argument(
        "--lanes", type=int, default=len(SCENARIOS) + 1, help="scenarios run at once"
    )
    drill.add_argument(
        "--baseline",
        type=float,
        default=150,
        metavar="SECONDS",
        help="how long everything runs unbroken in the baseline lane (0: no baseline)",
    )
    drill.set_defaults(run=_drill)
    return parser


def _stack_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stack", required=True, choices=("dev", "prod"))
    parser.add_argument(
        "--config-file",
        type=Path,
        help="a Pulumi stack file (`config:` map); default Pulumi.<stack>.yaml",
    )


def _config_file(args: argparse.Namespace) -> Path:
    path: Path = args.config_file or PROJECT_ROOT / f"Pulumi.{args.stack}.yaml"
    return path


def _load(args: argparse.Namespace) -> Stack:
    return load_offline(_config_file(args), PROJECT_ROOT)


def _plan_rows(args: argparse.Namespace, stack: Stack) -> list[PlanRow]:
    try:
        return plan_rows(args.stack, _config_file(args), stack)
    except PlanError as error:
        raise CommandError(str(error)) from None


def _plan(args: argparse.Namespace) -> int:
    rows = _plan_rows(args, _load(args))
    if args.json:
        print(json.dumps(rows, indent=2, sort_keys=True))
        return 0
    print(_tree(rows))
    return 0


def _tree(rows: list[PlanRow]) -> str:
    children: dict[str, list[PlanRow]] = {}
    for row in rows:
        children.setdefault(row["parent"], []).append(row)
    names = {row["name"] for row in rows}
    roots = sorted(parent for parent in children if parent not in names)
    lines: list[str] = []

    def walk(parent: str, depth: int) -> None:
        for row in sorted(children.get(parent, []), key=lambda r: (r["type"], r["name"])):
            lines.append(f"{'  ' * depth}{row['type']}  {row['name']}")
            walk(row["name"], depth + 1)

    for root in roots:
        lines.append(root)
        walk(root, 1)
    counts = Counter(row["type"] for row in rows)
    lines.append("")
    lines.append(f"{len(rows)} resources")
    lines += [f"  {count:4d}  {kind}" for kind, count in sorted(counts.items())]
    return "\n".join(lines)


def _write(stack: Stack, rows: list[PlanRow], out: Path) -> list[str]:
    files = render(stack)
    files["plan.json"] = plan_json(rows)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for directory in RENDERED_DIRS:
            shutil.rmtree(out / directory, ignore_errors=True)
        for relative, text in files.items():
            target = out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    except OSError as error:
        raise CommandError(f"cannot write {out}: {error.strerror}") from None
    return sorted(files)


def _render(args: argparse.Namespace) -> int:
    stack = _load(args)
    written = _write(stack, _plan_rows(args, stack), args.out)
    areas = Counter(path.split("/", 1)[0] for path in written)
    summary = ", ".join(f"{count} {area}" for area, count in sorted(areas.items()))
    print(f"wrote {len(written)} files to {args.out} ({summary})")
    return 0


def _check(args: argparse.Namespace) -> int:
    stack = _load(args)
    with tempfile.TemporaryDirectory(prefix="o11y-check-") as tmp:
        out = Path(tmp)
        _write(stack, _plan_rows(args, stack), out)
        report = check_artifacts(out)
    for line in report.lines:
        print(line)
    if report.problems:
        print(f"FAILED: {len(report.problems)} problem(s)", file=sys.stderr)
        for problem in report.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"OK: {args.stack} stack renders and validates")
    return 0


def _drill(args: argparse.Namespace) -> int:
    stack = _load(args)
    missing = missing_programs()
    if missing:
        packages = " ".join(sorted(set(missing.values())))
        raise CommandError(
            f"the drill needs {', '.join(sorted(missing))}; install them with\n"
            f"  apt-get install -y --no-install-recommends {packages}\n"
            "and stop the services the packages start (systemctl stop ...)"
        )
    try:
        chosen = [scenario(name) for name in args.only] if args.only else list(SCENARIOS)
        target = drilled_service(stack, args.service)
    except KeyError as error:
        raise CommandError(str(error.args[0])) from None
    skipped = [s.name for s in chosen if not runnable(stack, s)]
    if skipped:
        print(f"skipped (the stack declares nothing they break): {', '.join(skipped)}")
    chosen = [s for s in chosen if runnable(stack, s)]
    print(
        f"drill of the {args.stack} stack: {len(chosen)} scenario(s) on {target.name}, "
        f"{args.lanes} lane(s); PagerDuty, Slack and e-mail go to a local sink"
    )
    # Ctrl-C and `kill` both stop the drill cleanly (a background job may ignore SIGINT).
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupt)
    try:
        outcomes = drill(
            stack, chosen, target, args.lanes, args.baseline, lambda line: print(line, flush=True)
        )
    except KeyboardInterrupt:
        print("interrupted: every program the drill started is stopped", file=sys.stderr)
        return 130
    print()
    print(scenario_table(outcomes, unexercised_alerts(stack)))
    return 0 if all(o.passed for o in outcomes) else 1


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _slo(args: argparse.Namespace) -> int:
    text = rule_file_from_specs(list(args.specs), period=args.period)
    try:
        args.out.write_text(text, encoding="utf-8")
    except OSError as error:
        raise CommandError(f"cannot write {args.out}: {error.strerror}") from None
    print(f"wrote {args.out}")
    return 0
