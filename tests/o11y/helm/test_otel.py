"""OpenTelemetry Collector values: the gateway, the tail-sampling tier behind it in
production, span and service-graph metrics, and the log agent."""

import pytest

from o11y import conventions as names
from o11y.helm import releases
from o11y.helm.otel import decision_wait, operation_pattern, tail_sampling
from tests.o11y.helm.stacks import by_name
from tests.small_stacks import SERVICE, small_stack
from tests.trees import as_dict, as_list, dicts, dig


def test_tail_sampling_keeps_errors_slow_and_critical_traces_and_samples_the_rest() -> None:
    policies = {p["name"]: p for p in dicts(tail_sampling(small_stack("prod"))["policies"])}
    assert policies["errors"]["status_code"] == {"status_codes": ["ERROR"]}
    assert policies["slow"]["latency"] == {"threshold_ms": 1000}
    assert dig(policies["critical-operations"], "ottl_condition", "span") == [
        'IsMatch(name, "^billing[.].*$")',
        'IsMatch(name, "^security[.].*$")',
    ]
    assert policies["everything-else"]["probabilistic"] == {"sampling_percentage": 10}


def test_the_sampler_waits_for_the_slowest_services_p99() -> None:
    slow = {**SERVICE, "name": "llm", "display_name": "LLM", "latency_p99_seconds": 29.5}
    assert decision_wait(small_stack("prod", {"services": [SERVICE, slow]})) == "30s"


def test_the_sampler_waits_at_least_ten_seconds() -> None:
    fast = {**SERVICE, "latency_p99_seconds": 0.2}
    assert decision_wait(small_stack("prod", {"services": [fast]})) == "10s"


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
    assert dig(balancer, "resolver", "k8s", "service") == "otel-sampler.obs"
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
    assert writer["endpoint"] == "http://mimir-gateway.obs.svc:80/api/v1/push"
    assert writer["headers"] == {"X-Scope-OrgID": "default"}


def test_dev_writes_span_metrics_to_its_one_prometheus() -> None:
    writer = span_metrics_writer("dev")
    assert writer["endpoint"] == "http://kube-prometheus-stack-prometheus.obs.svc:9090/api/v1/write"
    assert "headers" not in writer


def test_the_log_agent_daemonset_is_scraped_through_a_pod_monitor() -> None:
    # A DaemonSet-mode collector has no Service, so a ServiceMonitor would select nothing.
    values = by_name("dev")["otel-agent"].values
    assert dig(values, "mode") == "daemonset"
    assert dig(values, "podMonitor") == {"enabled": True, "metricsEndpoints": [{"port": "metrics"}]}
    assert "serviceMonitor" not in values


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_collectors_use_the_component_names_the_chart_does_not_rewrite(env: str) -> None:
    for release in releases(small_stack(env)):
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
