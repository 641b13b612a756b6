"""A lane's Alertmanager config: the rendered one, with every secret and URL at the sink."""

import subprocess
from pathlib import Path

import pytest
import yaml

from o11y.drill.scrape import Loopback
from o11y.drill.world import alertmanager_config, drill_stack, prometheus_config
from o11y.model.stack import Stack
from o11y.routing import SECRETS_DIR
from tests.o11y.drill.stacks import small_stack
from tests.trees import as_dict, as_list


def _config(dev_stack: Stack, tmp_path: Path) -> dict[str, object]:
    stack = drill_stack(small_stack(dev_stack))
    text = alertmanager_config(stack, tmp_path, "http://127.0.0.1:5000", 2525)
    (tmp_path / "alertmanager.yaml").write_text(text)
    return as_dict(yaml.safe_load(text))


def test_every_receiver_points_at_the_sink(dev_stack: Stack, tmp_path: Path) -> None:
    config = _config(dev_stack, tmp_path)
    assert SECRETS_DIR not in yaml.safe_dump(config)
    assert as_dict(config["global"])["pagerduty_url"] == "http://127.0.0.1:5000/v2/enqueue"
    receivers = [as_dict(r) for r in as_list(config["receivers"])]
    pagerduty = [as_dict(c) for r in receivers for c in as_list(r.get("pagerduty_configs", []))]
    slack = [as_dict(c) for r in receivers for c in as_list(r.get("slack_configs", []))]
    email = [as_dict(c) for r in receivers for c in as_list(r.get("email_configs", []))]
    assert pagerduty and slack and email
    for settings in pagerduty:
        key_file = Path(str(settings["routing_key_file"]))
        assert key_file.parent == tmp_path
        assert key_file.read_text() == f"drill-{key_file.name}"
    for settings in slack:
        assert Path(str(settings["api_url_file"])).read_text() == "http://127.0.0.1:5000/slack"
    assert {(e["smarthost"], e["require_tls"]) for e in email} == {("127.0.0.1:2525", False)}


@pytest.mark.tools
def test_the_sink_config_passes_amtool(dev_stack: Stack, tmp_path: Path, amtool: str) -> None:
    _config(dev_stack, tmp_path)
    result = subprocess.run(
        [amtool, "check-config", str(tmp_path / "alertmanager.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.tools
def test_the_prometheus_config_passes_promtool(
    dev_stack: Stack, tmp_path: Path, promtool: str
) -> None:
    stack = small_stack(dev_stack)
    config = prometheus_config(stack, tmp_path, 9093, Loopback({"shop": 8001}, 9115), 9100)
    (tmp_path / "prometheus.yaml").write_text(config)
    result = subprocess.run(
        [promtool, "check", "config", "--syntax-only", str(tmp_path / "prometheus.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert as_dict(yaml.safe_load(config)["global"]) == {
        "scrape_interval": stack.platform.scrape_interval,
        "evaluation_interval": stack.platform.scrape_interval,
    }
