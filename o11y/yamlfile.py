"""Reading the YAML files users edit: the catalog, the stack files, the project file, SLO specs.

Every problem with such a file, from a missing file to a tab in the indentation or a key written
twice, becomes one `YamlFileError` naming the file, the line and column, and the reason in plain
words, so nobody reads a parser's traceback to find a typo.
"""

from pathlib import Path

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node

try:
    # libyaml parses several times faster; the constructor below still runs in Python.
    from yaml import CSafeLoader as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Parser  # type: ignore[assignment]

_MERGE_TAG = "tag:yaml.org,2002:merge"


class YamlFileError(Exception):
    """A user's YAML file that cannot be read: `file:line:column: reason`."""

    def __init__(
        self, path: Path, reason: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.path = path
        self.reason = reason
        self.line = line
        self.column = column
        where = (
            shown(path) + (f":{line}" if line else "") + (f":{column}" if line and column else "")
        )
        super().__init__(f"{where}: {reason}")


def shown(path: Path) -> str:
    """A file as the user would type it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class _DuplicateKey(ConstructorError):
    pass


class _UniqueKeyLoader(_Parser):
    """Refuses a key written twice in one map; YAML's default lets the last one silently win."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[object, object]:
        seen: dict[object, Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                continue  # `<<: *defaults` may be overridden on purpose
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node)
            except TypeError:
                continue  # an unhashable key: the base constructor reports it
            if first is not key_node:
                raise _DuplicateKey(
                    None,
                    None,
                    f"the key '{key}' appears twice in the same map (first on line "
                    f"{first.start_mark.line + 1}); remove one",
                    key_node.start_mark,
                )
        return super().construct_mapping(node, deep=deep)


def read_map(path: Path, what: str = "a map of keys") -> dict[str, object]:
    """A file whose top level is a map (the catalog, a stack file, the project file)."""
    loaded = _documents(path)
    if not loaded or loaded[0] is None:
        raise YamlFileError(path, f"the file is empty; expected {what}")
    if len(loaded) > 1:
        raise YamlFileError(path, f"expected one YAML document ({what}), found {len(loaded)}")
    document = loaded[0]
    if not isinstance(document, dict):
        raise YamlFileError(path, f"expected {what} at the top level, found {_kind(document)}")
    return {str(key): value for key, value in document.items()}


def read_documents(path: Path) -> list[object]:
    """Every non-empty document of a (multi-document) YAML file."""
    documents = [document for document in _documents(path) if document is not None]
    if not documents:
        raise YamlFileError(path, "the file is empty")
    return documents


def _documents(path: Path) -> list[object]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise YamlFileError(path, "no such file") from None
    except IsADirectoryError:
        raise YamlFileError(path, "is a directory, not a file") from None
    except OSError as error:
        raise YamlFileError(path, f"cannot read ({error.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        raise YamlFileError(
            path,
            f"not UTF-8 text (byte 0x{data[error.start]:02x}); save the file as UTF-8",
            line,
            column,
        ) from None
    try:
        return list(yaml.load_all(text, Loader=_UniqueKeyLoader))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        reason = _syntax_reason(error, text)
        if mark is None:  # pragma: no cover - the parser marks every problem it finds
            raise YamlFileError(path, reason) from None
        raise YamlFileError(path, reason, mark.line + 1, mark.column + 1) from None
    except yaml.YAMLError as error:  # pragma: no cover - every PyYAML error carries a mark
        raise YamlFileError(path, f"not valid YAML ({error})") from None


def _syntax_reason(error: yaml.MarkedYAMLError, text: str) -> str:
    """The parser's complaint in the words of someone editing the file."""
    problem = error.problem or ""
    context = error.context or ""
    if isinstance(error, _DuplicateKey):
        return problem
    mark = error.problem_mark
    lines = text.splitlines()
    if mark is not None and mark.line < len(lines):
        line = lines[mark.line]
        indentation = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indentation or "tab" in problem:
            return "tabs are not allowed for indentation in YAML; use spaces"
    if "quoted scalar" in context:
        start = error.context_mark.line + 1 if error.context_mark else None
        return f"a quoted string is never closed (it opens on line {start})"
    for opening, closing, kind in (("[", "]", "list"), ("{", "}", "map")):
        if f"'{closing}'" in problem:
            start = error.context_mark.line + 1 if error.context_mark else None
            return (
                f"a {kind} opened with '{opening}' on line {start} is not closed with "
                f"'{closing}', or an item in it lacks a ','"
            )
    if "mapping values are not allowed" in problem:
        return (
            "a ':' where a value was expected; quote a value that contains ': ', "
            "or check this line's indentation"
        )
    if "block" in context or "block end" in problem:
        return "this line's indentation does not line up with the lines above it"
    if "cannot start any token" in problem:
        return f"a character that cannot start a value here; quote the value ({problem})"
    return f"not valid YAML: {problem or context}"


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text '{value}'"
    return f"the value {value!r}"
