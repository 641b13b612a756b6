"""Validation problems in the words of the person who wrote the file.

pydantic reports `services.0.prot: Extra inputs are not permitted` next to the `port: Field
required` it caused. Here each problem becomes one line `path: reason` where list items are named
by their `name` (`services[checkout]`), an unknown key or name comes with the nearest known one,
the knock-on "required" of a misspelled key is dropped, constraints are said in words, and one
cause found in many places is one line.
"""

import difflib
import re
import types
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

Loc = tuple[int | str, ...]

# Constraints written as regular expressions in the models, said in words.
PATTERN_WORDS: Mapping[str, str] = {
    r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$": (
        "must be a lowercase name of letters, digits and '-', starting and ending with a letter "
        "or digit, at most 63 characters"
    ),
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$": (
        "must be letters, digits, '-', '_' and '.', starting with a letter or digit"
    ),
    r"^[a-zA-Z_][a-zA-Z0-9_]*$": "must be a Prometheus label name: letters, digits and '_'",
    r"^[a-zA-Z_:][a-zA-Z0-9_:]*$": "must be a Prometheus metric name: letters, digits, '_', ':'",
    r"^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|M|G|T)?$": (
        "must be a Kubernetes quantity such as 500m, 2Gi or 50Gi"
    ),
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$": "must be an e-mail address such as oncall@example.com",
    r"^https?://[^\s]+$": "must be an http:// or https:// URL",
    r"^https?://\S+$": "must be an http:// or https:// URL",
    r"^https?://[^\s]+[^/]$": "must be an http:// or https:// URL without a trailing '/'",
    r"^https://[^\s]+$": "must be an https:// URL",
    r"^#[a-z0-9_-]+$": "must be a Slack channel such as #alerts-team (lowercase, with '#')",
    r"^1\.[0-9]{2}$": "must be a Kubernetes minor version such as 1.33",
    r"^[0-9]+(KB|MB|GB|TB)$": "must be a size such as 500MB or 2GB",
    r"^[a-z0-9.-]+$": "must be a domain name: lowercase letters, digits, '.' and '-'",
    r"^[A-Za-z0-9.-]+$": "must be a host name or IP address: letters, digits, '.' and '-'",
    r"^[A-Za-z0-9.-]+:[0-9]{1,5}$": "must be host:port, such as kafka-bootstrap.kafka.svc:9092",
    r"^[A-Za-z0-9._-]{1,249}$": (
        "must be a Kafka name: letters, digits, '.', '_' and '-', at most 249 characters"
    ),
    r"^[a-z][a-z0-9_-]*$": "must be lowercase letters, digits, '_' and '-', starting with a letter",
    r"^[a-z0-9][a-z0-9-]*$": "must be lowercase letters, digits and '-'",
    r"^P[0-3]$": "must be a priority P0, P1, P2 or P3",
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:00(Z|[+-]\d\d:\d\d)$": (
        "must be a time such as 2025-01-06T09:00:00Z (whole minutes, with a time zone)"
    ),
    r"^\d\d:\d\d$": "must be a time of day such as 09:00",
    r"^[a-z_][a-z0-9_]*$": "must be lowercase letters, digits and '_', starting with a letter",
    r"^synthetic_[a-z0-9_]+$": "must start with synthetic_ and be lowercase letters, digits, '_'",
    r"^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$": "must be a JSON path such as data.token",
    r"^/\S*$": "must be a path starting with '/', without spaces",
}

# Words a reference check uses for a kind of thing, and the list that declares those things.
REFERENCED_LISTS: Mapping[str, str] = {
    "team": "teams",
    "service": "services",
    "dependency": "dependencies",
    "flow": "synthetic_flows",
}

# Pydantic's kinds of type error, said in words.
TYPE_WORDS: Mapping[str, str] = {
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "string_type": "must be text",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "dict_type": "must be a map of keys",
    "model_type": "must be a map of keys",
    "model_attributes_type": "must be a map of keys",
}

_REFERENCE = re.compile(r"(unknown|no) (\w+)(?: named)? '([^']*)'")
_LEADING_PATH = re.compile(r"^([a-z_][a-z0-9_]*(?:\[\d+\]|\.[A-Za-z0-9_]+)*): (.*)$", re.S)
_EMBEDDED_PATH = re.compile(r"\b([a-z_][a-z0-9_]*)((?:\[\d+\]|\.[a-z0-9_]+)*\[\d+\](?:\.\w+)*)")
_PATH_PART = re.compile(r"\[(\d+)\]|\.?([A-Za-z0-9_]+)")
# How many places a grouped problem names before saying how many more.
_PLACES_SHOWN = 5


@dataclass(frozen=True)
class Problem:
    loc: Loc
    reason: str
    # A root cause (an unknown key or name) is reported before what it may have caused.
    root: bool = False
    # The key itself when `loc` names the map around it (an unknown key): which file it is in.
    key_loc: Loc | None = None

    @property
    def top_key(self) -> int | str | None:
        where = self.key_loc or self.loc
        return where[0] if where else None


def validation_problems(
    error: ValidationError, data: Mapping[str, object], model: type[BaseModel]
) -> list[Problem]:
    """Each problem pydantic found in `data` (validated as `model`), knock-on errors dropped."""
    details = error.errors(include_url=False)
    problems: list[Problem] = []
    suppressed: set[Loc] = set()
    for detail in details:
        if detail["type"] == "extra_forbidden":
            problem, caused = _unknown_key(detail, model)
            problems.append(problem)
            suppressed |= caused
    for detail in details:
        if detail["type"] == "extra_forbidden":
            continue
        if detail["type"] == "missing" and tuple(detail["loc"]) in suppressed:
            continue
        problems += _described(detail)
    return problems


def quoted_values(
    error: ValidationError, plain_text_keys: Collection[str], set_by_pulumi: Collection[str]
) -> list[Problem]:
    """Numbers and booleans written in quotes, from validating the same data in strict mode.
    A quoted `"7000"` is text that happens to look like a number. Keys in `plain_text_keys`
    hold text by nature (Pulumi stores a top-level `pulumi config set o11y:x 3` as text); under
    keys in `set_by_pulumi`, `pulumi config set --path` stores decimals as text unless told
    `--type float`."""
    problems: list[Problem] = []
    for detail in error.errors(include_url=False):
        loc, value = tuple(detail["loc"]), detail["input"]
        if not isinstance(value, str) or (len(loc) == 1 and loc[0] in plain_text_keys):
            continue
        if not _lax_reads(detail["type"], value):
            continue  # not a number even without quotes: the lax pass says what it must be
        if detail["type"] in ("int_type", "float_type"):
            reason = f"write {value.strip()} without quotes: a number, not text"
            if detail["type"] == "float_type" and loc and loc[0] in set_by_pulumi:
                reason += " (`pulumi config set --path` needs `--type float` for a decimal)"
            problems.append(Problem(loc, reason))
        elif detail["type"] == "bool_type":
            problems.append(Problem(loc, f"write {value.strip()} without quotes: true or false"))
    return problems


def _lax_reads(kind: str, value: str) -> bool:
    """Whether pydantic's lax mode would take this text as the number or boolean."""
    text = value.strip().lower()
    if kind == "bool_type":
        return text in ("true", "false", "yes", "no", "on", "off", "1", "0", "t", "f", "y", "n")
    try:
        number = float(text)
    except ValueError:
        return False
    return kind == "float_type" or number.is_integer()


def problem_lines(
    problems: Sequence[Problem], data: Mapping[str, object], model: type[BaseModel]
) -> list[str]:
    """One line per cause, root causes first; items named by name; one cause in many places
    said once with the places it is found."""
    places: dict[tuple[bool, str], list[str]] = {}
    for problem in problems:
        reason = _with_suggestion(_rename_embedded(problem.reason, data, model), data)
        paths = places.setdefault((not problem.root, reason), [])
        path = named_path(problem.loc, data, model)
        if path not in paths:
            paths.append(path)
    lines: list[tuple[bool, str]] = []
    for (later, reason), paths in places.items():
        if len(paths) == 1:
            line = f"{paths[0]}: {reason}" if paths[0] else reason
        else:
            shown = ", ".join(paths[:_PLACES_SHOWN])
            more = len(paths) - _PLACES_SHOWN
            shown += f" and {more} more" if more > 0 else ""
            line = f"{reason} (in {len(paths)} places: {shown})"
        lines.append((later, line))
    return [line for _, line in sorted(lines)]


def parse_problem(line: str) -> Problem:
    """A `path: reason` line written by a model's own check."""
    match = _LEADING_PATH.match(line)
    if match is None:
        return Problem((), line)
    reason = match.group(2)
    return Problem(parse_path(match.group(1)), reason, root=_REFERENCE.search(reason) is not None)


def parse_path(text: str) -> Loc:
    return tuple(
        int(index) if index else key for index, key in _PATH_PART.findall(text) if index or key
    )


def named_path(loc: Loc, data: object, model: type[BaseModel]) -> str:
    """`services[checkout].port` for loc ("services", 3, "port"); positions stay where an item
    has no name or shares it with another (a duplicate)."""
    text = ""
    node: object = data
    annotation: object = model
    for part in loc:
        if isinstance(part, str) and _tag_of(annotation, part):
            # The member of a union pydantic tried (a dependency's `kind`) is no key of the file.
            annotation = _step(annotation, part)
            continue
        annotation = _step(annotation, part) if annotation is not None else None
        if isinstance(part, int):
            label = str(part)
            if isinstance(node, list) and 0 <= part < len(node):
                name = _name_of(node[part])
                if name is not None and [_name_of(item) for item in node].count(name) == 1:
                    label = name
                node = node[part]
            else:
                node = None
            text += f"[{label}]"
            continue
        text += f".{part}" if text else part
        node = node.get(part) if isinstance(node, dict) else None
    return text


def sentence_case(message: str) -> str:
    """`input should be…` from pydantic's `Input should be…`; `SLO name…` stays as written."""
    if len(message) > 1 and message[1].isupper():
        return message
    return message[:1].lower() + message[1:]


def pattern_words(pattern: str) -> str:
    return PATTERN_WORDS.get(pattern, f"must match the pattern {pattern}")


def _unknown_key(detail: ErrorDetails, model: type[BaseModel]) -> tuple[Problem, set[Loc]]:
    loc = tuple(detail["loc"])
    parent, key = loc[:-1], str(loc[-1])
    known = _field_names(model, parent)
    guess = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if not guess:
        return Problem(parent, f"unknown key '{key}'", root=True, key_loc=loc), set()
    reason = f"unknown key '{key}' — did you mean '{guess[0]}'?"
    return Problem(parent, reason, root=True, key_loc=loc), {(*parent, guess[0])}


def _described(detail: ErrorDetails) -> list[Problem]:
    loc = tuple(detail["loc"])
    kind = detail["type"]
    message = str(detail["msg"]).removeprefix("Value error, ")
    if kind == "value_error" and not loc:
        # Cross-reference checks write their own `path: reason` lines.
        return [parse_problem(line) for line in message.splitlines()]
    if kind == "missing":
        return [Problem(loc, "required")]
    return [Problem(loc, _reason(kind, message, detail))]


def _reason(kind: str, message: str, detail: ErrorDetails) -> str:
    context = detail.get("ctx") or {}
    for name, symbol in (("lt", "<"), ("le", "<="), ("gt", ">"), ("ge", ">=")):
        if name in context and kind.startswith(("less_than", "greater_than")):
            bound = context[name]
            if isinstance(bound, float) and bound.is_integer():
                bound = int(bound)
            return f"must be {symbol} {bound} (got {detail['input']!r})"
    if kind == "string_pattern_mismatch":
        return f"{pattern_words(str(context.get('pattern')))} (got {detail['input']!r})"
    if kind in TYPE_WORDS:
        return f"{TYPE_WORDS[kind]} (got {detail['input']!r})"
    if kind == "literal_error":
        return f"{sentence_case(message)} (got {detail['input']!r})"
    if kind in ("too_short", "too_long"):
        bound = "min_length" if kind == "too_short" else "max_length"
        count = context.get(bound)
        items = "item" if count == 1 else "items"
        return f"must have {'at least' if kind == 'too_short' else 'at most'} {count} {items}"
    if kind == "union_tag_invalid":
        return f"unknown kind {detail['input']!r}; {message.split(';')[-1].strip()}"
    return sentence_case(message)


def _rename_embedded(reason: str, data: Mapping[str, object], model: type[BaseModel]) -> str:
    """Paths inside a reason (`already made from services[0].display_name`) named too."""

    def rename(match: re.Match[str]) -> str:
        if match.group(1) not in data:
            return match.group(0)
        return named_path(parse_path(match.group(0)), data, model)

    return _EMBEDDED_PATH.sub(rename, reason)


def _with_suggestion(reason: str, data: Mapping[str, object]) -> str:
    """`unknown team 'platfrom'` gets `— did you mean 'platform'?` from the declared teams."""
    match = _REFERENCE.search(reason)
    if match is None or "did you mean" in reason:
        return reason
    declared = data.get(REFERENCED_LISTS.get(match.group(2), ""))
    if not isinstance(declared, list):
        return reason
    names = [name for name in (_name_of(item) for item in declared) if name is not None]
    guess = difflib.get_close_matches(match.group(3), names, n=1, cutoff=0.6)
    if not guess or guess[0] == match.group(3):
        return reason
    return f"{reason} — did you mean '{guess[0]}'?"


def _name_of(item: object) -> str | None:
    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        name = item.get("name")
        return name if isinstance(name, str) and name else None
    return None


def _field_names(model: type[BaseModel], loc: Loc) -> list[str]:
    """The keys the model accepts at `loc` (empty when the walk cannot tell)."""
    annotation: object = model
    for part in loc:
        annotation = _step(annotation, part)
        if annotation is None:
            return []
    found = _model_of(annotation)
    return sorted(found.model_fields) if found is not None else []


def _step(annotation: object, part: int | str) -> object:
    annotation = _unwrapped(annotation)
    origin = get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if isinstance(part, str) and part in annotation.model_fields:
            return annotation.model_fields[part].annotation
        return None
    if origin in (Union, types.UnionType):
        members = [_unwrapped(a) for a in get_args(annotation) if a is not type(None)]
        if isinstance(part, str):
            for member in members:
                if _has_tag(member, part):
                    return member
        models = [m for m in members if _model_of(m) is not None or get_origin(m) is not None]
        return _step(models[0], part) if len(models) == 1 else None
    if origin in (list, tuple, set, frozenset) and isinstance(part, int):
        return get_args(annotation)[0]
    if origin is dict and isinstance(part, str):
        return get_args(annotation)[1]
    return None


def _tag_of(annotation: object, part: str) -> bool:
    annotation = _unwrapped(annotation)
    if get_origin(annotation) not in (Union, types.UnionType):
        return False
    return any(_has_tag(_unwrapped(member), part) for member in get_args(annotation))


def _has_tag(member: object, tag: str) -> bool:
    model = _model_of(member)
    if model is None:
        return False
    return any(
        get_origin(field.annotation) is Literal and tag in get_args(field.annotation)
        for field in model.model_fields.values()
    )


def _unwrapped(annotation: object) -> object:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _model_of(annotation: object) -> type[BaseModel] | None:
    annotation = _unwrapped(annotation)
    if get_origin(annotation) in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        if len(members) == 1:
            return _model_of(members[0])
        return None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None
