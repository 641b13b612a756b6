"""Which releases each profile deploys, and the decisions inside their values."""

from collections.abc import Iterator

import pytest

from o11y import conventions as names
from o11y.helm import HelmRelease, kubernetes_secrets, network_policies, releases
from o11y.helm.otel import decision_wait, operation_pattern, tail_sampling
from o11y.model.stack import required_secrets
from tests.conftest import dev_releases, exporter_of, load_stack
from tests.o11y.test_helm_values import variant
from tests.trees import as_dict, as_list, dicts, dig


def by_name(env: str) -> dict[str, HelmRelease]:
    """Releases by name."""
    return {r.name: r for r in releases(load_stack(env))}


def test_dev_runs_one_gateway_without_mimir_or_a_sampler_tier() -> None:
    assert tuple(by_name("dev")) == dev_releases(load_stack("dev"))


def test_prod_adds_mimir_and_a_sampler_tier_behind_the_gateway() -> None:
    prod = by_name("prod")
    assert "mimir" in prod and "otel-sampler" in prod
    assert prod["otel-gateway"].depends_on == ("prometheus-operator-crds", "otel-sampler")
    assert prod["otel-sampler"].depends_on == ("prometheus-operator-crds", "tempo")


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_every_release_waits_for_the_operator_crds_and_comes_after_its_dependencies(
    env: str,
) -> None:
    seen: set[str] = set()
    for release in releases(load_stack(env)):
        if release.name != names.RELEASE_OPERATOR_CRDS:
            assert names.RELEASE_OPERATOR_CRDS in release.depends_on
        # Nothing waits for kube-prometheus-stack, which waits for the on-call Secrets.
        assert names.RELEASE_PROMETHEUS not in release.depends_on
        assert set(release.depends_on) <= seen
        seen.add(release.name)


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_only_kube_prometheus_stack_reads_the_oncall_secrets(env: str) -> None:
    readers = [r.name for r in releases(load_stack(env)) if r.reads_oncall_secrets]
    assert readers == [names.RELEASE_PROMETHEUS]


def test_the_operator_crds_are_their_own_release_and_upgraded_with_it() -> None:
    dev = by_name("dev")
    crds = dev["prometheus-operator-crds"]
    # Same operator as kube-prometheus-stack 88.5.3 (appVersion v0.93.1 of both charts).
    assert (crds.chart, crds.version) == ("prometheus-operator-crds", "31.0.1")
    assert crds.values == {"crds": {"annotations": {"helm.sh/resource-policy": "keep"}}}
    assert not crds.protect and crds.depends_on == ()
    # CRDs left by an earlier kube-prometheus-stack install are adopted, not a failed install.
    assert crds.take_ownership
    assert [r.name for r in dev.values() if r.take_ownership] == ["prometheus-operator-crds"]
    assert dig(dev["kube-prometheus-stack"].values, "crds") == {"enabled": False}


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
    assert (prod["tempo"].chart, prod["tempo"].version) == ("tempo-distributed", "3.3.0")
    assert (by_name("dev")["tempo"].chart, by_name("dev")["tempo"].version) == ("tempo", "2.2.4")
    assert (prod["strimzi"].chart, prod["strimzi"].version, prod["strimzi"].repository) == (
        "strimzi-kafka-operator",
        "1.2.0",
        "https://strimzi.io/charts/",
    )
    assert {r.namespace for r in prod.values()} == {"observability"}


def test_stateful_releases_are_protected_in_prod_only() -> None:
    protected = {n for n, r in by_name("prod").items() if r.protect}
    assert protected == {"kube-prometheus-stack", "mimir", "loki", "tempo", "grafana"}
    assert not any(r.protect for r in by_name("dev").values())


def test_prometheus_selects_every_monitor_and_rule_and_writes_to_mimir_in_prod() -> None:
    spec = as_dict(
        dig(by_name("prod")["kube-prometheus-stack"].values, "prometheus", "prometheusSpec")
    )
    for kind in ("rule", "serviceMonitor", "podMonitor", "probe", "scrapeConfig"):
        assert spec[f"{kind}SelectorNilUsesHelmValues"] is False
    assert spec["replicas"] == 2
    assert (spec["retention"], spec["retentionSize"]) == ("31d", "90GB")
    assert dig(spec, "remoteWrite", 0, "url") == (
        "http://mimir-gateway.observability.svc:80/api/v1/push"
    )
    assert dig(spec, "remoteWrite", 0, "headers") == {"X-Scope-OrgID": "default"}
    dev_spec = as_dict(
        dig(by_name("dev")["kube-prometheus-stack"].values, "prometheus", "prometheusSpec")
    )
    assert "remoteWrite" not in dev_spec


def test_alertmanager_reads_the_oncall_secrets_and_the_chart_grafana_is_off() -> None:
    values = by_name("prod")["kube-prometheus-stack"].values
    spec = as_dict(dig(values, "alertmanager", "alertmanagerSpec"))
    assert spec["configSecret"] == names.SECRET_ALERTMANAGER_CONFIG
    assert spec["secrets"] == [names.SECRET_ALERTMANAGER_KEYS]
    assert spec["useExistingSecret"] is True
    assert "config" not in as_dict(values["alertmanager"])
    assert spec["replicas"] == 3
    assert values["grafana"] == {"enabled": False}
    # The chart rules stay on (some replaced: tests/o11y/test_helm_kube_prometheus_stack.py).
    assert dig(values, "defaultRules", "create") is True


def test_loki_keeps_logs_by_level_and_isolates_tenants() -> None:
    loki = by_name("prod")["loki"].values
    limits = as_dict(dig(loki, "loki", "limits_config"))
    assert limits["retention_stream"] == [
        {"selector": '{level="debug"}', "priority": 1, "period": "3d"},
        {"selector": '{level="error"}', "priority": 1, "period": "90d"},
        {"selector": '{level="info"}', "priority": 1, "period": "7d"},
        {"selector": '{level="warn"}', "priority": 1, "period": "30d"},
    ]
    assert dig(loki, "loki", "compactor", "retention_enabled") is True
    assert dig(loki, "loki", "auth_enabled") is True
    labels = as_list(
        dig(limits, "otlp_config", "resource_attributes", "attributes_config", 0, "attributes")
    )
    assert labels == ["service", "namespace", "level"]
    assert "trace_id" not in labels
    assert loki["deploymentMode"] == "Distributed"
    assert by_name("dev")["loki"].values["deploymentMode"] == "Monolithic"


def test_object_storage_is_encrypted_server_side() -> None:
    prod = by_name("prod")
    sse = {"type": "SSE-S3"}
    assert dig(prod["tempo"].values, "storage", "trace", "s3", "sse") == sse
    assert (
        dig(prod["mimir"].values, "mimir", "structuredConfig", "common", "storage", "s3", "sse")
        == sse
    )
    structured = dig(prod["loki"].values, "loki", "structuredConfig")
    assert dig(structured, "common", "storage", "s3", "sse") == sse


def test_tempo_keeps_traces_seven_days_and_accepts_otlp_and_jaeger() -> None:
    tempo = as_dict(by_name("dev")["tempo"].values["tempo"])
    assert tempo["retention"] == "168h"
    assert set(as_dict(tempo["receivers"])) == {"otlp", "jaeger"}


def test_tail_sampling_keeps_errors_slow_and_critical_traces_and_samples_the_rest() -> None:
    policies = {p["name"]: p for p in dicts(tail_sampling(load_stack("prod"))["policies"])}
    assert policies["errors"]["status_code"] == {"status_codes": ["ERROR"]}
    assert policies["slow"]["latency"] == {"threshold_ms": 1000}
    assert dig(policies["critical-operations"], "ottl_condition", "span") == [
        'IsMatch(name, "^billing[.].*$")',
        'IsMatch(name, "^security[.].*$")',
    ]
    assert policies["everything-else"]["probabilistic"] == {"sampling_percentage": 10}


def test_the_sampler_waits_for_the_slowest_services_p99() -> None:
    assert decision_wait(load_stack("prod")) == "30s"


def test_operation_globs_match_literal_dots() -> None:
    assert operation_pattern("billing.*") == "^billing[.].*$"


def test_dev_keeps_every_trace_without_a_sampler() -> None:
    config = as_dict(by_name("dev")["otel-gateway"].values["config"])
    assert "tail_sampling" not in as_dict(config["processors"])
    assert dig(config, "service", "pipelines", "traces", "exporters") == ["otlp/tempo"]


def test_the_gateway_balances_by_trace_id_to_the_samplers_in_prod() -> None:
    config = by_name("prod")["otel-gateway"].values["config"]
    balancer = as_dict(dig(config, "exporters", "loadbalancing"))
    assert balancer["routing_key"] == "traceID"
    assert dig(balancer, "resolver", "k8s", "service") == "otel-sampler.observability"
    assert "spanmetrics" in as_list(dig(config, "service", "pipelines", "traces", "exporters"))
    sampler = by_name("prod")["otel-sampler"].values["config"]
    assert "tail_sampling" in as_dict(dig(sampler, "processors"))


def span_metrics_writer(env: str) -> dict[str, object]:
    """The gateway's span-metrics remote-write exporter and the gateway's extra env vars."""
    values = by_name(env)["otel-gateway"].values
    exporter = as_dict(dig(values, "config", "exporters", "prometheusremotewrite/spanmetrics"))
    return {**exporter, "env": dig(values, "extraEnvs")}


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_span_metrics_carry_the_gateway_pod_that_counted_them(env: str) -> None:
    writer = span_metrics_writer(env)
    assert writer["external_labels"] == {"collector_pod": "${env:MY_POD_NAME}"}
    assert writer["env"] == [
        {
            "name": "MY_POD_NAME",
            "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}},
        }
    ]


def test_prod_writes_span_metrics_to_mimir_not_through_the_prometheus_pair() -> None:
    writer = span_metrics_writer("prod")
    assert writer["endpoint"] == "http://mimir-gateway.observability.svc:80/api/v1/push"
    assert writer["headers"] == {"X-Scope-OrgID": "default"}


def test_dev_writes_span_metrics_to_its_one_prometheus() -> None:
    writer = span_metrics_writer("dev")
    assert (
        writer["endpoint"]
        == "http://kube-prometheus-stack-prometheus.observability.svc:9090/api/v1/write"
    )
    assert "headers" not in writer


def test_grafana_provisions_every_datasource_with_tenants_and_correlation() -> None:
    values = by_name("prod")["grafana"].values
    sources = {
        s["uid"]: s for s in dicts(dig(values, "datasources", "datasources.yaml", "datasources"))
    }
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
    assert dig(sources["loki"], "jsonData", "derivedFields", 0, "datasourceUid") == "tempo"
    assert dig(sources["tempo"], "jsonData", "tracesToLogsV2", "datasourceUid") == "loki"
    assert (
        dig(sources["prometheus"], "jsonData", "exemplarTraceIdDestinations", 0, "name")
        == "trace_id"
    )
    assert dig(values, "admin", "existingSecret") == names.SECRET_GRAFANA_ADMIN
    assert dig(values, "ingress", "annotations", "cert-manager.io/cluster-issuer") == "letsencrypt"
    assert dig(values, "ingress", "tls", 0, "hosts") == ["grafana.o11y.example.com"]
    dev_sources = dig(by_name("dev")["grafana"].values, "datasources", "datasources.yaml")
    dev_uids = {s["uid"]: s["url"] for s in dicts(dig(dev_sources, "datasources"))}
    assert (
        dev_uids["prometheus"] == "http://kube-prometheus-stack-prometheus.observability.svc:9090"
    )


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_every_workload_has_requests_and_limits(env: str) -> None:
    def resources(values: object, path: str = "") -> Iterator[tuple[str, object]]:
        if isinstance(values, dict):
            for key, value in values.items():
                if key == "resources" and "storage" not in as_dict(
                    as_dict(value).get("requests", {})
                ):
                    yield f"{path}.{key}", value
                else:
                    yield from resources(value, f"{path}.{key}")

    for release in releases(load_stack(env)):
        found = list(resources(release.values))
        # The CRD chart has no workload.
        assert found or release.name == names.RELEASE_OPERATOR_CRDS, release.name
        for path, value in found:
            assert set(as_dict(value)) == {"requests", "limits"}, (release.name, path)


def test_exporter_passwords_come_from_kubernetes_secrets() -> None:
    # The postgres exporter always reads its Secret (every stack with a postgres dependency
    # must have the password); the redis exporter only when the stack has one.
    for env in ("dev", "prod"):
        postgres = exporter_of(load_stack(env), "postgres")
        datasource = dig(by_name(env)[postgres].values, "config", "datasource")
        assert dig(datasource, "passwordSecret") == {"name": "postgres-exporter", "key": "password"}
        assert "password" not in as_dict(datasource)
    stack = load_stack("prod").model_copy(
        update={"secrets": frozenset({"postgres_password", "redis_password"})}
    )
    named = {r.name: r for r in releases(stack)}
    redis = exporter_of(stack, "redis")
    assert dig(named[redis].values, "auth", "secret", "name") == "redis-exporter"
    assert set(kubernetes_secrets(stack)) == {"postgres-exporter", "redis-exporter"}
    assert "auth" not in by_name("dev")[exporter_of(load_stack("dev"), "redis")].values


def test_every_stack_with_a_postgres_dependency_requires_its_password() -> None:
    dev = load_stack("dev")
    assert "postgres_password" in required_secrets(dev)
    without_postgres = dev.model_copy(
        update={"dependencies": [d for d in dev.dependencies if d.kind != "postgres"]}
    )
    assert "postgres_password" not in required_secrets(without_postgres)


def test_the_log_agent_daemonset_is_scraped_through_a_pod_monitor() -> None:
    # A DaemonSet-mode collector has no Service, so a ServiceMonitor would select nothing.
    values = by_name("dev")["otel-agent"].values
    assert dig(values, "mode") == "daemonset"
    assert dig(values, "podMonitor") == {"enabled": True, "metricsEndpoints": [{"port": "metrics"}]}
    assert "serviceMonitor" not in values


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_collectors_use_the_component_names_the_chart_does_not_rewrite(env: str) -> None:
    for release in releases(load_stack(env)):
        if release.chart != "opentelemetry-collector":
            continue
        config = as_dict(release.values["config"])
        names_used = {
            str(name)
            for section in ("receivers", "processors")
            for name in as_dict(config.get(section) or {})
        } | {
            str(name)
            for pipeline in as_dict(dig(config, "service", "pipelines")).values()
            if pipeline
            for section in ("receivers", "processors")
            for name in as_list(as_dict(pipeline).get(section, []))
        }
        deprecated = {n for n in names_used if n.split("/")[0] in ("filelog", "k8sattributes")}
        assert deprecated == set(), release.name


def test_loki_volumes_have_the_stacks_size() -> None:
    values = by_name("prod")["loki"].values
    size = load_stack("prod").platform.storage.loki
    # The chart's deprecated `claims` default (10Gi) would win over `size` if left in place.
    assert dig(values, "compactor", "persistence") == {"enabled": True, "size": size, "claims": []}
    assert dig(values, "ingester", "persistence", "claims", 0, "size") == size


def test_object_storage_keys_go_only_to_the_pods_that_use_the_buckets() -> None:
    s3 = variant(
        "prod", provider="s3", secrets=("object_storage_access_key", "object_storage_secret_key")
    )
    named = {r.name: r for r in releases(s3)}
    loki, mimir = named["loki"].values, named["mimir"].values
    assert "global" not in loki
    assert dig(loki, "defaults", "extraEnvFrom") == [{"secretRef": {"name": "object-storage"}}]
    assert "global" not in mimir
    with_keys = {c for c, v in mimir.items() if isinstance(v, dict) and "extraEnvFrom" in v}
    assert with_keys == {
        "ingester",
        "querier",
        "store_gateway",
        "compactor",
        "ruler",
        "alertmanager",
    }


def _pipelines(values: object) -> dict[str, object]:
    return as_dict(dig(values, "config", "service", "pipelines"))


def test_the_service_graph_is_built_where_whole_traces_arrive() -> None:
    # prod: the gateway spreads spans over its replicas; the samplers behind the trace-ID load
    # balancer see every span of a trace, so they pair client and server spans.
    prod = by_name("prod")
    sampler = prod[names.RELEASE_OTEL_SAMPLER].values
    assert dig(sampler, "config", "connectors", "servicegraph", "store", "ttl") == "10s"
    assert dig(_pipelines(sampler), "traces/servicegraph", "exporters") == ["servicegraph"]
    assert dig(_pipelines(sampler), "metrics/servicegraph", "receivers") == ["servicegraph"]
    assert "traces/servicegraph" not in _pipelines(prod["otel-gateway"].values)
    # dev: one tier, the gateway.
    gateway = by_name("dev")["otel-gateway"].values
    assert dig(_pipelines(gateway), "metrics/servicegraph", "exporters") == [
        "prometheusremotewrite/spanmetrics"
    ]


def test_each_tenants_datasources_link_only_to_the_same_tenant() -> None:
    values = by_name("prod")["grafana"].values
    sources = {
        s["uid"]: s for s in dicts(dig(values, "datasources", "datasources.yaml", "datasources"))
    }
    tempo = as_dict(sources["tempo-billing"]["jsonData"])
    assert dig(tempo, "tracesToLogsV2", "datasourceUid") == "loki-billing"
    assert dig(tempo, "tracesToMetrics", "datasourceUid") == "prometheus-billing"
    assert dig(tempo, "serviceMap", "datasourceUid") == "prometheus-billing"
    assert dig(tempo, "lokiSearch", "datasourceUid") == "loki-billing"
    loki = sources["loki-billing"]
    assert dig(loki, "jsonData", "derivedFields", 0, "datasourceUid") == "tempo-billing"
    exemplars = dig(sources["prometheus-billing"], "jsonData", "exemplarTraceIdDestinations", 0)
    assert dig(exemplars, "datasourceUid") == "tempo-billing"


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
