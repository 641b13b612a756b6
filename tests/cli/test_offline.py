"""The offline runner's plan rows: provider, protect, dependencies and masked secret inputs."""

import json
from collections.abc import Callable
from hashlib import sha256

import pulumi
import pulumi_kubernetes as k8s
import pytest

from cli.mocks import record
from cli.offline import SECRET_MASK, masked, plan_rows, run_program, stack_plan
from o11y.config import read_offline, read_stack_file, with_secret_placeholders
from o11y.model.stack import required_secrets
from o11y.plan import plan_json
from tests.conftest import ROOT, load_stack
from tests.trees import dig


def plan(build: Callable[[], None]) -> dict[str, dict[str, object]]:
    """Plan rows of what `build` registers, by resource name."""
    return {row.name: row.model_dump(mode="json") for row in plan_rows(record(build, "test"))}


def test_a_row_names_its_provider_protection_and_what_it_waits_for() -> None:
    def program() -> None:
        provider = k8s.Provider("cluster", context="test")
        namespace = k8s.core.v1.Namespace(
            "namespace", metadata={"name": "obs"}, opts=pulumi.ResourceOptions(provider=provider)
        )
        first = k8s.core.v1.ConfigMap(
            "first", metadata={"namespace": "obs"}, opts=pulumi.ResourceOptions(provider=provider)
        )
        k8s.core.v1.ConfigMap(
            "second",
            metadata={"namespace": namespace.metadata.name},
            opts=pulumi.ResourceOptions(provider=provider, depends_on=[first], protect=True),
        )

    rows = plan(program)
    second = rows["second"]
    assert second["provider"] == "cluster"
    assert second["protect"] is True
    # Explicit depends_on and the resource whose output it takes, by name, sorted.
    assert second["dependencies"] == ["first", "namespace"]
    assert rows["first"]["protect"] is False
    assert rows["first"]["dependencies"] == []
    assert rows["cluster"]["provider"] is None


def test_every_value_pulumi_holds_secret_is_masked() -> None:
    def program() -> None:
        provider = k8s.Provider("cluster", context="test")
        k8s.core.v1.ConfigMap(
            "wrapped",
            data={"token": pulumi.Output.secret("hunter2"), "mode": "plain"},
            opts=pulumi.ResourceOptions(provider=provider),
        )
        k8s.core.v1.ConfigMap(
            "declared",
            data={"key": "declared-secret-output"},
            opts=pulumi.ResourceOptions(provider=provider, additional_secret_outputs=["data"]),
        )
        k8s.core.v1.Secret(
            "secret",
            string_data={"key": "secret-by-its-type"},
            opts=pulumi.ResourceOptions(provider=provider),
        )

    rows = plan(program)
    # A secret inside a property makes Pulumi hold the whole property secret.
    assert rows["wrapped"]["inputs"] == {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "data": SECRET_MASK,
    }
    assert dig(rows["declared"], "inputs", "data") == SECRET_MASK
    text = json.dumps(list(rows.values()))
    for value in ("hunter2", "declared-secret-output", "secret-by-its-type"):
        assert value not in text


def test_whole_numbers_read_back_as_integers() -> None:
    assert masked({"replicas": 3.0, "ratio": 0.5, "items": [1.0]}) == {
        "replicas": 3,
        "ratio": 0.5,
        "items": [1],
    }


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_no_secret_value_appears_in_the_plan(name: str) -> None:
    stack = load_stack(name)
    everything = ["pagerduty_token", "slack_webhook_url", "smtp_password", *required_secrets(stack)]
    raw = with_secret_placeholders(read_stack_file(ROOT / f"Pulumi.{name}.yaml"), everything)
    text = plan_json(plan_rows(run_program(raw, name)))
    assert SECRET_MASK in text
    # Placeholders of the stack secrets and the values the mocks generate.
    for value in ("<secret:", "mock-password", "mock-integration-key"):
        assert value not in text


def test_long_strings_show_as_their_size_and_digest() -> None:
    model = '{"panels": []}' + " " * 5000
    shown = masked({"config_json": model, "title": "Overview"})
    assert isinstance(shown, dict)
    assert shown["title"] == "Overview"
    assert (
        shown["config_json"]
        == f"[{len(model)} bytes, sha256 {sha256(model.encode()).hexdigest()[:16]}]"
    )
    assert masked("x" * 4096) == "x" * 4096


def test_the_command_line_plans_what_pulumi_up_registers() -> None:
    """In-process, from a stack read once, the plan equals the one of the program's entry point
    (__main__.py reading the engine's config)."""
    path = ROOT / "Pulumi.dev.yaml"
    offline = read_offline(path, ROOT, "dev")
    from_entry_point = plan_rows(run_program(offline.raw, "dev"))
    assert plan_json(stack_plan(offline)) == plan_json(from_entry_point)
