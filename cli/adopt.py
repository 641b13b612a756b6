"""`import-file`: a `pulumi import --file` document adopting existing PagerDuty users and teams."""

import argparse
from collections.abc import Sequence

from cli.command import CommandError, load, plan_rows
from o11y.adoption import AdoptionError, adoption
from o11y.jsontext import json_text
from o11y.pagerduty import pagerduty_plan
from o11y.plan import project_name


def import_file(args: argparse.Namespace) -> int:
    user_ids, team_ids = _ids("--user", args.user), _ids("--team", args.team)
    offline = load(args)
    try:
        adopted = adoption(
            args.stack,
            project_name(),
            plan_rows(offline),
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
