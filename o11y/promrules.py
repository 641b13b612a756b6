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


# libyaml's emitter when PyYAML has it: the same bytes as the pure-Python one for these files
# (tests/o11y/test_promrules.py), an order of magnitude faster on a thousand services' rules.
YAML_DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class RuleGroup(TypedDict):
    name: str
    interval: NotRequired[str]
    rules: list[Rule]


def rule_file(groups: list[RuleGroup]) -> str:
    """A plain Prometheus rule file (`groups:`), deterministic byte for byte."""
    return yaml.dump(
        {"groups": groups}, Dumper=YAML_DUMPER, sort_keys=False, width=1000, allow_unicode=True
    )
