"""Which releases each profile deploys, and the decisions inside their values."""

from collections.abc import Iterator
from typing import Any

import pytest

from o11y import conventions as names
from o11y.helm import kubernetes_secrets, network_policies, releases
from o11y.helm.otel import decision_wait, operation_pattern, tail_sampling
from tests.conftest import load_stack


def by_name(env: str) -> dict[str, Any]:
    """Releases by name; values as untyped trees for reading."""
    return {r.name: r for r in releases(load_stack(env))}


def test_dev_runs_one_gateway_without_mimir_or_a_sampler_tier() -> None:
    assert list(by_name("dev")) == [
        "kube-prometheus-stack",
        "loki",
        "tempo",
        "grafana",
        "otel-gateway",
        "otel-agent",
        "blackbox-exporter",
        "main-db-exporter",
        "cache-exporter",
        "events-exporter",
    ]


def test_prod_adds_mimir_and_a_sampler_tier_behind_the_gateway() -> None:
    prod = by_name("prod")
    assert "mimir" in prod and "otel-sampler" in prod
    assert prod["otel-gateway"].depends_on == ("kube-prometheus-stack", "otel-sampler")
    assert prod["otel-sampler"].depends_on == ("kube-prometheus-stack", "tempo")


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_every_release_waits_for_the_operator_crds_and_comes_after_its_dependencies(
    env: str,
) -> None:
    seen: set[str] = set()
    for release in releases(load_stack(env)):
        if release.name != names.RELEASE_PROMETHEUS:
            assert names.RELEASE_PROMETHEUS in release.depends_on
        assert set(release.depends_on) <= seen
        seen.add(release.name)


def test_charts_are_pinned_with_their_repositories() -> None:
    prod = by_name("prod")
    assert (prod["loki"].version, prod["loki"].repository) == (
        "18.11.0",
        "https://grafana-community.github.io/helm-charts",
    )
    assert (prod["mimir"].chart, prod["mimir"].repository) == (
        "mimir-distributed",
        "https://grafana.github.io/helm-charts",
    )
    assert prod["tempo"].version == "2.2.4"
    assert {r.namespace for r in prod.values()} == {"observability"}


def test_stateful_releases_are_protected_in_prod_only() -> None:
    protected = {n for n, r in by_name("prod").items() if r.protect}
    assert protected == {"kube-prometheus-stack", "mimir", "loki", "tempo", "grafana"}
    assert not any(r.protect for r in by_name("dev").values())


def test_prometheus_selects_every_monitor_and_rule_and_writes_to_mimir_in_prod() -> None:
    spec = by_name("prod")["kube-prometheus-stack"].values["prometheus"]["prometheusSpec"]
    for kind in ("rule", "serviceMonitor", "podMonitor", "probe", "scrapeConfig"):
        assert spec[f"{kind}SelectorNilUsesHelmValues"] is False
    assert spec["replicas"] == 2
    assert (spec["retention"], spec["retentionSize"]) == ("7d", "90GB")
    assert spec["remoteWrite"][0]["url"] == (
        "http://mimir-gateway.observability.svc:80/api/v1/push"
    )
    assert spec["remoteWrite"][0]["headers"] == {"X-Scope-OrgID": "default"}
    dev_spec = by_name("dev")["kube-prometheus-stack"].values["prometheus"]["prometheusSpec"]
    assert "remoteWrite" not in dev_spec


def test_alertmanager_reads_the_oncall_secrets_and_the_chart_grafana_is_off() -> None:
    values = by_name("prod")["kube-prometheus-stack"].values
    spec = values["alertmanager"]["alertmanagerSpec"]
    assert spec["configSecret"] == names.SECRET_ALERTMANAGER_CONFIG
    assert spec["secrets"] == [names.SECRET_ALERTMANAGER_KEYS]
    assert spec["useExistingSecret"] is True
    assert "config" not in values["alertmanager"]
    assert spec["replicas"] == 3
    assert values["grafana"] == {"enabled": False}
    assert values["defaultRules"] == {"create": True}


def test_loki_keeps_logs_by_level_and_isolates_tenants() -> None:
    loki = by_name("prod")["loki"].values
    limits = loki["loki"]["limits_config"]
    assert limits["retention_stream"] == [
        {"selector": '{level="debug"}', "priority": 1, "period": "3d"},
        {"selector": '{level="error"}', "priority": 1, "period": "90d"},
        {"selector": '{level="info"}', "priority": 1, "period": "7d"},
        {"selector": '{level="warn"}', "priority": 1, "period": "30d"},
    ]
    assert loki["loki"]["compactor"]["retention_enabled"] is True
    assert loki["loki"]["auth_enabled"] is True
    labels = limits["otlp_config"]["resource_attributes"]["attributes_config"][0]["attributes"]
    assert labels == ["service", "namespace", "level"]
    assert "trace_id" not in labels
    assert loki["deploymentMode"] == "Distributed"
    assert by_name("dev")["loki"].values["deploymentMode"] == "Monolithic"


def test_object_storage_is_encrypted_server_side() -> None:
    prod = by_name("prod")
    sse = {"type": "SSE-S3"}
    assert prod["tempo"].values["tempo"]["storage"]["trace"]["s3"]["sse"] == sse
    assert (
        prod["mimir"].values["mimir"]["structuredConfig"]["common"]["storage"]["s3"]["sse"] == sse
    )
    structured = prod["loki"].values["loki"]["structuredConfig"]
    assert structured["common"]["storage"]["s3"]["sse"] == sse


def test_tempo_keeps_traces_seven_days_and_accepts_otlp_and_jaeger() -> None:
    tempo = by_name("dev")["tempo"].values["tempo"]
    assert tempo["retention"] == "168h"
    assert set(tempo["receivers"]) == {"otlp", "jaeger"}


def test_tail_sampling_keeps_errors_slow_and_critical_traces_and_samples_the_rest() -> None:
    sampling: Any = tail_sampling(load_stack("prod"))
    policies = {p["name"]: p for p in sampling["policies"]}
    assert policies["errors"]["status_code"] == {"status_codes": ["ERROR"]}
    assert policies["slow"]["latency"] == {"threshold_ms": 1000}
    assert policies["critical-operations"]["ottl_condition"]["span"] == [
        'IsMatch(name, "^billing[.].*$")',
        'IsMatch(name, "^security[.].*$")',
    ]
    assert policies["everything-else"]["probabilistic"] == {"sampling_percentage": 10}


def test_the_sampler_waits_for_the_slowest_services_p99() -> None:
    assert decision_wait(load_stack("prod")) == "30s"


def test_operation_globs_match_literal_dots() -> None:
    assert operation_pattern("billing.*") == "^billing[.].*$"


def test_dev_keeps_every_trace_without_a_sampler() -> None:
    config = by_name("dev")["otel-gateway"].values["config"]
    assert "tail_sampling" not in config["processors"]
    assert config["service"]["pipelines"]["traces"]["exporters"] == ["otlp/tempo"]


def test_the_gateway_balances_by_trace_id_to_the_samplers_in_prod() -> None:
    config = by_name("prod")["otel-gateway"].values["config"]
    balancer = config["exporters"]["loadbalancing"]
    assert balancer["routing_key"] == "traceID"
    assert balancer["resolver"]["k8s"]["service"] == "otel-sampler.observability"
    assert "spanmetrics" in config["service"]["pipelines"]["traces"]["exporters"]
    sampler = by_name("prod")["otel-sampler"].values["config"]
    assert "tail_sampling" in sampler["processors"]


def test_grafana_provisions_every_datasource_with_tenants_and_correlation() -> None:
    values = by_name("prod")["grafana"].values
    sources = {s["uid"]: s for s in values["datasources"]["datasources.yaml"]["datasources"]}
    assert set(sources) == {
        "prometheus",
        "prometheus-hot",
        "loki",
        "tempo",
        "alertmanager",
        "prometheus-default",
        "loki-default",
        "tempo-default",
        "prometheus-billing",
        "loki-billing",
        "tempo-billing",
    }
    assert sources["prometheus"]["url"] == "http://mimir-gateway.observability.svc:80/prometheus"
    assert sources["loki-billing"]["secureJsonData"] == {"httpHeaderValue1": "billing"}
    assert sources["loki"]["jsonData"]["derivedFields"][0]["datasourceUid"] == "tempo"
    assert sources["tempo"]["jsonData"]["tracesToLogsV2"]["datasourceUid"] == "loki"
    assert sources["prometheus"]["jsonData"]["exemplarTraceIdDestinations"][0]["name"] == "trace_id"
    assert values["admin"]["existingSecret"] == names.SECRET_GRAFANA_ADMIN
    assert values["ingress"]["annotations"]["cert-manager.io/cluster-issuer"] == "letsencrypt"
    assert values["ingress"]["tls"][0]["hosts"] == ["grafana.o11y.example.com"]
    dev_sources = by_name("dev")["grafana"].values["datasources"]["datasources.yaml"]
    dev_uids = {s["uid"]: s["url"] for s in dev_sources["datasources"]}
    assert (
        dev_uids["prometheus"] == "http://kube-prometheus-stack-prometheus.observability.svc:9090"
    )


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_every_workload_has_requests_and_limits(env: str) -> None:
    def resources(values: Any, path: str = "") -> Iterator[tuple[str, Any]]:
        if isinstance(values, dict):
            for key, value in values.items():
                if key == "resources" and "storage" not in value.get("requests", {}):
                    yield f"{path}.{key}", value
                else:
                    yield from resources(value, f"{path}.{key}")

    for release in releases(load_stack(env)):
        found = list(resources(release.values))
        assert found, release.name
        for path, value in found:
            assert set(value) == {"requests", "limits"}, (release.name, path)


def test_exporter_passwords_come_from_secrets_only_when_the_stack_has_them() -> None:
    stack = load_stack("prod").model_copy(
        update={"secrets": frozenset({"postgres_password", "redis_password"})}
    )
    named: dict[str, Any] = {r.name: r for r in releases(stack)}
    datasource = named["main-db-exporter"].values["config"]["datasource"]
    assert datasource["passwordSecret"] == {"name": "postgres-exporter", "key": "password"}
    assert named["cache-exporter"].values["auth"]["secret"]["name"] == "redis-exporter"
    assert set(kubernetes_secrets(stack)) == {"postgres-exporter", "redis-exporter"}
    dev = by_name("dev")
    assert "passwordSecret" not in dev["main-db-exporter"].values["config"]["datasource"]
    assert "auth" not in dev["cache-exporter"].values


def test_network_policies_guard_the_backends_in_prod_only() -> None:
    assert network_policies(load_stack("dev")) == []
    policies = network_policies(load_stack("prod"))
    assert [p.name for p in policies] == [
        "prometheus-same-namespace",
        "alertmanager-same-namespace",
        "loki-same-namespace",
        "tempo-same-namespace",
        "mimir-same-namespace",
    ]
