"""Generated JSON: the standard library's indented, key-sorted layout, from orjson."""

import json
from dataclasses import dataclass

import pytest

from o11y.jsontext import json_text


def test_the_layout_is_the_standard_librarys_indented_sorted_json() -> None:
    data = {"b": [1, 2.5, {"d": None, "c": True}], "a": {}, "e": [], "f": "text"}
    assert json_text(data) == json.dumps(data, indent=2, sort_keys=True) + "\n"


@dataclass
class _Model:
    value: int

    def to_json(self) -> dict[str, int]:
        return {"written": self.value}


def test_objects_are_written_by_default_never_field_by_field() -> None:
    def default(value: object) -> object:
        assert isinstance(value, _Model)
        return value.to_json()

    assert json.loads(json_text({"m": _Model(3)}, default=default)) == {"m": {"written": 3}}


def test_what_is_not_json_is_refused() -> None:
    with pytest.raises(TypeError):
        json_text({"m": _Model(3)})
