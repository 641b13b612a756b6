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


class RuleGroup(TypedDict):
    name: str
    interval: NotRequired[str]
    rules: list[Rule]


def rule_file(groups: list[RuleGroup]) -> str:
    """A plain Prometheus rule file (`groups:`), deterministic byte for byte."""
    return yaml.dump(
        {"groups": groups}, Dumper=YAML_DUMPER, sort_keys=False, width=1000, allow_unicode=True
    )
