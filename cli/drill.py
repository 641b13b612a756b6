"""`drill`: the stack's alerting on the real Prometheus, Alertmanager and exporters, broken on
purpose scenario by scenario."""

import argparse
import signal
import sys
from types import FrameType

from cli.command import CommandError, load
from o11y.drill.report import scenario_table
from o11y.drill.run import drill as run_drill
from o11y.drill.scenarios import SCENARIOS, drilled_service, runnable, scenario, unexercised_alerts
from o11y.drill.world import missing_programs


def drill(args: argparse.Namespace) -> int:
    stack = load(args).stack
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
        outcomes = run_drill(
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
