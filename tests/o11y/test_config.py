"""Bad configuration fails before anything is built, with one clear line per problem."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from o11y.config import (
    ConfigError,
    RawConfig,
    load_offline,
    parse_stack,
    read_catalog,
    read_stack_file,
    stack_file,
    stack_name_of,
    stack_names,
)
from o11y.helm.pods import is_ha
from o11y.model.stack import Stack, required_secrets, why_required
from tests.small_stacks import small_stack

ROOT = Path(__file__).resolve().parents[2]
# The tests' own catalog: broken one key at a time below, never the project's, which users edit.
FIXTURE_PROJECT = ROOT / "tests" / "fixtures" / "project"
CATALOG = read_catalog(FIXTURE_PROJECT)


def stack_config(environment: str) -> dict[str, object]:
    """The example stack file as plain data, to be broken one key at a time."""
    raw = read_stack_file(ROOT / f"Pulumi.{environment}.yaml")
    return {
        key.removeprefix("o11y:"): json.loads(value) if value[:1] in "[{" else value
        for key, value in raw.values.items()
        if key.startswith("o11y:")
    }


def _without_grafana_database(config: dict[str, object]) -> dict[str, object]:
    platform = config["platform"]
    assert isinstance(platform, dict)
    return {**config, "platform": {k: v for k, v in platform.items() if k != "grafana_database"}}


def parse(
    config: dict[str, object], secrets: dict[str, str] | None = None, name: str = "test"
) -> Stack:
    values = {f"o11y:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}
    secret_keys: frozenset[str] = frozenset()
    if secrets is not None:
        values["o11y:secrets"] = json.dumps(secrets)
        secret_keys = frozenset({"o11y:secrets"})
    return parse_stack(RawConfig(values=values, secret_keys=secret_keys), CATALOG, name)


def problems_of(config: dict[str, object]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse(config)
    return caught.value.problems


def services() -> list[dict[str, object]]:
    loaded = CATALOG["services"]
    assert isinstance(loaded, list)
    copied: list[dict[str, object]] = json.loads(json.dumps(loaded))
    return copied


def with_service_change(
    index: int, change: Callable[[dict[str, object]], None]
) -> dict[str, object]:
    changed = services()
    change(changed[index])
    return {**stack_config("dev"), "services": changed}


def set_objective(value: object) -> Callable[[dict[str, object]], None]:
    def change(service: dict[str, object]) -> None:
        slos = service["slos"]
        assert isinstance(slos, list)
        slos[0]["objective"] = value

    return change


BAD_CONFIGS: list[tuple[str, Callable[[], dict[str, object]], str]] = [
    (
        "an objective of 100 is not an SLO",
        lambda: with_service_change(3, set_objective(100)),
        "services[mcp-server].slos[availability].objective: must be < 100 (got 100)",
    ),
    (
        "an objective of 0 is not an SLO",
        lambda: with_service_change(0, set_objective(0)),
        "services[api-gateway].slos[availability].objective: must be > 0 (got 0)",
    ),
    (
        "a port above 65535 is rejected",
        lambda: with_service_change(1, lambda s: s.update(port=70000)),
        "services[frontend].port: must be <= 65535 (got 70000)",
    ),
    (
        "a port of text is a wrong type",
        lambda: with_service_change(1, lambda s: s.update(port="http")),
        "services[frontend].port: must be a whole number (got 'http')",
    ),
    (
        "an unknown key in a service is named",
        lambda: with_service_change(2, lambda s: s.update(scrape_intervall="30s")),
        "services[llm-orchestrator]: unknown key 'scrape_intervall' — did you mean 'scrape_interval'?",
    ),
    (
        "a bad duration is explained",
        lambda: with_service_change(2, lambda s: s.update(scrape_interval="30 seconds")),
        "services[llm-orchestrator].scrape_interval: '30 seconds' is not a duration such as 30s, 5m, "
        "1h or 7d",
    ),
    (
        "a duplicate service name is named at its second place",
        lambda: with_service_change(1, lambda s: s.update(name="api-gateway")),
        "services[1].name: duplicate name 'api-gateway'",
    ),
    (
        "an unknown severity priority is rejected",
        lambda: {
            **stack_config("dev"),
            "business_rules": [
                {
                    "name": "checkout",
                    "title": "Checkout",
                    "service": "api-gateway",
                    "total_metric": "a_total",
                    "failed_metric": "b_total",
                    "priority": "P7",
                }
            ],
        },
        "business_rules[checkout].priority: must be a priority P0, P1, P2 or P3 (got 'P7')",
    ),
    (
        "a business KPI of an unknown service is a broken reference",
        lambda: {
            **stack_config("dev"),
            "business_domains": [
                {
                    "name": "shipping",
                    "title": "Shipping",
                    "kpis": [{"name": "parcels_total", "title": "Parcels", "service": "nobody"}],
                }
            ],
        },
        "business_domains[shipping].kpis[parcels_total].service: unknown service 'nobody'",
    ),
    (
        "a funnel of an unknown service is a broken reference",
        lambda: {
            **stack_config("dev"),
            "business_domains": [
                {
                    "name": "shipping",
                    "title": "Shipping",
                    "funnels": [
                        {
                            "title": "Parcels",
                            "service": "nobody",
                            "stages": [
                                {"title": "Sent", "metric": "sent_total"},
                                {"title": "Delivered", "metric": "delivered_total"},
                            ],
                        }
                    ],
                }
            ],
        },
        "business_domains[shipping].funnels[0].service: unknown service 'nobody'",
    ),
    (
        "a business domain is declared once",
        lambda: {
            **stack_config("dev"),
            "business_domains": [
                {"name": "shipping", "title": "Shipping"},
                {"name": "shipping", "title": "Parcels"},
            ],
        },
        "business_domains: 'shipping' is declared more than once",
    ),
    (
        "an unknown team is a broken reference",
        lambda: with_service_change(4, lambda s: s.update(team="nobody")),
        "services[airtable-gateway].team: unknown team 'nobody'",
    ),
    (
        "a latency SLO needs a histogram bucket at its threshold",
        lambda: with_service_change(
            0,
            lambda s: s.update(
                slos=[
                    {"name": "fast", "kind": "latency", "objective": 99, "threshold_seconds": 0.3}
                ]
            ),
        ),
        "services[api-gateway]: latency SLO 'fast': no histogram bucket le=\"0.3\"",
    ),
    (
        "an unknown profile is rejected",
        lambda: {**stack_config("dev"), "profile": "prod"},
        "profile: input should be 'development' or 'production' (got 'prod')",
    ),
    (
        "a stack file without a profile is told to name one",
        lambda: {k: v for k, v in stack_config("dev").items() if k != "profile"},
        "profile: required",
    ),
    (
        "a stack file that still names its environment is told the stack's name is",
        lambda: {**stack_config("dev"), "environment": "prod"},
        "environment: the environment is the stack's name (test); remove this key and set "
        "`profile` (production or development)",
    ),
    (
        "prod without ingress or head of engineering names both",
        lambda: {
            **stack_config("prod"),
            "platform": {
                "object_storage": {"provider": "s3", "buckets": {"loki": "l"}},
            },
            "oncall": {},
        },
        "platform.ingress: required by the production profile (TLS on every ingress)",
    ),
    (
        "prod without a Grafana database is rejected",
        lambda: _without_grafana_database(stack_config("prod")),
        "platform.grafana_database: required by the production profile",
    ),
    (
        "two Grafanas without a database are rejected",
        lambda: {**stack_config("dev"), "platform": {"replicas": {"grafana": 2}}},
        "platform.replicas.grafana: 2 replicas need platform.grafana_database",
    ),
    (
        "prod without object storage is rejected",
        lambda: {**stack_config("prod"), "platform": {"ingress": {"domain": "x.example.com"}}},
        "platform: object_storage is required when mimir is on, loki_mode is scalable or "
        "tempo_mode is distributed",
    ),
    (
        "prod's grafana url is where its ingress answers",
        lambda: {**stack_config("prod"), "grafana": {"url": "https://grafana.example.com"}},
        "grafana.url: must be https://grafana.o11y.example.com, where the Grafana ingress answers",
    ),
    (
        "an SLO period longer than the metrics retention is rejected",
        lambda: {**stack_config("dev"), "platform": {"retention": {"metrics": "7d"}}},
        "30d is longer than platform.retention.metrics (7d); the error budget over the period "
        "would be computed from less data (in 11 places: services[api-gateway].slos",
    ),
    (
        "a weekly on-call restriction needs its day",
        lambda: {
            **stack_config("dev"),
            "oncall": {
                "pagerduty": {
                    "restrictions": [
                        {
                            "type": "weekly_restriction",
                            "start_time_of_day": "09:00:00",
                            "duration_seconds": 3600,
                        }
                    ]
                }
            },
        },
        "oncall.pagerduty.restrictions[0]: start_day_of_week is required by weekly",
    ),
    (
        "a rotation start off the whole minute is rejected",
        lambda: {
            **stack_config("dev"),
            "oncall": {"pagerduty": {"rotation_start": "2026-01-05T09:00:30Z"}},
        },
        "oncall.pagerduty.rotation_start: must be a time such as 2025-01-06T09:00:00Z (whole minutes",
    ),
    (
        "the dead man's switch URL in plain config points to its secret",
        lambda: {
            **stack_config("dev"),
            "oncall": {"dead_mans_switch_url": "https://hc-ping.com/abc"},
        },
        "oncall: dead_mans_switch_url: is a secret (whoever holds it can silence the page",
    ),
    (
        "the kubernetes target is required",
        lambda: {k: v for k, v in stack_config("dev").items() if k != "kubernetes"},
        "kubernetes: required",
    ),
]


@pytest.mark.parametrize(
    ("config", "expected"),
    [pytest.param(config, expected, id=name) for name, config, expected in BAD_CONFIGS],
)
def test_bad_config_is_one_clear_line(
    config: Callable[[], dict[str, object]], expected: str
) -> None:
    problems = problems_of(config())
    assert any(p.startswith(expected) for p in problems), problems
    assert all(": " in p for p in problems)


def test_prod_problems_are_all_reported_together() -> None:
    config = {
        **stack_config("prod"),
        "platform": {"object_storage": {"provider": "s3", "buckets": {"loki": "l"}}},
        "oncall": {},
    }
    assert problems_of(config) == [
        "oncall.pagerduty.head_of_engineering: required by the production profile "
        "(escalation level 3)",
        "platform.grafana_database: required by the production profile (two or more Grafana "
        "replicas share it; SQLite on a volume allows one replica, down at every rollout and "
        "node drain)",
        "platform.ingress: required by the production profile (TLS on every ingress)",
    ]


def test_secret_values_are_never_plain_config() -> None:
    values = {"o11y:secrets": json.dumps({"pagerduty_token": "x"})}
    with pytest.raises(ConfigError) as caught:
        parse_stack(RawConfig(values=values, secret_keys=frozenset()), CATALOG, "test")
    assert caught.value.problems[0].startswith("secrets: stored in plain text")


def test_secret_names_reach_the_model_but_not_their_values() -> None:
    stack = parse(stack_config("dev"), secrets={"pagerduty_token": "token-value"})
    assert stack.secrets == frozenset({"pagerduty_token"})
    assert "token-value" not in stack.model_dump_json()


def test_a_team_slack_webhook_must_name_a_team() -> None:
    with pytest.raises(ConfigError) as caught:
        parse(stack_config("dev"), secrets={"slack_webhook_url_nobody": "x"})
    assert caught.value.problems == ["secrets.slack_webhook_url_nobody: no team named 'nobody'"]
    stack = parse(stack_config("dev"), secrets={"slack_webhook_url_ai": "x"})
    assert stack.secrets == {"slack_webhook_url_ai"}


def test_an_unknown_secret_name_is_rejected() -> None:
    with pytest.raises(ConfigError) as caught:
        parse(stack_config("dev"), secrets={"pagerduty_tokn": "x"})
    assert caught.value.problems == [
        "secrets[pagerduty_tokn]: unknown secret 'pagerduty_tokn'; expected one of pagerduty_token, "
        "slack_webhook_url, smtp_password, object_storage_access_key, object_storage_secret_key, "
        "postgres_password, redis_password, sentry_token, kafka_sasl_password, "
        "dead_mans_switch_url, grafana_db_password, "
        "slack_webhook_url_<team> or synthetic_<credential>"
    ]


def test_prod_requires_its_secrets_and_dev_only_its_databases(
    dev_stack: Stack, prod_stack: Stack
) -> None:
    without_flows: dict[str, object] = {"synthetic_flows": []}
    assert required_secrets(dev_stack.model_copy(update=without_flows)) == ("postgres_password",)
    assert required_secrets(prod_stack.model_copy(update=without_flows)) == (
        "pagerduty_token",
        "slack_webhook_url",
        "smtp_password",
        "dead_mans_switch_url",
        "object_storage_access_key",
        "object_storage_secret_key",
        "postgres_password",
        "grafana_db_password",
    )


def test_synthetic_flow_credentials_are_required_in_every_stack(dev_stack: Stack) -> None:
    flow = {
        "name": "log-in",
        "title": "Log in",
        "team": dev_stack.teams[0].name,
        "every_minutes": 5,
        "credentials": {"key": "synthetic_api_key"},
        "steps": [{"name": "get", "url": "http://x/", "headers": {"X-Key": "${key}"}}],
    }
    stack = Stack.model_validate({**dev_stack.model_dump(), "synthetic_flows": [flow]})
    assert required_secrets(stack)[-1] == "synthetic_api_key"
    with pytest.raises(
        ConfigError, match=r"secrets\[synthetic-api-key\]: unknown secret 'synthetic-api-key'"
    ):
        parse(stack_config("dev"), secrets={"synthetic-api-key": "x"})


@pytest.mark.parametrize("name", ["prod-eu", "staging", "qa_2", "Team.Blue"])
def test_any_stack_name_is_the_environment(name: str) -> None:
    stack = parse(stack_config("dev"), name=name)
    assert stack.environment == name
    assert stack.profile == "development"


def test_a_stack_name_pulumi_would_refuse_is_rejected() -> None:
    with pytest.raises(ConfigError) as caught:
        parse(stack_config("dev"), name="../prod")
    assert caught.value.problems == [
        "environment: must be letters, digits, '-', '_' and '.', starting with a letter or digit "
        "(got '../prod')"
    ]


def test_the_profile_not_the_name_decides_what_a_stack_requires() -> None:
    production = parse(
        stack_config("prod"),
        name="dev",
        secrets={"pagerduty_token": "x", "slack_webhook_url": "x", "smtp_password": "x"},
    )
    assert production.production and is_ha(production)
    assert production.platform.replicas.alertmanager == 3
    assert "pagerduty_token" in required_secrets(production)
    # Without flows, whose credentials every stack needs (tested with the flows).
    development = parse(
        {**stack_config("prod"), "profile": "development", "synthetic_flows": []}, name="prod"
    )
    assert not development.production and not is_ha(development)
    assert development.platform.replicas.alertmanager == 1
    # Only what its dependencies need (the postgres exporter's and Grafana's database logins),
    # nothing of production.
    assert required_secrets(development) == ("postgres_password", "grafana_db_password")


def test_a_production_profile_demands_object_storage_whatever_the_stack_is_called() -> None:
    config = {k: v for k, v in stack_config("dev").items() if k != "platform"}
    with pytest.raises(ConfigError) as caught:
        parse({**config, "profile": "production"}, name="sandbox")
    assert caught.value.problems == [
        "platform: object_storage is required when mimir is on, loki_mode is scalable or "
        "tempo_mode is distributed"
    ]


def test_every_stack_file_of_a_project_is_a_stack(tmp_path: Path) -> None:
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod-eu.yaml", "Pulumi.qa.yaml"):
        (tmp_path / name).write_text("config: {}\n", encoding="utf-8")
    (tmp_path / "Pulumi.notes.txt").write_text("", encoding="utf-8")
    assert stack_names(tmp_path) == ["dev", "prod-eu", "qa"]
    assert stack_name_of(tmp_path / "Pulumi.prod-eu.yaml") == "prod-eu"
    assert stack_name_of(tmp_path / "custom.yaml") == "custom"


def test_an_offline_stack_is_named_after_its_file(tmp_path: Path) -> None:
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "catalog.yaml").write_text(
        (FIXTURE_PROJECT / "stacks" / "catalog.yaml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    path = tmp_path / "Pulumi.qa.yaml"
    path.write_text((ROOT / "Pulumi.dev.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert load_offline(path, tmp_path).environment == "qa"
    assert load_offline(path, tmp_path, "qa-2").environment == "qa-2"


def test_a_stack_file_overrides_one_key_of_a_profile_section() -> None:
    config = {**stack_config("dev"), "platform": {"replicas": {"prometheus": 3}}}
    stack = parse(config)
    assert stack.platform.replicas.prometheus == 3
    assert stack.platform.replicas.alertmanager == 1


def test_every_example_stack_is_valid_and_monitors_something() -> None:
    # The example catalog's contents are the user's to change: only its validity is checked
    # here (and its rendering, through the golden files).
    for name in stack_names(ROOT):
        stack = load_offline(stack_file(ROOT, name), ROOT, name)
        assert stack.services and stack.teams, name


def test_secure_values_in_a_stack_file_become_placeholders(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.x.yaml"
    path.write_text(
        "config:\n  o11y:secrets:\n    pagerduty_token:\n      secure: v1:abc\n", encoding="utf-8"
    )
    raw = read_stack_file(path)
    assert raw.secret_keys == {"o11y:secrets"}
    assert json.loads(raw.values["o11y:secrets"]) == {
        "pagerduty_token": "<secret:o11y:secrets.pagerduty_token>"
    }


def test_grafanas_database_login_is_required_exactly_where_grafana_has_a_database() -> None:
    with_database = small_stack("prod")
    assert "grafana_db_password" in required_secrets(with_database)
    assert why_required(with_database, "grafana_db_password") == (
        "Grafana logs in to platform.grafana_database with it"
    )
    assert "grafana_db_password" not in required_secrets(small_stack("dev"))


def test_values_as_pulumi_config_set_writes_them_still_load(tmp_path: Path) -> None:
    # `pulumi config set --path` stores integers and true/false as YAML numbers and booleans,
    # everything else (a version such as 1.34 included) as text; top-level values are text.
    path = tmp_path / "Pulumi.test.yaml"
    path.write_text(
        "config:\n"
        "  o11y:profile: development\n"
        "  o11y:kubernetes:\n"
        "    context: my-dev-context\n"
        '    version: "1.34"\n'
        "    control_plane_metrics: true\n"
        "  o11y:grafana:\n"
        "    url: http://grafana.observability.svc\n"
        "  o11y:platform:\n"
        "    replicas:\n"
        "      prometheus: 2\n",
        encoding="utf-8",
    )
    raw = read_stack_file(path)
    assert json.loads(raw.values["o11y:platform"]) == {"replicas": {"prometheus": 2}}
    stack = parse_stack(raw, CATALOG, "test")
    assert (stack.kubernetes.version, stack.kubernetes.control_plane_metrics) == ("1.34", True)
    assert stack.platform.replicas.prometheus == 2


def test_a_decimal_stored_as_text_by_pulumi_is_told_how_to_store_a_number(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.test.yaml"
    path.write_text(
        "config:\n"
        "  o11y:profile: development\n"
        "  o11y:kubernetes: {context: kind}\n"
        "  o11y:grafana: {url: http://grafana.observability.svc}\n"
        '  o11y:platform: {tracing: {sampling_percent: "12.5"}}\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        parse_stack(read_stack_file(path), CATALOG, "test")
    assert caught.value.problems == [
        "platform.tracing.sampling_percent: write 12.5 without quotes: a number, not text "
        "(`pulumi config set --path` needs `--type float` for a decimal)"
    ]
    assert list(caught.value.files) == ["Pulumi.test.yaml"]
