"""Prometheus rule shapes shared by every rule generator, and the rule-file writer."""

from typing import NotRequired, TypedDict

import yaml

# One recording (`record`) or alerting (`alert`) rule, as in a Prometheus rule file. The
# functional form because `for` is a Python keyword.
Rule = TypedDict(
    "Rule",
    {
        "record": NotRequired[str],
        "alert": NotRequired[str],
        "expr": str,
        "for": NotRequired[str],
        "labels": NotRequired[dict[str, str]],
        "annotations": NotRequired[dict[str, str]],
    },
)


class RuleGroup(TypedDict):
    name: str
    interval: NotRequired[str]
    rules: list[Rule]


def rule_file(groups: list[RuleGroup]) -> str:
    """A plain Prometheus rule file (`groups:`), deterministic byte for byte."""
    return yaml.safe_dump({"groups": groups}, sort_keys=False, width=1000, allow_unicode=True)
