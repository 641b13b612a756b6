"""`python -m cli`: plan, render, check a stack offline; Sloth SLO specs; PagerDuty import file.

Needs no cluster, no Pulumi CLI and no tokens. Bad input ends with exit code 2, never a
traceback: `error: FILE: N problems` and one line per problem (`services[checkout].port: reason`),
or `error: FILE:LINE:COLUMN: reason` for a file that is not valid YAML.
"""

import argparse
import re
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import FrameType
from typing import get_args

from cli.offline import PlanError, stack_plan
from o11y.adoption import AdoptionError, adoption
from o11y.artifacts import render
from o11y.charts import CHARTS
from o11y.charttemplate import TemplateError, chart_source, helm_binary, pull
from o11y.check import check_artifacts, check_charts
from o11y.config import ConfigError, OfflineStack, read_offline, stack_file, stack_names
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
from o11y.jsontext import json_text
from o11y.manifests import prometheus_rule_objects
from o11y.model.slo import Period
from o11y.model.stack import Stack
from o11y.model.types import STACK_NAME_PATTERN
from o11y.pagerduty import pagerduty_plan
from o11y.plan import PROJECT_ROOT, PlanRow, plan_json, project_name
from o11y.routing import misdirected_slack_channels
from o11y.sloth import rule_file_from_specs
from o11y.yamlfile import YamlFileError

# `render` lists the files it wrote in this file of its output directory. A later render into
# the same directory replaces and removes only those, never a file someone else put there, and
# a non-empty directory without the list is refused rather than mixed with generated files.
RENDER_LIST = ".o11y-rendered"
RENDER_LIST_HEADER = "# Files written by `python -m cli render`; it replaces only these.\n"


class CommandError(Exception):
    """A problem the user can fix; printed without a traceback."""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except (ConfigError, YamlFileError) as error:
        # Each file's header line starts with `error:`; its problems follow, indented.
        for line in str(error).splitlines():
            print(line if line.startswith(" ") else f"error: {line}", file=sys.stderr)
        return 2
    except CommandError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m cli", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    plan = commands.add_parser("plan", help="run the Pulumi program under mocks; print resources")
    _stack_arguments(plan)
    plan.add_argument(
        "--json",
        action="store_true",
        help="print every resource: type, name, parent, provider, protect, dependencies, "
        "inputs (secrets masked)",
    )
    plan.set_defaults(run=_plan)

    render_ = commands.add_parser("render", help="write every generated artifact as files")
    _stack_arguments(render_)
    render_.add_argument("--out", type=Path, required=True, help="output directory")
    render_.set_defaults(run=_render)

    check = commands.add_parser("check", help="render and validate with promtool, amtool, schemas")
    _stack_arguments(check)
    check.add_argument(
        "--charts",
        type=Path,
        metavar="DIR",
        help="also render every release with its pinned chart from DIR (NAME-VERSION.tgz or "
        "NAME-VERSION/, as `make charts` fetches them) and validate what it deploys",
    )
    check.set_defaults(run=_check)

    charts = commands.add_parser("charts", help="helm pull every pinned chart into a folder")
    charts.add_argument("--dir", type=Path, required=True, metavar="DIR", help="chart cache")
    charts.set_defaults(run=_charts)

    adopt = commands.add_parser(
        "import-file", help="a `pulumi import --file` adopting existing PagerDuty users and teams"
    )
    _stack_arguments(adopt)
    adopt.add_argument(
        "--user", action="append", default=[], metavar="EMAIL=ID", help="a PagerDuty user's ID"
    )
    adopt.add_argument(
        "--team", action="append", default=[], metavar="TEAM=ID", help="a PagerDuty team's ID"
    )
    adopt.add_argument("--out", type=Path, required=True, metavar="IMPORT.json")
    adopt.set_defaults(run=_import_file)

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


def _load(args: argparse.Namespace) -> OfflineStack:
    if not re.fullmatch(STACK_NAME_PATTERN, args.stack):
        raise CommandError(
            f"--stack '{args.stack}': a stack name is letters, digits, '-', '_' and '.'"
        )
    return read_offline(_config_file(args), PROJECT_ROOT, args.stack)


def _plan_rows(offline: OfflineStack) -> list[PlanRow]:
    try:
        return stack_plan(offline)
    except PlanError as error:
        raise CommandError(f"the program refused the stack:\n{error}") from None


def _plan(args: argparse.Namespace) -> int:
    rows = _plan_rows(_load(args))
    if args.json:
        sys.stdout.write(plan_json(rows))
        return 0
    print(_tree(rows))
    return 0


def _tree(rows: list[PlanRow]) -> str:
    children: dict[str, list[PlanRow]] = {}
    for row in rows:
        children.setdefault(row.parent, []).append(row)
    names = {row.name for row in rows}
    roots = sorted(parent for parent in children if parent not in names)
    lines: list[str] = []

    def walk(parent: str, depth: int) -> None:
        for row in sorted(children.get(parent, []), key=lambda r: (r.type, r.name)):
            lines.append(f"{'  ' * depth}{row.type}  {row.name}")
            walk(row.name, depth + 1)

    for root in roots:
        lines.append(root)
        walk(root, 1)
    counts = Counter(row.type for row in rows)
    lines.append("")
    lines.append(f"{len(rows)} resources")
    lines += [f"  {count:4d}  {kind}" for kind, count in sorted(counts.items())]
    return "\n".join(lines)


@dataclass(frozen=True)
class Written:
    """What one render did to its output directory."""

    files: list[str]
    removed: list[str]


def _write(stack: Stack, rows: list[PlanRow], out: Path) -> Written:
    files = render(stack)
    files["plan.json"] = plan_json(rows)
    try:
        owned = _owned_files(out)
        removed = sorted(owned - files.keys())
        foreign = sorted(p for p in files if p not in owned and (out / p).exists())
        if foreign:
            raise CommandError(
                f"{out}: would overwrite {len(foreign)} file(s) `render` did not write "
                f"({', '.join(foreign[:3])}{', …' if len(foreign) > 3 else ''}); move them away"
            )
        out.mkdir(parents=True, exist_ok=True)
        for relative in removed:
            (out / relative).unlink(missing_ok=True)
            _remove_empty_parents(out, out / relative)
        (out / RENDER_LIST).write_text(
            RENDER_LIST_HEADER + "".join(f"{p}\n" for p in sorted(files)), encoding="utf-8"
        )
        for relative, text in files.items():
            target = out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    except OSError as error:
        raise CommandError(f"cannot write {out}: {error.strerror}") from None
    return Written(sorted(files), removed)


def _owned_files(out: Path) -> set[str]:
    """The files an earlier render wrote into `out`; none for a new or empty directory.

    Anything else in `out` is somebody's own: a non-empty directory without the list of an
    earlier render is refused.
    """
    if not out.exists():
        return set()
    if not out.is_dir():
        raise CommandError(f"{out}: not a directory")
    listing = out / RENDER_LIST
    if not listing.is_file():
        if any(out.iterdir()):
            raise CommandError(
                f"{out} is not empty and was not written by `render`; give --out a new or "
                "empty directory (render replaces only the files it wrote there itself)"
            )
        return set()
    owned = set()
    for line in listing.read_text(encoding="utf-8").splitlines():
        path = PurePosixPath(line)
        # The list is only trusted to name files below `out`.
        if line and not line.startswith("#") and not path.is_absolute() and ".." not in path.parts:
            owned.add(line)
    return owned


def _remove_empty_parents(out: Path, removed: Path) -> None:
    for parent in removed.parents:
        if parent == out or not parent.is_relative_to(out):
            return
        if any(parent.iterdir()):
            return
        parent.rmdir()


def _render(args: argparse.Namespace) -> int:
    offline = _load(args)
    written = _write(offline.stack, _plan_rows(offline), args.out)
    areas = Counter(path.split("/", 1)[0] for path in written.files)
    summary = ", ".join(f"{count} {area}" for area, count in sorted(areas.items()))
    print(f"wrote {len(written.files)} files to {args.out} ({summary})")
    if written.removed:
        print(
            f"removed {len(written.removed)} file(s) the previous render wrote and this one does not:"
        )
        for path in written.removed:
            print(f"  {path}")
    return 0


def _check(args: argparse.Namespace) -> int:
    offline = _load(args)
    stack = offline.stack
    with tempfile.TemporaryDirectory(prefix="o11y-check-") as tmp:
        out = Path(tmp)
        _write(stack, _plan_rows(offline), out)
        report = check_artifacts(out, prometheus_rule_objects(stack))
        if args.charts is not None:
            if not args.charts.is_dir():
                raise CommandError(f"--charts {args.charts}: not a directory")
            charts = check_charts(stack, out, args.charts)
            report.lines += charts.lines
            report.problems += charts.problems
    for line in report.lines:
        print(line)
    if report.problems:
        print(f"FAILED: {len(report.problems)} problem(s)", file=sys.stderr)
        for problem in report.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    for warning in misdirected_slack_channels(stack):
        print(f"warning: {warning}")
    print(f"OK: {args.stack} stack renders and validates")
    return 0


def _charts(args: argparse.Namespace) -> int:
    helm = helm_binary()
    if helm is None:
        raise CommandError("helm: not installed (`make tools` provides Helm 3)")
    try:
        args.dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandError(f"cannot create {args.dir}: {error.strerror}") from None
    failed = 0
    for chart in CHARTS.values():
        if chart_source(args.dir, chart.name, chart.version) is not None:
            print(f"{chart.name}-{chart.version}: present")
            continue
        try:
            pull(helm, chart, args.dir)
        except (TemplateError, subprocess.TimeoutExpired) as error:
            failed += 1
            print(f"{chart.name}-{chart.version}: helm pull failed: {error}", file=sys.stderr)
            continue
        print(f"{chart.name}-{chart.version}: pulled from {chart.repository}")
    return 1 if failed else 0


def _import_file(args: argparse.Namespace) -> int:
    user_ids, team_ids = _ids("--user", args.user), _ids("--team", args.team)
    offline = _load(args)
    try:
        adopted = adoption(
            args.stack,
            project_name(),
            _plan_rows(offline),
            pagerduty_plan(offline.stack),
            user_ids,
            team_ids,
        )
    except AdoptionError as error:
        raise CommandError(str(error)) from None
    text = json_text(adopted.document)
    try:
        args.out.write_text(text, encoding="utf-8")
    except OSError as error:
        raise CommandError(f"cannot write {args.out}: {error.strerror}") from None
    resources = adopted.document["resources"]
    count = len(resources) if isinstance(resources, list) else 0
    targets = " ".join(f"--target '{urn}'" for urn in adopted.parents)
    print(f"wrote {args.out} ({count} resources). With `pulumi stack select {args.stack}`:")
    print(f"  pulumi up {targets}")
    print(f"  pulumi import --file {args.out} --generate-code=false --protect=false")
    print("  pulumi up")
    return 0


def _ids(option: str, pairs: Sequence[str]) -> dict[str, str]:
    ids: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise CommandError(f"{option} {pair}: expected KEY=ID, e.g. {option} name=PABC123")
        ids[key.strip()] = value.strip()
    return ids


def _drill(args: argparse.Namespace) -> int:
    stack = _load(args).stack
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
