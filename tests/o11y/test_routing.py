"""Alertmanager routing: exact shapes, then amtool 0.25 proving the config and each route."""

import subprocess
from pathlib import Path

import pytest
import yaml

from o11y.model.stack import Stack
from o11y.routing import (
    ALERTMANAGER_FILE,
    DEAD_MANS_SWITCH_SECRET,
    DEAD_MANS_SWITCH_STAND_IN,
    SECRETS_DIR,
    Json,
    alertmanager_config,
    alertmanager_files,
    alertmanager_yaml,
    heartbeat_summary,
    inhibit_rules,
    key_secrets,
    misdirected_slack_channels,
    pagerduty_severity_template,
    paging_summary,
    receivers,
)
from o11y.rules import INHIBITIONS
from tests.small_stacks import TEAM, small_stack
from tests.trees import as_dict

PAGING_SECRETS = frozenset({"pagerduty_token", "slack_webhook_url", "smtp_password"})
WEB_TEAM = {**TEAM, "name": "web", "display_name": "Web", "slack_channel": "#alerts-web"}


def two_team_stack(
    environment: str,
    secrets: set[str],
    web_channel: str = "#alerts-web",
    catch_all: str = "#alerts-core",
) -> Stack:
    """Teams core (#alerts-core) and web, with the Slack webhook secrets given."""
    return small_stack(
        environment,
        {
            "teams": [TEAM, {**WEB_TEAM, "slack_channel": web_channel}],
            "secrets": sorted(PAGING_SECRETS | secrets),
            "oncall": {
                **small_stack(environment).oncall.model_dump(include={"pagerduty"}),
                "default_slack_channel": catch_all,
            },
        },
    )


@pytest.fixture(scope="module")
def paging_prod(prod_stack: Stack) -> Stack:
    return prod_stack.model_copy(update={"secrets": PAGING_SECRETS})


def _write(tmp_path: Path, stack: Stack) -> Path:
    path = tmp_path / "alertmanager.yaml"
    path.write_text(alertmanager_files(stack)[ALERTMANAGER_FILE], encoding="utf-8")
    return path


def _receivers(amtool: str, config: Path, labels: dict[str, str]) -> set[str]:
    result = subprocess.run(
        [amtool, "config", "routes", "test", f"--config.file={config}"]
        + [f"{k}={v}" for k, v in labels.items()],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return set(result.stdout.strip().split(","))


def test_rendering_is_deterministic(paging_prod: Stack) -> None:
    assert alertmanager_files(paging_prod) == alertmanager_files(paging_prod)
    assert list(alertmanager_files(paging_prod)) == ["alertmanager/alertmanager.yaml"]


def test_secrets_appear_only_as_files_of_the_keys_secret(paging_prod: Stack) -> None:
    text = alertmanager_files(paging_prod)[ALERTMANAGER_FILE]
    files: list[str] = []

    def collect(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                assert key not in ("routing_key", "api_url", "auth_password", "service_key")
                if key.endswith("_file"):
                    files.append(value)
                collect(value)
        elif isinstance(node, list):
            for item in node:
                collect(item)

    collect(yaml.safe_load(text))
    assert files, "expected file references"
    assert all(f.startswith(f"{SECRETS_DIR}/") for f in files)
    assert f"{SECRETS_DIR}/pagerduty-api-gateway" in files
    assert f"{SECRETS_DIR}/slack_webhook_url" in files
    assert f"{SECRETS_DIR}/smtp_password" in files
    assert "<secret:" not in text


def test_the_keys_secret_holds_only_the_secrets_the_stack_has(
    dev_stack: Stack, paging_prod: Stack
) -> None:
    assert key_secrets(dev_stack) == ()
    assert key_secrets(paging_prod) == ("slack_webhook_url", "smtp_password")


def test_a_team_with_its_own_slack_webhook_posts_through_it(amtool: str, tmp_path: Path) -> None:
    stack = two_team_stack("prod", {"slack_webhook_url_web"})
    assert key_secrets(stack) == ("slack_webhook_url", "slack_webhook_url_web", "smtp_password")
    config = yaml.safe_load(alertmanager_files(stack)[ALERTMANAGER_FILE])
    webhooks = {
        receiver["name"]: receiver["slack_configs"][0]["api_url_file"]
        for receiver in config["receivers"]
        if "slack_configs" in receiver
    }
    assert webhooks == {
        "default": f"{SECRETS_DIR}/slack_webhook_url",
        "slack-core": f"{SECRETS_DIR}/slack_webhook_url",
        "slack-web": f"{SECRETS_DIR}/slack_webhook_url_web",
    }
    checked = subprocess.run(
        [amtool, "check-config", str(_write(tmp_path, stack))], capture_output=True, check=False
    )
    assert checked.returncode == 0, checked.stdout


@pytest.mark.parametrize(
    ("case", "environment", "secrets", "web_channel", "warned"),
    [
        ("each team has its own webhook", "prod", {"slack_webhook_url_web"}, "#alerts-web", False),
        ("teams share one webhook and one channel", "prod", set(), "#alerts-core", False),
        ("teams share one webhook but not their channel", "prod", set(), "#alerts-web", True),
        ("a development stack is not warned", "dev", set(), "#alerts-web", False),
    ],
)
def test_check_warns_when_one_webhook_serves_several_channels(
    case: str, environment: str, secrets: set[str], web_channel: str, warned: bool
) -> None:
    warnings = misdirected_slack_channels(two_team_stack(environment, secrets, web_channel))
    assert bool(warnings) is warned, case


def test_the_warning_names_each_channel_and_the_secrets_that_fix_it() -> None:
    stack = two_team_stack("prod", set(), catch_all="#alerts-unrouted")
    assert misdirected_slack_channels(stack) == [
        "secrets.slack_webhook_url serves 3 Slack channels: #alerts-core (team core), "
        "#alerts-unrouted (the catch-all), #alerts-web (team web); a Slack incoming webhook "
        "posts only to the channel it was made for, so all of them land in that one. Give each "
        "team its own webhook: secrets.slack_webhook_url_core, secrets.slack_webhook_url_web"
    ]


def test_pagerduty_severity_follows_the_severity_model(paging_prod: Stack) -> None:
    assert pagerduty_severity_template(paging_prod) == (
        '{{ if eq .CommonLabels.severity "critical" }}critical'
        '{{ else if eq .CommonLabels.severity "high" }}error'
        '{{ else if eq .CommonLabels.severity "warning" }}warning'
        "{{ else }}info{{ end }}"
    )


def test_pagerduty_events_carry_summary_source_links_and_class(paging_prod: Stack) -> None:
    receivers = alertmanager_config(paging_prod)["receivers"]
    assert isinstance(receivers, list)
    receiver = next(
        r for r in receivers if isinstance(r, dict) and r["name"] == "pagerduty-frontend"
    )
    assert isinstance(receiver, dict)
    configs = receiver["pagerduty_configs"]
    assert isinstance(configs, list)
    (config,) = configs
    assert config == {
        "routing_key_file": f"{SECRETS_DIR}/pagerduty-frontend",
        "send_resolved": True,
        "description": (
            "{{ if .CommonAnnotations.summary }}{{ .CommonAnnotations.summary }}"
            "{{ else }}{{ .GroupLabels.alertname }}: {{ .Alerts.Firing | len }} firing{{ end }}"
        ),
        "severity": pagerduty_severity_template(paging_prod),
        "source": (
            "{{ if .CommonLabels.service }}{{ .CommonLabels.service }}"
            "{{ else }}{{ .CommonLabels.team }}{{ end }}"
        ),
        "component": "{{ .CommonLabels.slo_name }}",
        "group": "{{ .CommonLabels.team }}",
        "class": "{{ .GroupLabels.alertname }}",
        "links": [
            {"href": "{{ .CommonAnnotations.runbook_url }}", "text": "Runbook"},
            {
                "href": "https://grafana.o11y.example.com/alerting/list"
                "?search={{ .GroupLabels.alertname }}",
                "text": "Grafana",
            },
        ],
    }


def test_a_page_inhibits_lower_severities_of_the_same_slo_only(dev_stack: Stack) -> None:
    rules = inhibit_rules(dev_stack)
    assert rules[0] == {
        "source_matchers": ['severity="critical"', 'slo_name=~".+"'],
        "target_matchers": ['severity=~"high|warning|info"', 'slo_name=~".+"'],
        "equal": ["service", "slo_name"],
    }
    assert rules[1] == {
        "source_matchers": ['severity="high"', 'slo_name=~".+"'],
        "target_matchers": ['severity=~"warning|info"', 'slo_name=~".+"'],
        "equal": ["service", "slo_name"],
    }


def test_a_down_service_inhibits_its_symptoms_as_the_alert_catalog_declares(
    dev_stack: Stack,
) -> None:
    rules = inhibit_rules(dev_stack)
    assert {
        "source_matchers": ['alertname="ServiceDown"'],
        "target_matchers": [
            'alertname=~"ServiceProbeFailing|ServiceErrorRateCritical|ServiceErrorRateHigh'
            "|ServiceLatencyP99High|ServiceLatencyP95High|ServiceRequestRateDrop"
            '|EndpointLatencyBudgetExceeded"'
        ],
        "equal": ["service"],
    } in rules
    assert len(rules) == 2 + len(INHIBITIONS)


def test_business_hours_gate_low_severity(dev_stack: Stack) -> None:
    config = alertmanager_config(dev_stack)
    assert config["time_intervals"] == [
        {
            "name": "business-hours",
            "time_intervals": [
                {
                    "weekdays": ["monday:friday"],
                    "times": [{"start_time": "09:00", "end_time": "18:00"}],
                    "location": "UTC",
                }
            ],
        }
    ]


def test_the_stack_output_says_where_pages_go() -> None:
    assert paging_summary(small_stack()) == (
        "not paging: no pagerduty_token, pages (severity=critical) go to the non-paging "
        "receiver 'no-paging' and the team Slack channels"
    )
    # One PagerDuty service per catalog service, and one per team for its team-wide pages.
    assert paging_summary(two_team_stack("prod", set())) == (
        "PagerDuty: 3 services (shop, core-team, web-team)"
    )


def test_the_file_spells_the_shared_pagerduty_settings_once(paging_prod: Stack) -> None:
    text = alertmanager_files(paging_prod)[ALERTMANAGER_FILE]
    pagerduty = [r for r in receivers(paging_prod) if "pagerduty_configs" in as_dict(r)]
    assert len(pagerduty) > 2
    assert text.count("<<: &pagerduty") == 1
    assert text.count("<<: *pagerduty") == len(pagerduty) - 1
    assert text.count("description:") == 1
    # Read back with the merges expanded, it is the whole configuration, every receiver intact.
    assert yaml.safe_load(text) == alertmanager_config(paging_prod)


def test_without_pagerduty_receivers_the_file_has_no_merges(dev_stack: Stack) -> None:
    text = alertmanager_files(dev_stack)[ALERTMANAGER_FILE]
    assert "<<" not in text
    assert "&pagerduty" not in text
    assert yaml.safe_load(text) == alertmanager_config(dev_stack)


@pytest.mark.tools
@pytest.mark.parametrize("name", ["dev", "prod"])
def test_amtool_accepts_the_rendered_config(
    name: str, dev_stack: Stack, paging_prod: Stack, amtool: str, tmp_path: Path
) -> None:
    stack = dev_stack if name == "dev" else paging_prod
    result = subprocess.run(
        [amtool, "check-config", str(_write(tmp_path, stack))],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.tools
def test_every_catalog_service_routes_by_severity_in_prod(
    paging_prod: Stack, amtool: str, tmp_path: Path
) -> None:
    config = _write(tmp_path, paging_prod)
    for service in paging_prod.services:
        team = service.team
        labels = {"service": service.name, "team": team}
        cases = {
            "critical": {f"pagerduty-{service.name}", f"slack-{team}"},
            "high": {f"slack-{team}"},
            "warning": {f"email-{team}"},
            "info": {f"email-{team}"},
        }
        for severity, expected in cases.items():
            got = _receivers(amtool, config, {**labels, "severity": severity})
            assert got == expected, f"{service.name} severity={severity}"


@pytest.mark.tools
def test_special_alerts_route_in_prod(paging_prod: Stack, amtool: str, tmp_path: Path) -> None:
    config = _write(tmp_path, paging_prod)
    cases: list[tuple[dict[str, str], set[str]]] = [
        # A team's page that names no service goes to the team-wide PagerDuty service.
        ({"team": "ai", "severity": "critical"}, {"pagerduty-ai-team", "slack-ai"}),
        ({"alertname": "Watchdog", "severity": "none"}, {"dead-mans-switch"}),
        ({"alertname": "InfoInhibitor", "severity": "none"}, {"null"}),
        # Nothing is dropped: unowned alerts reach the catch-all, unowned pages too.
        ({"alertname": "Unowned", "severity": "high"}, {"default"}),
        ({"alertname": "Unowned", "severity": "critical"}, {"default"}),
    ]
    for labels, expected in cases:
        assert _receivers(amtool, config, labels) == expected, labels


@pytest.mark.tools
def test_without_pagerduty_pages_go_to_the_non_paging_receiver(
    dev_stack: Stack, amtool: str, tmp_path: Path
) -> None:
    config = _write(tmp_path, dev_stack)
    for service in dev_stack.services:
        labels = {"service": service.name, "team": service.team, "severity": "critical"}
        assert _receivers(amtool, config, labels) == {"no-paging", f"slack-{service.team}"}


def test_the_stack_output_says_where_the_heartbeat_goes_without_the_url(dev_stack: Stack) -> None:
    assert heartbeat_summary(dev_stack).startswith("no dead man's switch")
    stack = dev_stack.model_copy(update={"secrets": frozenset({DEAD_MANS_SWITCH_SECRET})})
    assert heartbeat_summary(stack) == (
        "Watchdog heartbeat every 1m to the dead man's switch (secrets.dead_mans_switch_url)"
    )


def test_the_heartbeat_url_is_written_only_where_the_program_passes_the_secret(
    dev_stack: Stack,
) -> None:
    stack = dev_stack.model_copy(update={"secrets": frozenset({DEAD_MANS_SWITCH_SECRET})})

    def heartbeat(found: list[Json]) -> Json:
        (receiver,) = [r for r in found if isinstance(r, dict) and r["name"] == "dead-mans-switch"]
        return receiver

    assert heartbeat(receivers(stack, "https://hc-ping.com/abc")) == {
        "name": "dead-mans-switch",
        "webhook_configs": [{"url": "https://hc-ping.com/abc", "send_resolved": False}],
    }
    rendered = alertmanager_files(stack)[ALERTMANAGER_FILE]
    assert DEAD_MANS_SWITCH_STAND_IN in rendered
    assert "https://hc-ping.com/abc" in alertmanager_yaml(stack, "https://hc-ping.com/abc")
    # Without the secret the heartbeat goes nowhere (dev), whatever URL is passed.
    assert heartbeat(receivers(dev_stack, "https://hc-ping.com/abc")) == {
        "name": "dead-mans-switch"
    }


@pytest.mark.tools
def test_amtool_accepts_the_config_with_the_stand_in_url(
    dev_stack: Stack, amtool: str, tmp_path: Path
) -> None:
    stack = dev_stack.model_copy(update={"secrets": frozenset({DEAD_MANS_SWITCH_SECRET})})
    result = subprocess.run(
        [amtool, "check-config", str(_write(tmp_path, stack))],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stdout + result.stderr
