"""Rule files: the fast dumper (libyaml, plain data represented directly) and PyYAML's
pure-Python SafeDumper write the same bytes."""

from pathlib import Path

import yaml

from benchmarks.catalogs import write_stack_file
from o11y.config import load_offline
from o11y.promrules import YAML_DUMPER, YamlDumper, indented, rule_file
from o11y.rules import rule_groups

ROOT = Path(__file__).resolve().parents[2]


class _PureReadable(yaml.SafeDumper):
    """PyYAML's pure-Python dumper, with the rule files' literal blocks."""


def _pure_literal(dumper: _PureReadable, data: str) -> yaml.ScalarNode:
    return dumper.represent_scalar(
        "tag:yaml.org,2002:str", data, style="|" if "\n" in data else None
    )


_PureReadable.add_representer(str, _pure_literal)


def test_rule_files_are_the_bytes_pyyamls_pure_python_dumper_writes(tmp_path: Path) -> None:
    """Written group by group (each group's text once), with multi-line PromQL as literal
    blocks: the same bytes as dumping the whole file at once."""
    stack = load_offline(write_stack_file(tmp_path, "generated", 3), ROOT)
    for groups in rule_groups(stack).values():
        pure = yaml.dump(
            {"groups": groups},
            Dumper=_PureReadable,
            sort_keys=False,
            width=1000,
            allow_unicode=True,
        )
        assert rule_file(groups) == pure
    assert rule_file([]) == yaml.dump({"groups": []}, Dumper=_PureReadable)


def test_indented_text_is_the_same_data_under_a_key() -> None:
    text = rule_file([{"name": "g", "rules": [{"record": "r", "expr": "a\n\nb\n"}]}])
    nested = "spec:\n" + indented(text, 2)
    assert yaml.safe_load(nested) == {"spec": yaml.safe_load(text)}


DATA = {
    "text": "a: b",
    "number": 7,
    "ratio": 0.25,
    "tiny": 1e-9,
    "flag": True,
    "nothing": None,
    "multi": "line one\nline two",
    "empty": {"map": {}, "list": []},
    "nested": [{"z": "1", "a": ["x", "y"]}, "yes", "007", ""],
}


def test_any_plain_data_is_the_same_bytes_as_pyyamls_safe_dumper() -> None:
    for sort_keys in (False, True):
        ours = yaml.dump(DATA, Dumper=YAML_DUMPER, sort_keys=sort_keys, width=1000)
        assert ours == yaml.dump(DATA, Dumper=yaml.SafeDumper, sort_keys=sort_keys, width=1000)


def _literal(dumper: YamlDumper, data: str) -> yaml.ScalarNode:
    return dumper.represent_scalar(
        "tag:yaml.org,2002:str", data, style="|" if "\n" in data else None
    )


def test_a_dumper_derived_from_it_keeps_its_own_text_representer() -> None:
    class Derived(YAML_DUMPER):
        pass

    Derived.add_representer(str, _literal)
    derived = Derived
    assert "multi: |-\n  line one\n  line two\n" in yaml.dump(DATA, Dumper=derived, width=1000)
