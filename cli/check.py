"""`check`: render into a scratch directory and validate it with promtool, amtool, the schemas
and, given the pinned charts, Helm; `charts`: fetch those charts."""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from cli.command import CommandError, load, plan_rows
from cli.render import write
from o11y.charts import CHARTS
from o11y.charttemplate import TemplateError, chart_source, helm_binary, pull
from o11y.check import check_artifacts, check_charts
from o11y.manifests import prometheus_rule_objects
from o11y.routing import misdirected_slack_channels


def check(args: argparse.Namespace) -> int:
    offline = load(args)
    stack = offline.stack
    with tempfile.TemporaryDirectory(prefix="o11y-check-") as tmp:
        out = Path(tmp)
        write(stack, plan_rows(offline), out)
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


def charts(args: argparse.Namespace) -> int:
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
