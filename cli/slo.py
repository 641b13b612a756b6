"""`slo`: Sloth prometheus/v1 SLO specs -> one Prometheus rule file."""

import argparse

from cli.command import CommandError
from o11y.sloth import rule_file_from_specs


def slo(args: argparse.Namespace) -> int:
    text = rule_file_from_specs(list(args.specs), period=args.period)
    try:
        args.out.write_text(text, encoding="utf-8")
    except OSError as error:
        raise CommandError(f"cannot write {args.out}: {error.strerror}") from None
    print(f"wrote {args.out}")
    return 0
