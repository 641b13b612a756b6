"""The one funnel for configuration: raw Pulumi config (engine form) + shared catalog -> `Stack`.

The Pulumi program and the offline command line both come through `parse_stack`, so a stack
that renders offline is the stack `pulumi up` builds. Problems are collected and reported under
the file they are in, one line each (`services[checkout].port: reason`), before anything is
created.
"""

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from o11y.model.stack import Stack, required_secrets
from o11y.problems import Problem, problem_lines, quoted_values, validation_problems
from o11y.yamlfile import YamlFileError, read_map, shown

NAMESPACE = "o11y"
# The one config key that holds secret values (a Pulumi secret object).
SECRETS_KEY = "secrets"
# The environment is the stack's name; a stack file that still names one is told what replaced it.
ENVIRONMENT_KEY = "environment"
STACK_FILE_PREFIX = "Pulumi."
STACK_FILE_SUFFIX = ".yaml"
CATALOG_FILE = Path("stacks") / "catalog.yaml"


class ConfigError(Exception):
    """Configuration problems, each a line `path: reason`, under the file they are in."""

    def __init__(self, problems: list[str], file: str | None = None) -> None:
        self.problems = problems
        self.files: dict[str | None, list[str]] = {file: problems}
        super().__init__(self.report())

    @classmethod
    def in_files(cls, files: Mapping[str | None, list[str]]) -> "ConfigError":
        """Problems of several files; `problems` lists them all."""
        error = cls([problem for lines in files.values() for problem in lines])
        error.files = {file: lines for file, lines in files.items() if lines}
        error.args = (error.report(),)
        return error

    def report(self) -> str:
        """`FILE: N problems`, then the problems indented, for each file."""
        lines: list[str] = []
        for file, problems in self.files.items():
            count = f"{len(problems)} problem{'' if len(problems) == 1 else 's'}"
            lines.append(f"{file}: {count}" if file else f"invalid configuration: {count}")
            lines += [f"  {problem}" for problem in problems]
        return "\n".join(lines)


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
        try:
            names = json.loads(raw)
        except json.JSONDecodeError:
            names = None
        if not isinstance(names, dict):
            raise ConfigError([f"{SECRETS_KEY}: must be a map of secret names to secret values"])
        return frozenset(str(k) for k in names)


# What the shared catalog holds (a stack file may override any of them): a problem with one
# that neither file sets, such as a missing `services`, is the catalog's.
CATALOG_KEYS = frozenset(
    {
        "teams",
        "services",
        "dependencies",
        "tls_endpoints",
        "business_rules",
        "business_domains",
        "security_rules",
        "cost_labels",
        "synthetic_flows",
        "anomalies",
    }
)


def parse_stack(
    raw: RawConfig,
    catalog: Mapping[str, object],
    stack_name: str,
    stack_file_name: str | None = None,
    catalog_file_name: str = str(CATALOG_FILE),
) -> Stack:
    """Validate the stack `stack_name`; raises ConfigError naming every problem under the file
    it is in: a key the stack file sets is the stack file's, any other the catalog's."""
    data: dict[str, object] = dict(catalog)
    problems: list[str] = []
    # Values Pulumi hands over as text (`pulumi config set o11y:x 3`), not structured YAML.
    plain_text: set[str] = set()
    from_stack_file: set[str] = set()
    for key, value in sorted(raw.values.items()):
        namespace, _, name = key.partition(":")
        if namespace != NAMESPACE or name == SECRETS_KEY:
            continue
        from_stack_file.add(name)
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
        if data[name] is value:
            plain_text.add(name)
    secrets_key = f"{NAMESPACE}:{SECRETS_KEY}"
    if secrets_key in raw.values and secrets_key not in raw.secret_keys:
        problems.append(
            f"{SECRETS_KEY}: stored in plain text; set each value with "
            f"pulumi config set --secret --path '{SECRETS_KEY}.<name>'"
        )
    try:
        data["secrets"] = sorted(raw.secret_names())
    except ConfigError as error:
        problems += error.problems
    data[ENVIRONMENT_KEY] = stack_name
    stack_file_name = stack_file_name or f"{STACK_FILE_PREFIX}{stack_name}{STACK_FILE_SUFFIX}"
    if problems:
        raise ConfigError(problems, stack_file_name)
    found: list[Problem] = []
    stack: Stack | None = None
    try:
        stack = Stack.model_validate(data)
    except ValidationError as error:
        found += validation_problems(error, data, Stack)
    try:
        Stack.model_validate(data, strict=True)
    except ValidationError as error:
        found += quoted_values(error, plain_text | {"secrets", ENVIRONMENT_KEY}, from_stack_file)
    if stack is not None and not found:
        return stack
    files: dict[str | None, list[Problem]] = {catalog_file_name: [], stack_file_name: []}
    for problem in found:
        in_catalog = problem.top_key not in from_stack_file and (
            problem.top_key in catalog or problem.top_key in CATALOG_KEYS
        )
        files[catalog_file_name if in_catalog else stack_file_name].append(problem)
    raise ConfigError.in_files(
        {file: problem_lines(problems_, data, Stack) for file, problems_ in files.items()}
    )


@dataclass(frozen=True)
class OfflineStack:
    """A stack file read for offline use: the validated stack, and its config in engine form
    with stand-ins for the secrets a real stack must set (what the program is handed)."""

    stack: Stack
    raw: RawConfig


def read_offline(stack_file: Path, root: Path, stack_name: str | None = None) -> OfflineStack:
    """A stack file as `pulumi up` would see it, with stand-ins for the secrets it must have,
    read and validated once. The stack is named after the file (`Pulumi.<name>.yaml`) unless
    `stack_name` says otherwise."""
    name = stack_name or stack_name_of(stack_file)
    raw = read_stack_file(stack_file)
    files = {"stack_file_name": shown(stack_file), "catalog_file_name": shown(root / CATALOG_FILE)}
    stack = parse_stack(raw, read_catalog(root), name, **files)
    missing = [n for n in required_secrets(stack) if n not in stack.secrets]
    # Only the secrets' names reach the model: the stand-ins add names, nothing else.
    with_placeholders = stack.model_copy(update={"secrets": stack.secrets | set(missing)})
    return OfflineStack(with_placeholders, with_secret_placeholders(raw, missing))


def load_offline(stack_file: Path, root: Path, stack_name: str | None = None) -> Stack:
    """The validated stack of a stack file, with stand-ins for the secrets it must have."""
    return read_offline(stack_file, root, stack_name).stack


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
    return read_map(root / CATALOG_FILE, "a map of keys such as teams: and services:")


def read_stack_file(path: Path) -> RawConfig:
    """A Pulumi stack file (`config:` map) in engine form. `secure:` values become placeholders.
    As the engine does, a top-level value is text and a structured one JSON keeping its types."""
    loaded = read_map(path, "a Pulumi stack file with a `config:` map")
    config = loaded.get("config", {})
    if not isinstance(config, dict):
        raise YamlFileError(path, "`config:` must be a map of keys such as o11y:profile")
    values: dict[str, str] = {}
    secret_keys: set[str] = set()
    for key, value in config.items():
        plain, secret = _reveal_placeholders(str(key), value)
        if isinstance(plain, dict | list):
            values[str(key)] = json.dumps(plain, sort_keys=True)
        else:
            values[str(key)] = _engine_text(plain)
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
    if value is None or isinstance(value, str | int | float | bool):
        return value, False
    return str(value), False  # a date YAML parsed: the engine passes it as written


def _engine_text(value: object) -> str:
    """A top-level config value as the engine passes it: always text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _decode(value: str) -> object:
    """Engine form to data: objects and lists arrive as JSON text, scalars as plain text."""
    if value[:1] in ("{", "["):
        try:
            decoded: object = json.loads(value)
        except json.JSONDecodeError:
            return value
        return decoded
    return value
