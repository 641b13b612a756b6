"""Rule files: the fast (libyaml) and the pure-Python emitter write the same bytes."""

from pathlib import Path

import yaml

from benchmarks.catalogs import write_stack_file
from o11y.config import load_offline
from o11y.promrules import YAML_DUMPER, rule_file
from o11y.rules import rule_groups

ROOT = Path(__file__).resolve().parents[2]


def test_rule_files_are_the_same_bytes_with_either_yaml_emitter(tmp_path: Path) -> None:
    stack = load_offline(write_stack_file(tmp_path, "generated", 3), ROOT)
    for groups in rule_groups(stack).values():
        pure = yaml.dump(
            {"groups": groups},
            Dumper=yaml.SafeDumper,
            sort_keys=False,
            width=1000,
            allow_unicode=True,
        )
        assert rule_file(groups) == pure


def test_the_fast_emitter_is_used_where_pyyaml_has_it() -> None:
    assert YAML_DUMPER is getattr(yaml, "CSafeDumper", yaml.SafeDumper)
