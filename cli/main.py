"""`python -m cli`: plan, render, check a stack offline; Sloth SLO specs; PagerDuty import file.

Needs no cluster, no Pulumi CLI and no tokens. Bad input ends with exit code 2, never a
traceback: `error: FILE: N problems` and one line per problem (`services[checkout].port: reason`),
or `error: FILE:LINE:COLUMN: reason` for a file that is not valid YAML.
"""

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import get_args

from cli.command import CommandError, load, plan_rows, stack_arguments
from o11y.config import ConfigError
from o11y.drill.scenarios import SCENARIOS
from o11y.model.slo import Period
from o11y.plan import PlanRow, plan_json
from o11y.yamlfile import YamlFileError


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
    stack_arguments(plan)
    plan.add_argument(
        "--json",
        action="store_true",
        help="print every resource: type, name, parent, provider, protect, dependencies, "
        "inputs (secrets masked)",
    )
    plan.set_defaults(run=_plan)

    render_ = commands.add_parser("render", help="write every generated artifact as files")
    stack_arguments(render_)
    render_.add_argument("--out", type=Path, required=True, help="output directory")
    render_.set_defaults(run=_render)

    check = commands.add_parser("check", help="render and validate with promtool, amtool, schemas")
    stack_arguments(check)
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
    stack_arguments(adopt)
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
    stack_arguments(drill)
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


def _plan(args: argparse.Namespace) -> int:
    rows = plan_rows(load(args))
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


# Each command's module is imported when the command runs: `plan` does not load the checkers,
# the drill or Sloth.


def _render(args: argparse.Namespace) -> int:
    from cli.render import render

    return render(args)


def _check(args: argparse.Namespace) -> int:
    from cli.check import check

    return check(args)


def _charts(args: argparse.Namespace) -> int:
    from cli.check import charts

    return charts(args)


def _import_file(args: argparse.Namespace) -> int:
    from cli.adopt import import_file

    return import_file(args)


def _drill(args: argparse.Namespace) -> int:
    from cli.drill import drill

    return drill(args)


def _slo(args: argparse.Namespace) -> int:
    from cli.slo import slo

    return slo(args)
