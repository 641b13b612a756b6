"""Prometheus rule shapes shared by every rule generator, and the rule-file writer.

A rule group is written once: the rule file lists its text at the left margin, and its
PrometheusRule object (o11y/manifests.py) the same text indented under `spec.groups`.
"""

from collections.abc import Mapping
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


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class YamlDumper(yaml.CSafeDumper):
    """libyaml's emitter (the same bytes as the pure-Python one for these files,
    tests/o11y/test_promrules.py, an order of magnitude faster), and a representer that builds
    the nodes of maps, lists and text directly instead of looking each value's type up: a
    thousand services' rules are tens of megabytes. Shared maps and lists are written out in
    full, never as YAML anchors; everything else is represented as SafeDumper does."""

    def represent_data(self, data: object) -> yaml.Node:
        kind = type(data)
        if kind is dict:
            assert isinstance(data, dict)
            items = sorted(data.items()) if self.sort_keys else data.items()
            pairs = [(self.represent_data(k), self.represent_data(v)) for k, v in items]
            return yaml.MappingNode(_MAP, pairs, flow_style=self.default_flow_style)
        if kind is list:
            assert isinstance(data, list)
            nodes = [self.represent_data(item) for item in data]
            return yaml.SequenceNode(_SEQ, nodes, flow_style=self.default_flow_style)
        if kind is str:
            represent = self.yaml_representers[str]
            if represent is yaml.SafeDumper.represent_str:
                assert isinstance(data, str)
                return yaml.ScalarNode(_STR, data)
            text: yaml.Node = represent(self, data)
            return text
        node: yaml.Node = super().represent_data(data)
        return node


YAML_DUMPER = YamlDumper


class ReadableDumper(YamlDumper):
    """Multi-line strings (PromQL, the Alertmanager configuration) as literal blocks, so a
    reviewer reads them as they are."""


def _represent_text(dumper: ReadableDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


ReadableDumper.add_representer(str, _represent_text)


class RuleGroup(TypedDict):
    name: str
    interval: NotRequired[str]
    rules: list[Rule]


def group_yaml(group: RuleGroup) -> str:
    """One rule group as an item of a `groups:` list at the left margin."""
    return yaml.dump(
        [group], Dumper=ReadableDumper, sort_keys=False, width=1000, allow_unicode=True
    )


def rule_file(groups: list[RuleGroup], texts: Mapping[str, str] | None = None) -> str:
    """A plain Prometheus rule file (`groups:`), deterministic byte for byte; `texts` are
    the groups already written (`group_yaml`), by group name."""
    if not groups:
        return "groups: []\n"
    written = texts or {}
    return "groups:\n" + "".join(written.get(g["name"]) or group_yaml(g) for g in groups)


def indented(text: str, spaces: int) -> str:
    """Block YAML moved right by `spaces`, to sit under a key; empty lines stay empty."""
    pad = " " * spaces
    return "".join(pad + line if line.strip() else line for line in text.splitlines(True))
