"""The one funnel for configuration: raw Pulumi config (engine form) + shared catalog -> `Stack`.

The Pulumi program and the offline command line both come through `parse_stack`, so a stack
that renders offline is the stack `pulumi up` builds. Problems are collected and reported as
`key.path[3].field: reason`, one line each, before anything is created.
"""

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from o11y.model.stack import Stack, required_secrets

NAMESPACE = "o11y"
# The one config key that holds secret values (a Pulumi secret object).
SECRETS_KEY = "secrets"
# The environment is the stack's name; a stack file that still names one is told what replaced it.
ENVIRONMENT_KEY = "environment"
STACK_FILE_PREFIX = "Pulumi."
STACK_FILE_SUFFIX = ".yaml"
CATALOG_FILE = Path("stacks") / "catalog.yaml"


class ConfigError(Exception):
    """Configuration problems, each a line `path: reason`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class RawConfig:
    """Config as the Pulumi engine hands it over: `o11y:`-keys, string values, secret key names."""

    values: Mapping[str, str]
    secret_keys: frozenset[str]

    def secret_names(self) -> frozenset[str]:
        """Names under `o11y:secrets` (their values are never read here)."""
        raw = self.values.get(f"{NAMESPACE}:{SECRETS_KEY}")
        if raw is None:
            return frozenset()
        names = json.loads(raw)
        if not isinstance(names, dict):
            raise ConfigError([f"{SECRETS_KEY}: must be a map of secret names to secret values"])
        return frozenset(str(k) for k in names)


def parse_stack(raw: RawConfig, catalog: Mapping[str, object], stack_name: str) -> Stack:
    """Validate the stack `stack_name`; raises ConfigError naming every problem."""
    data: dict[str, object] = dict(catalog)
    problems: list[str] = []
    for key, value in sorted(raw.values.items()):
        namespace, _, name = key.partition(":")
        if namespace != NAMESPACE or name == SECRETS_KEY:
            continue
        if name == ENVIRONMENT_KEY:
            problems.append(
                f"{ENVIRONMENT_KEY}: the environment is the stack's name ({stack_name}); "
                "remove this key and set `profile` (production or development)"
            )
            continue
        if f"{NAMESPACE}:{name}" in raw.secret_keys:
            problems.append(
                f"{name}: is a secret; put secret values under `{SECRETS_KEY}` "
                f"(pulumi config set --secret --path '{SECRETS_KEY}.<name>')"
            )
            continue
        data[name] = _decode(value)
    secrets_key = f"{NAMESPACE}:{SECRETS_KEY}"
    if secrets_key in raw.values and secrets_key not in raw.secret_keys:
        problems.append(
            f"{SECRETS_KEY}: stored in plain text; set each value with "
            f"pulumi config set --secret --path '{SECRETS_KEY}.<name>'"
        )
    data["secrets"] = sorted(raw.secret_names())
    data[ENVIRONMENT_KEY] = stack_name
    if problems:
        raise ConfigError(problems)
    try:
        return Stack.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_problems(error)) from None


def load_offline(stack_file: Path, root: Path, stack_name: str | None = None) -> Stack:
    """A stack file as `pulumi up` would see it, with stand-ins for the secrets it must have.
    The stack is named after the file (`Pulumi.<name>.yaml`) unless `stack_name` says otherwise."""
    name = stack_name or stack_name_of(stack_file)
    raw = read_stack_file(stack_file)
    catalog = read_catalog(root)
    stack = parse_stack(raw, catalog, name)
    return parse_stack(with_secret_placeholders(raw, required_secrets(stack)), catalog, name)


def stack_file(root: Path, stack_name: str) -> Path:
    """Where the stack `stack_name` keeps its config: `Pulumi.<name>.yaml` in the project."""
    return root / f"{STACK_FILE_PREFIX}{stack_name}{STACK_FILE_SUFFIX}"


def stack_name_of(path: Path) -> str:
    """`staging` for `Pulumi.staging.yaml`; the bare file stem for any other name."""
    name = path.name
    if name.startswith(STACK_FILE_PREFIX) and name.endswith(STACK_FILE_SUFFIX):
        return name[len(STACK_FILE_PREFIX) : -len(STACK_FILE_SUFFIX)]
    return path.stem


def stack_names(root: Path) -> list[str]:
    """Every stack of a project: one per `Pulumi.<name>.yaml` (the project file excluded)."""
    return sorted(
        stack_name_of(path)
        for path in root.glob(f"{STACK_FILE_PREFIX}*{STACK_FILE_SUFFIX}")
        if path.is_file() and stack_name_of(path)
    )


def read_catalog(root: Path) -> Mapping[str, object]:
    """The shared catalog of a project (stacks/catalog.yaml)."""
    loaded = yaml.safe_load((root / CATALOG_FILE).read_text(encoding="utf-8"))
    if not isinstance(loaded, dict):
        raise ConfigError([f"{CATALOG_FILE}: must be a map"])
    return {str(k): v for k, v in loaded.items()}


def read_stack_file(path: Path) -> RawConfig:
    """A Pulumi stack file (`config:` map) in engine form. `secure:` values become placeholders."""
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError([f"{path}: cannot read ({error.strerror})"]) from None
    except yaml.YAMLError as error:
        raise ConfigError([f"{path}: not valid YAML ({error})"]) from None
    config = loaded.get("config", {}) if isinstance(loaded, dict) else None
    if not isinstance(config, dict):
        raise ConfigError([f"{path}: expected a Pulumi stack file with a `config:` map"])
    values: dict[str, str] = {}
    secret_keys: set[str] = set()
    for key, value in config.items():
        plain, secret = _reveal_placeholders(str(key), value)
        values[str(key)] = plain if isinstance(plain, str) else json.dumps(plain, sort_keys=True)
        if secret:
            secret_keys.add(str(key))
    return RawConfig(values=values, secret_keys=frozenset(secret_keys))


def with_secret_placeholders(raw: RawConfig, names: Collection[str]) -> RawConfig:
    """The config with placeholder values for secrets a real stack must set (offline use only)."""
    key = f"{NAMESPACE}:{SECRETS_KEY}"
    present: dict[str, object] = json.loads(raw.values[key]) if key in raw.values else {}
    for name in names:
        present.setdefault(name, secret_placeholder(f"{key}.{name}"))
    if not present:
        return raw
    values = {**raw.values, key: json.dumps(present, sort_keys=True)}
    return RawConfig(values=values, secret_keys=raw.secret_keys | {key})


def secret_placeholder(name: str) -> str:
    """The stable stand-in written wherever a secret value would go offline."""
    return f"<secret:{name}>"


def _reveal_placeholders(path: str, value: object) -> tuple[object, bool]:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return secret_placeholder(path), True
        items = [(str(k), _reveal_placeholders(f"{path}.{k}", v)) for k, v in value.items()]
        return {k: v for k, (v, _) in items}, any(s for _, (_, s) in items)
    if isinstance(value, list):
        items_ = [_reveal_placeholders(f"{path}[{i}]", v) for i, v in enumerate(value)]
        return [v for v, _ in items_], any(s for _, s in items_)
    if isinstance(value, bool):
        return ("true" if value else "false"), False
    if value is None:
        return "", False
    return (value if isinstance(value, str) else str(value)), False


def _decode(value: str) -> object:
    """Engine form to data: objects and lists arrive as JSON text, scalars as plain text."""
    if value[:1] in ("{", "["):
        try:
            decoded: object = json.loads(value)
        except json.JSONDecodeError:
            return value
        return decoded
    return value


def _problems(error: ValidationError) -> list[str]:
    problems: list[str] = []
    for detail in error.errors(include_url=False):
        problems.extend(_describe(detail))
    return sorted(dict.fromkeys(problems))


def _describe(detail: ErrorDetails) -> list[str]:
    path = _path(detail["loc"])
    kind = detail["type"]
    message = detail["msg"]
    if kind == "value_error" and not path:
        # Cross-reference checks report their own `path: reason` lines.
        return str(message).removeprefix("Value error, ").splitlines()
    message = str(message).removeprefix("Value error, ")
    reason = {
        "extra_forbidden": "unknown key",
        "missing": "required",
    }.get(kind, _reason(kind, message, detail))
    return [f"{path or '(top level)'}: {reason}"]


def _reason(kind: str, message: str, detail: ErrorDetails) -> str:
    context = detail.get("ctx") or {}
    for name, symbol in (("lt", "<"), ("le", "<="), ("gt", ">"), ("ge", ">=")):
        if name in context and kind.startswith(("less_than", "greater_than")):
            bound = context[name]
            if isinstance(bound, float) and bound.is_integer():
                bound = int(bound)
            return f"must be {symbol} {bound} (got {detail['input']!r})"
    if kind == "literal_error":
        return f"{message[0].lower()}{message[1:]} (got {detail['input']!r})"
    if kind == "union_tag_invalid":
        return f"unknown kind {detail['input']!r}; {message.split(';')[-1].strip()}"
    return f"{message[0].lower()}{message[1:]}"


def _path(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in ("availability", "latency", "postgres", "redis", "kafka", "partner_api"):
            continue  # discriminated-union tags are not keys the user wrote
        else:
            text += f".{part}" if text else part
    return text
