"""Pulumi's mocks, recording what a program registers: every resource with its type, parent,
provider, options and inputs, and which inputs Pulumi holds as secrets.

Imports nothing but the Pulumi SDK, so a bare program measured against ours
(benchmarks/synthesis.py) pays for nothing else.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from google.protobuf import struct_pb2
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc, settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

# Pulumi marks a secret value with this signature key in the wire format.
SECRET_SIG = rpc._special_sig_key
SECRET_VALUE = rpc._special_secret_sig


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
        if SECRET_SIG in fields and fields[SECRET_SIG].string_value == SECRET_VALUE:
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
