"""Runs this project's real Pulumi program offline, under Pulumi mocks, and records what it registers.

Used by every command that needs the plan (`plan`, `render`, `check`, `import-file`, the
goldens) in this very process, and by the mock tests. Nothing here reaches a cluster, Grafana
or PagerDuty.
"""

import hashlib
import runpy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import pulumi
from google.protobuf import struct_pb2
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc, settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await
from pydantic import JsonValue

from components.program import program
from o11y.config import OfflineStack, RawConfig
from o11y.plan import PlanRow
from stacks.loader import PROJECT_ROOT, secret_outputs

# Pulumi marks a secret value with this signature key in the wire format.
_SECRET_SIG = rpc._special_sig_key
_SECRET_VALUE = rpc._special_secret_sig


@dataclass(frozen=True)
class Registration:
    """One registered resource, as the engine would have seen it."""

    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    protect: bool
    provider: str
    dependencies: tuple[str, ...]
    inputs: Mapping[str, object]
    secret_inputs: frozenset[str]
    additional_secret_outputs: tuple[str, ...]
    ignore_changes: tuple[str, ...] = ()

    @property
    def parent_name(self) -> str:
        return self.parent.rsplit("::", 1)[-1] if self.parent else ""


def _secret_paths(value: struct_pb2.Value, path: str) -> list[str]:
    kind = value.WhichOneof("kind")
    if kind == "struct_value":
        fields = value.struct_value.fields
        if _SECRET_SIG in fields and fields[_SECRET_SIG].string_value == _SECRET_VALUE:
            return [path]
        return [p for k, v in fields.items() for p in _secret_paths(v, f"{path}.{k}".lstrip("."))]
    if kind == "list_value":
        return [p for i, v in enumerate(value.list_value.values) for p in _secret_paths(v, path)]
    return []


class _RecordingMonitor(pulumi_mocks.MockMonitor):
    def __init__(self, mocks: pulumi_mocks.Mocks) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []

    def RegisterResource(self, request: object) -> object:
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        req = cast("_RegisterRequest", request)
        if req.type != "pulumi:pulumi:Stack":
            secret = [
                p for key, value in req.object.fields.items() for p in _secret_paths(value, key)
            ]
            self.registrations.append(
                Registration(
                    urn=cast("str", response.urn),
                    type=req.type,
                    name=req.name,
                    parent=req.parent,
                    custom=req.custom,
                    protect=req.protect,
                    provider=req.provider,
                    dependencies=tuple(req.dependencies),
                    inputs=cast("dict[str, object]", rpc.deserialize_properties(req.object)),
                    secret_inputs=frozenset(secret),
                    additional_secret_outputs=tuple(req.additionalSecretOutputs),
                    ignore_changes=tuple(req.ignoreChanges),
                )
            )
        return response


class _RegisterRequest:
    """The fields of the engine's RegisterResourceRequest this module reads."""

    type: str
    name: str
    parent: str
    custom: bool
    protect: bool
    provider: str
    dependencies: Sequence[str]
    additionalSecretOutputs: Sequence[str]
    ignoreChanges: Sequence[str]
    object: struct_pb2.Struct


class _Mocks(pulumi_mocks.Mocks):
    """Every resource echoes its inputs; generated values get stable stand-ins."""

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str, dict[str, object]]:
        state = dict(cast("dict[str, object]", args.inputs))
        if args.typ == "random:index/randomPassword:RandomPassword":
            state["result"] = f"mock-password-{args.name}"
        if args.typ == "pagerduty:index/serviceIntegration:ServiceIntegration":
            state["integrationKey"] = f"mock-integration-key-{args.name}"
        if args.typ == "sentry:index/sentryKey:SentryKey":
            state["dsnPublic"] = f"https://mock-{args.name}@sentry.invalid/1"
        return f"{args.name}-id", state

    def call(
        self, args: pulumi_mocks.MockCallArgs
    ) -> tuple[dict[str, object], list[tuple[str, str]] | None]:
        return {}, None


def record(build: Callable[[], None], stack_name: str) -> list[Registration]:
    """Every resource `build` registers under the recording mocks, in order."""
    settings.ROOT.set(None)
    mocks = _Mocks()
    monitor = _RecordingMonitor(mocks)
    pulumi_mocks.set_mocks(mocks, project="o11y", stack=stack_name, preview=False, monitor=monitor)
    settings.SETTINGS.rpc_manager.clear()
    _sync_await(run_pulumi_func(build))
    return list(monitor.registrations)


def run_program(raw: RawConfig, stack_name: str) -> list[Registration]:
    """Run the program's entry point (__main__.py, as `pulumi up` runs it) under mocks with
    this engine config; every registration, in order."""
    set_all_config(dict(raw.values), sorted(raw.secret_keys))
    program = PROJECT_ROOT / "__main__.py"

    def program_main() -> None:
        runpy.run_path(str(program), run_name="__main__")

    return record(program_main, stack_name)


# What `plan --json` shows instead of a secret value.
SECRET_MASK = "[secret]"


# Strings longer than this (dashboard JSON models) show as their size and digest: the
# content itself is rendered as its own file (`render`), where a diff reads well.
LONG_STRING = 4096


def masked(value: object) -> JsonValue:
    """An input with every value Pulumi holds as a secret replaced by SECRET_MASK, and long
    strings by their size and SHA-256."""
    if isinstance(value, str) and len(value) > LONG_STRING:
        digest = hashlib.sha256(value.encode()).hexdigest()[:16]
        return f"[{len(value.encode())} bytes, sha256 {digest}]"
    if isinstance(value, Mapping):
        if value.get(_SECRET_SIG) == _SECRET_VALUE:
            return SECRET_MASK
        return {str(k): masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [masked(v) for v in value]
    # The wire has one number type; whole numbers read as the integers the program wrote.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"not a value the engine passes: {value!r}")


def _resource_name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def _provider_name(reference: str) -> str | None:
    """The provider's resource name from a `<urn>::<id>` reference; None for no provider."""
    return _resource_name(reference.rsplit("::", 1)[0]) if reference else None


def plan_rows(registrations: Sequence[Registration]) -> list[PlanRow]:
    """The resource graph as rows, sorted for stable output. Inputs Pulumi holds as secrets
    (Output.secret, secret config, additional_secret_outputs) show as SECRET_MASK, never
    their value."""
    rows = [
        # Built from what the engine deserialised: JSON values already, nothing to validate.
        PlanRow.model_construct(
            type=r.type,
            name=r.name,
            parent=r.parent_name,
            provider=_provider_name(r.provider),
            protect=r.protect,
            dependencies=sorted({_resource_name(urn) for urn in r.dependencies}),
            inputs={
                key: SECRET_MASK if key in r.additional_secret_outputs else masked(value)
                for key, value in r.inputs.items()
            },
        )
        for r in registrations
    ]
    return sorted(rows, key=lambda row: (row.parent, row.type, row.name))


class PlanError(Exception):
    """The program refused the stack; the message is the program's own."""


def stack_plan(offline: OfflineStack) -> list[PlanRow]:
    """Every resource the program registers for a stack read offline, sorted; the secrets it
    must have stand in as placeholders. A config the program refuses raises PlanError."""

    def build() -> None:
        program(offline.stack, secret_outputs(offline.raw))

    try:
        return plan_rows(record(build, offline.stack.environment))
    except pulumi.RunError as error:
        raise PlanError(str(error)) from None
