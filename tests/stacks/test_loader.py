"""The program reads its config the way the Pulumi engine hands it over (PULUMI_CONFIG)."""

import json
from pathlib import Path

import pulumi
import pytest
import yaml
from pulumi.runtime import config as runtime_config

from o11y.config import stack_names
from o11y.model.stack import Stack, required_secrets
from stacks import loader
from stacks.loader import engine_config, load_stack

ROOT = Path(__file__).resolve().parents[2]


def engine_environment(stack: str, secrets: dict[str, str]) -> dict[str, str]:
    """PULUMI_CONFIG as the engine sets it: `o11y:`-keys, objects as JSON text."""
    config = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8"))["config"]
    values = {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}
    values["o11y:secrets"] = json.dumps(secrets)
    return {
        "PULUMI_CONFIG": json.dumps(values),
        "PULUMI_CONFIG_SECRET_KEYS": json.dumps(["o11y:secrets"]),
    }


@pytest.fixture(autouse=True)
def no_in_process_config() -> None:
    runtime_config.set_all_config({}, [])


def test_the_engines_config_becomes_the_stack(
    monkeypatch: pytest.MonkeyPatch, dev_stack: Stack
) -> None:
    # What dev requires (its database, its synthetic flows' credentials) and one optional.
    secrets = dict.fromkeys(required_secrets(dev_stack), "x")
    secrets["slack_webhook_url"] = "https://hooks"
    for key, value in engine_environment("dev", secrets).items():
        monkeypatch.setenv(key, value)
    raw = engine_config()
    assert raw.secret_keys == {"o11y:secrets"}
    loaded = load_stack(stack_name="dev")
    assert loaded.stack.environment == "dev"
    assert loaded.stack.secrets == set(secrets)
    assert set(loaded.secrets) == set(secrets)


def test_prod_without_its_secrets_stops_before_any_resource(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, value in engine_environment("prod", {"pagerduty_token": "t"}).items():
        monkeypatch.setenv(key, value)
    with pytest.raises(pulumi.RunError) as caught:
        load_stack(stack_name="prod")
    message = str(caught.value)
    assert "secrets.slack_webhook_url: required by the production profile" in message
    assert "secrets.pagerduty_token" not in message


def test_a_bad_value_stops_the_program_with_its_key_path(monkeypatch: pytest.MonkeyPatch) -> None:
    environment = engine_environment("dev", {})
    values = json.loads(environment["PULUMI_CONFIG"])
    values["o11y:kubernetes"] = json.dumps({"context": "kind", "namespace": "Bad_Name"})
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps(values))
    monkeypatch.setenv("PULUMI_CONFIG_SECRET_KEYS", environment["PULUMI_CONFIG_SECRET_KEYS"])
    with pytest.raises(pulumi.RunError, match=r"kubernetes\.namespace: must be a lowercase name"):
        load_stack(stack_name="dev")


@pytest.mark.parametrize("stack", stack_names(ROOT))
def test_every_stack_disables_default_providers(stack: str) -> None:
    config = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8"))["config"]
    assert config["pulumi:disable-default-providers"] == ["*"]


def test_the_running_stacks_name_is_its_environment(
    monkeypatch: pytest.MonkeyPatch, dev_stack: Stack
) -> None:
    secrets = dict.fromkeys(required_secrets(dev_stack), "pw")
    for key, value in engine_environment("dev", secrets).items():
        monkeypatch.setenv(key, value)
    assert load_stack(stack_name="dev-eu").stack.environment == "dev-eu"


def test_a_broken_catalog_stops_the_program_with_the_same_one_line_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # `pulumi up` prints a RunError's message alone: the file, line, column and reason.
    catalog = tmp_path / "stacks" / "catalog.yaml"
    catalog.parent.mkdir()
    catalog.write_text("teams:\n\t- name: core\n", encoding="utf-8")
    monkeypatch.setattr(loader, "PROJECT_ROOT", tmp_path)
    for key, value in engine_environment("dev", {}).items():
        monkeypatch.setenv(key, value)
    with pytest.raises(pulumi.RunError) as caught:
        load_stack(stack_name="dev")
    assert str(caught.value) == (
        f"{catalog}:2:1: tabs are not allowed for indentation in YAML; use spaces"
    )


def test_a_quoted_number_in_the_engines_structured_config_is_named_under_the_stack_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    environment = engine_environment("dev", {})
    values = json.loads(environment["PULUMI_CONFIG"])
    platform = json.loads(values["o11y:platform"]) if "o11y:platform" in values else {}
    platform["replicas"] = {"prometheus": "2"}
    values["o11y:platform"] = json.dumps(platform)
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps(values))
    monkeypatch.setenv("PULUMI_CONFIG_SECRET_KEYS", environment["PULUMI_CONFIG_SECRET_KEYS"])
    with pytest.raises(pulumi.RunError) as caught:
        load_stack(stack_name="dev")
    assert str(caught.value) == (
        "Pulumi.dev.yaml: 1 problem\n"
        "  platform.replicas.prometheus: write 2 without quotes: a number, not text"
    )
