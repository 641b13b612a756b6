"""Kubernetes objects applied outside Helm: rules split per area and service, redacted Secrets,
and no object over the size limit, on generated catalogs."""

import json
from pathlib import Path

import pytest
import yaml

from benchmarks.catalogs import generated_config, write_stack_file
from o11y.config import NAMESPACE, RawConfig, load_offline, parse_stack, read_catalog
from o11y.manifests import (
    OBJECT_SIZE_LIMIT,
    PROMETHEUS_RULES_DIR,
    REDACTED,
    group_owner,
    kubernetes_files,
    kubernetes_objects,
    object_size,
    prometheus_rule_objects,
    prometheus_rules,
    rule_shards,
    secret_manifest,
    secret_objects,
)
from o11y.model.stack import Stack
from o11y.monitors import monitor_files
from o11y.promrules import Rule, RuleGroup
from o11y.routing import alertmanager_yaml
from o11y.rules import rule_groups
from tests.small_stacks import small_stack
from tests.trees import as_dict, dicts, dig, text

ROOT = Path(__file__).resolve().parents[2]


def generated(tmp_path: Path, services: int) -> Stack:
    return load_offline(write_stack_file(tmp_path, "generated", services), ROOT)


def rule(name: str, **labels: str) -> Rule:
    return {"record": name, "expr": "1", "labels": labels}


def group(name: str, *rules: Rule) -> RuleGroup:
    return {"name": name, "rules": list(rules)}


@pytest.mark.parametrize(
    ("rules", "owner"),
    [
        pytest.param([rule("a", service="x"), rule("b", service="x")], "x", id="one service"),
        pytest.param(
            [rule("a", service="x", dependency="db"), rule("b", service="y", dependency="db")],
            "db",
            id="two services on one dependency belong to the dependency",
        ),
        pytest.param([rule("a", slo_service="x")], "x", id="an SLO's service"),
        pytest.param([rule("a", service="x"), rule("b")], None, id="a rule of no service"),
        pytest.param([rule("a"), rule("b")], None, id="area-wide rules"),
    ],
)
def test_a_groups_owner_is_the_one_service_or_dependency_of_all_its_rules(
    rules: list[Rule], owner: str | None
) -> None:
    assert group_owner(group("g", *rules)) == owner


def test_groups_are_sharded_whole_per_owner_in_their_order() -> None:
    groups = [
        group("a-x", rule("r1", service="x")),
        group("wide", rule("r2")),
        group("b-x", rule("r3", service="x")),
        group("a-y", rule("r4", service="y")),
    ]
    assert rule_shards("area", groups) == {
        "o11y-area-x": [groups[0], groups[2]],
        "o11y-area": [groups[1]],
        "o11y-area-y": [groups[3]],
    }


def test_every_rule_group_lands_unchanged_in_one_prometheus_rule(tmp_path: Path) -> None:
    stack = generated(tmp_path, 3)
    objects = prometheus_rules(stack)
    placed = [g for o in objects for g in dicts(dig(o, "spec", "groups"))]
    expected = [g for groups in rule_groups(stack).values() for g in groups]
    assert sorted(placed, key=lambda g: text(g["name"])) == sorted(
        [as_dict(g) for g in expected], key=lambda g: text(g["name"])
    )
    names = [text(dig(o, "metadata", "name")) for o in objects]
    assert names == sorted(names)
    for service in ("service-0000", "service-0001", "service-0002"):
        assert f"o11y-slo-{service}" in names
        assert f"o11y-services-{service}" in names
    assert "o11y-slo" not in names  # every SLO group belongs to one service


def test_secret_values_are_redacted_and_never_rendered() -> None:
    config = {
        f"{k}": v if isinstance(v, str) else json.dumps(v) for k, v in generated_config(2).items()
    }
    values = {
        "pagerduty_token": "pd-token-value-1",
        "slack_webhook_url": "https://hooks.slack.com/services/T0/B0/secret-value-2",
        "smtp_password": "smtp-password-value-3",
        "object_storage_access_key": "AKIA-value-4",
        "object_storage_secret_key": "secret-key-value-5",
        "postgres_password": "postgres-password-value-6",
        "grafana_db_password": "grafana-db-password-value-7",
    }
    config[f"{NAMESPACE}:secrets"] = json.dumps(values)
    raw = RawConfig(values=config, secret_keys=frozenset({f"{NAMESPACE}:secrets"}))
    stack = parse_stack(raw, read_catalog(ROOT), "generated")
    files = kubernetes_files(stack)
    for path, content in files.items():
        for value in values.values():
            assert value not in content, path
    secrets = {
        text(dig(s, "metadata", "name")): as_dict(s["stringData"])
        for s in yaml.safe_load_all(files["kubernetes/secrets.yaml"])
    }
    assert secrets["alertmanager-o11y-keys"] == {
        "pagerduty-service-0000": REDACTED,
        "pagerduty-service-0001": REDACTED,
        "pagerduty-team-000-team": REDACTED,
        "slack_webhook_url": REDACTED,
        "smtp_password": REDACTED,
    }
    assert secrets["object-storage"] == {
        "AWS_ACCESS_KEY_ID": REDACTED,
        "AWS_SECRET_ACCESS_KEY": REDACTED,
    }
    assert set(secrets["grafana-admin"].values()) == {REDACTED}
    assert secrets["grafana-database"] == {"password": REDACTED}
    # The configuration holds only file paths, so it is shown as applied.
    assert secrets["alertmanager-o11y-config"] == {"alertmanager.yaml": alertmanager_yaml(stack)}


def test_render_writes_one_file_per_prometheus_rule_that_reads_back_as_applied(
    tmp_path: Path,
) -> None:
    stack = generated(tmp_path, 2)
    files = kubernetes_files(stack)
    expected = {
        f"{PROMETHEUS_RULES_DIR}/{dig(rule, 'metadata', 'name')}.yaml": rule
        for rule in prometheus_rules(stack)
    }
    assert {p for p in files if p.startswith(f"{PROMETHEUS_RULES_DIR}/")} == set(expected)
    for path, rule in expected.items():
        assert list(yaml.safe_load_all(files[path])) == [rule]
    secrets = list(yaml.safe_load_all(files["kubernetes/secrets.yaml"]))
    assert secrets == [secret_manifest(stack, s) for s in secret_objects(stack)]
    assert {"kubernetes/namespace.yaml", "kubernetes/network-policies.yaml"} <= set(files)


def test_no_rendered_object_reaches_the_size_limit_at_a_thousand_services(tmp_path: Path) -> None:
    stack = generated(tmp_path, 1000)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    sizes = {
        (str(o["kind"]), text(dig(o, "metadata", "name"))): object_size(o)
        for content in kubernetes_files(stack).values()
        for o in yaml.load_all(content, Loader=loader)
    }
    too_big = {key: size for key, size in sizes.items() if size >= OBJECT_SIZE_LIMIT}
    assert too_big == {}
    # SLOs and service alerts per service, one per data store (50 + 50), infrastructure and
    # observability.
    assert len([k for k in sizes if k[0] == "PrometheusRule"]) == 2 * 1000 + 100 + 2
    # The largest object: the Alertmanager configuration, its 1,100 PagerDuty receivers sharing
    # their settings.
    assert 200 * 1024 < sizes[("Secret", "alertmanager-o11y-config")] < OBJECT_SIZE_LIMIT


def test_object_size_is_compact_json_bytes() -> None:
    assert object_size({"a": "é", "b": [1, 2]}) == len('{"a":"é","b":[1,2]}'.encode())


def test_the_rendered_files_hold_every_object_the_program_applies(tmp_path: Path) -> None:
    stack = generated(tmp_path, 2)
    rendered = [
        o
        for content in {**kubernetes_files(stack), **monitor_files(stack)}.values()
        for o in yaml.safe_load_all(content)
    ]

    def key(o: dict[str, object]) -> tuple[str, str]:
        return str(o["kind"]), text(dig(o, "metadata", "name"))

    assert sorted(map(key, rendered)) == sorted(map(key, kubernetes_objects(stack)))


def test_the_prometheus_rules_in_memory_are_what_their_files_say() -> None:
    stack = small_stack("prod")
    files = kubernetes_files(stack)
    objects = prometheus_rule_objects(stack)
    assert objects
    for below, documents in objects.items():
        assert list(yaml.safe_load_all(files[f"kubernetes/{below}"])) == documents
