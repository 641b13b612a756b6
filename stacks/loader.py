"""Reads the running Pulumi stack's config and the shared catalog into the core's `Stack`.

Secret values are read here only, wrapped at once in `pulumi.Output.secret`, and handed to the
components that need them; the core model sees their names, never their values.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pulumi
from pulumi.runtime import config as runtime_config

from o11y.config import NAMESPACE, SECRETS_KEY, ConfigError, RawConfig, parse_stack, read_catalog
from o11y.model.stack import Stack, required_secrets, why_required
from o11y.yamlfile import YamlFileError

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class LoadedStack:
    stack: Stack
    secrets: Mapping[str, pulumi.Output[str]]


def engine_config() -> RawConfig:
    """The stack's config as the engine passes it (PULUMI_CONFIG), plus anything set in-process."""
    values: dict[str, str] = {}
    for source in (runtime_config.get_config_env(), runtime_config.CONFIG.get()):
        for key, value in source.items():
            values[str(key)] = value if isinstance(value, str) else json.dumps(value)
    secret_keys = set(runtime_config.get_config_secret_keys_env())
    secret_keys |= runtime_config._SECRET_KEYS.get()
    return RawConfig(values=values, secret_keys=frozenset(str(k) for k in secret_keys))


def secret_outputs(raw: RawConfig) -> dict[str, pulumi.Output[str]]:
    """Each value under `o11y:secrets`, as a Pulumi secret."""
    text = raw.values.get(f"{NAMESPACE}:{SECRETS_KEY}")
    decoded: object = json.loads(text) if text else {}
    if not isinstance(decoded, dict):
        return {}
    return {str(k): pulumi.Output.secret(str(v)) for k, v in sorted(decoded.items())}


def load_stack(raw: RawConfig | None = None, stack_name: str | None = None) -> LoadedStack:
    """Validate the running stack before any resource exists; a bad config ends the run with one
    message. The stack's name is the environment; its file's `profile` decides the rest."""
    raw = engine_config() if raw is None else raw
    try:
        stack = parse_stack(raw, read_catalog(PROJECT_ROOT), stack_name or pulumi.get_stack())
    except (ConfigError, YamlFileError) as error:
        # A RunError is shown by `pulumi up` as its message alone, without a traceback.
        raise pulumi.RunError(str(error)) from None
    missing = [name for name in required_secrets(stack) if name not in stack.secrets]
    if missing:
        lines = [f"secrets.{name}: {why_required(stack, name)}" for name in missing]
        hint = "set with: pulumi config set --secret --path 'secrets.<name>' <value>"
        raise pulumi.RunError("missing secrets:\n  " + "\n  ".join([*lines, hint]))
    return LoadedStack(stack=stack, secrets=secret_outputs(raw))
