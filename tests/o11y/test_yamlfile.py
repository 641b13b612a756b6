"""The YAML the user edits is read strictly, and every problem names the file, line and column."""

from pathlib import Path

import pytest
import yaml

from o11y.yamlfile import YamlFileError, read_documents, read_map


def written(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "file.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_map_is_read_with_its_keys_as_text(tmp_path: Path) -> None:
    assert read_map(written(tmp_path, "port: 7000\n1: one\nok: true\n")) == {
        "port": 7000,
        "1": "one",
        "ok": True,
    }


def test_libyaml_parses_when_pyyaml_has_it() -> None:
    from o11y import yamlfile

    assert issubclass(yamlfile._UniqueKeyLoader, yaml.CSafeLoader) == yaml.__with_libyaml__


def test_a_merge_key_may_be_overridden_on_purpose(tmp_path: Path) -> None:
    text = "defaults: &d {port: 7000, team: core}\nservice:\n  <<: *d\n  port: 7001\n"
    assert read_map(written(tmp_path, text))["service"] == {"port": 7001, "team": "core"}


@pytest.mark.parametrize(
    ("text", "line", "column", "reason"),
    [
        pytest.param(
            "a:\n  b: 1\n  c:\n    d: 1\n    d: 2\n",
            5,
            5,
            "the key 'd' appears twice in the same map (first on line 4); remove one",
            id="a key twice in a nested map",
        ),
        pytest.param(
            "items:\n  - {name: a, name: b}\n",
            2,
            15,
            "the key 'name' appears twice in the same map (first on line 2); remove one",
            id="a key twice in a flow map",
        ),
        pytest.param(
            "a: 1\nb: 2\na: 3\n",
            3,
            1,
            "the key 'a' appears twice in the same map (first on line 1); remove one",
            id="a key twice at the top level",
        ),
        pytest.param(
            "a: b: c\n",
            1,
            5,
            "a ':' where a value was expected; quote a value that contains ': ', or check this "
            "line's indentation",
            id="a colon inside an unquoted value",
        ),
        pytest.param(
            "a: [1, 2\nb: 3\n",
            2,
            2,
            "a list opened with '[' on line 1 is not closed with ']', or an item in it lacks a ','",
            id="an unclosed list",
        ),
        pytest.param(
            "a:\n  b: 1\n\t c: 2\n",
            3,
            1,
            "tabs are not allowed for indentation in YAML; use spaces",
            id="a tab after spaces",
        ),
    ],
)
def test_a_broken_file_is_named_with_line_column_and_reason(
    tmp_path: Path, text: str, line: int, column: int, reason: str
) -> None:
    path = written(tmp_path, text)
    with pytest.raises(YamlFileError) as caught:
        read_map(path)
    assert (caught.value.line, caught.value.column, caught.value.reason) == (line, column, reason)
    assert str(caught.value) == f"{path}:{line}:{column}: {reason}"


def test_two_documents_where_one_map_is_expected_are_refused(tmp_path: Path) -> None:
    with pytest.raises(YamlFileError, match="expected one YAML document"):
        read_map(written(tmp_path, "a: 1\n---\nb: 2\n"))


def test_a_directory_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(YamlFileError, match=r": is a directory, not a file$"):
        read_map(tmp_path)


def test_documents_skip_empty_ones_and_an_empty_file_is_named(tmp_path: Path) -> None:
    assert read_documents(written(tmp_path, "---\na: 1\n---\n---\nb: 2\n")) == [{"a": 1}, {"b": 2}]
    with pytest.raises(YamlFileError, match=r": the file is empty$"):
        read_documents(written(tmp_path, "---\n"))


def test_a_path_inside_the_working_directory_is_shown_relative(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "stacks").mkdir()
    monkeypatch.chdir(tmp_path)
    with pytest.raises(YamlFileError) as caught:
        read_map(tmp_path / "stacks" / "catalog.yaml")
    assert str(caught.value) == "stacks/catalog.yaml: no such file"
