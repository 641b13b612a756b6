"""ServiceMonitors and Probes: one per catalog entry, labelled, and valid against the CRDs."""

import re

import pytest

from o11y.chartcheck import custom_resource_errors
from o11y.helm.exporters import blackbox_values
from o11y.model.stack import Stack
from o11y.monitors import (
    custom_resources,
    grafana_health_probes,
    health_probe,
    service_monitor,
    tls_probes,
)
from tests.conftest import load_stack
from tests.small_stacks import SERVICE, small_stack
from tests.trees import as_dict, as_list, dig, text


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_every_custom_resource_is_valid_against_its_crd(env: str) -> None:
    for resource in custom_resources(load_stack(env)):
        assert custom_resource_errors(resource) == [], dig(resource, "metadata", "name")


def test_a_misspelled_field_fails_the_crd_schema() -> None:
    stack = load_stack("dev")
    monitor = service_monitor(stack, stack.services[0])
    as_dict(dig(monitor, "spec", "endpoints", 0))["intervall"] = "30s"
    assert custom_resource_errors(monitor) == [
        "spec.endpoints.0: Additional properties are not allowed ('intervall' was unexpected)"
    ]


def test_one_service_monitor_and_one_health_probe_per_catalog_service() -> None:
    stack = load_stack("dev")
    resources = custom_resources(stack)
    monitors = {dig(r, "metadata", "name") for r in resources if r["kind"] == "ServiceMonitor"}
    probes = {dig(r, "metadata", "name") for r in resources if r["kind"] == "Probe"}
    for service in stack.services:
        assert service.name in monitors
        assert f"{service.name}-health" in probes


@pytest.fixture(scope="module")
def stack() -> Stack:
    """A service, a Postgres and a Kafka dependency, and two TLS endpoints."""
    return small_stack(
        "prod",
        {
            "dependencies": [
                {"kind": "postgres", "name": "db", "host": "pg.data.svc", "database": "app"},
                {
                    "kind": "kafka",
                    "name": "bus",
                    "brokers": ["kafka-0.data.svc:9092"],
                    "consumer_groups": ["orders"],
                },
            ],
            "services": [{**SERVICE, "uses": ["db", "bus"]}],
            "tls_endpoints": [
                {"name": "api", "url": "https://api.example.org", "team": "core"},
                {"name": "app", "url": "https://app.example.org", "team": "core"},
            ],
        },
    )


def test_service_monitor_labels_series_with_the_catalog_name_and_drops_unbounded_labels(
    stack: Stack,
) -> None:
    spec = as_dict(service_monitor(stack, stack.service("shop"))["spec"])
    assert spec["selector"] == {"matchLabels": {"app.kubernetes.io/name": "shop"}}
    assert spec["namespaceSelector"] == {"matchNames": ["apps"]}
    endpoint = as_dict(dig(spec, "endpoints", 0))
    assert (endpoint["port"], endpoint["path"], endpoint["interval"]) == ("http", "/metrics", "30s")
    assert endpoint["relabelings"] == [
        {"action": "replace", "targetLabel": "service", "replacement": "shop"},
        {"action": "replace", "targetLabel": "team", "replacement": "core"},
        # `job` is the catalog name, so ServiceDown can tell the service's own targets from
        # the blackbox probes that also carry `service`.
        {"action": "replace", "targetLabel": "job", "replacement": "shop"},
    ]
    assert endpoint["metricRelabelings"] == [
        {"action": "labeldrop", "regex": "user_id|event_id|request_id|session_id|trace_id"}
    ]


def test_health_probe_gives_probe_success_the_service_label(stack: Stack) -> None:
    spec = as_dict(health_probe(stack, stack.service("shop"))["spec"])
    assert spec["prober"] == {"url": "blackbox-exporter-prometheus-blackbox-exporter.obs.svc:9115"}
    assert spec["module"] == "http_2xx"
    assert dig(spec, "targets", "staticConfig") == {
        "static": ["http://shop.apps.svc:8080/health"],
        "labels": {"service": "shop", "team": "core"},
    }


def test_tls_probes_cover_every_configured_endpoint(stack: Stack) -> None:
    probes = tls_probes(stack)
    assert [dig(p, "spec", "targets", "staticConfig", "static") for p in probes] == [
        ["https://api.example.org"],
        ["https://app.example.org"],
    ]
    assert {dig(p, "spec", "module") for p in probes} == {"tls_expiry"}


def test_exporters_are_scraped_with_the_dependency_label(stack: Stack) -> None:
    exporters = {
        dig(r, "metadata", "name"): r
        for r in custom_resources(stack)
        if "dependency" in as_dict(dig(r, "metadata", "labels"))
    }
    assert set(exporters) == {"db-exporter", "bus-exporter"}
    endpoint = as_dict(dig(exporters["bus-exporter"], "spec", "endpoints", 0))
    assert endpoint["targetPort"] == 9308
    assert endpoint["relabelings"] == [
        {"action": "replace", "targetLabel": "dependency", "replacement": "bus"}
    ]


def test_monitor_file_holds_every_custom_resource_in_order() -> None:
    from o11y.monitors import monitor_files

    stack = load_stack("prod")
    text = monitor_files(stack)["kubernetes/monitors.yaml"]
    assert text.count("\n---\n") == len(custom_resources(stack)) - 1
    assert text == monitor_files(stack)["kubernetes/monitors.yaml"]


def test_grafanas_health_is_probed_with_the_module_that_needs_the_database_ok() -> None:
    stack = small_stack("prod")
    (probe,) = grafana_health_probes(stack)
    assert dig(probe, "spec", "jobName") == "grafana-health"
    assert dig(probe, "spec", "module") == "grafana_health"
    assert dig(probe, "spec", "targets", "staticConfig", "static") == [
        "http://grafana.obs.svc/api/health"
    ]
    module = dig(blackbox_values(stack), "config", "modules", "grafana_health")
    (pattern,) = as_list(dig(module, "http", "fail_if_body_not_matches_regexp"))
    assert re.search(text(pattern), '{"database": "ok", "version": "13.0.0"}')
    assert not re.search(text(pattern), '{"database": "failing"}')
    assert custom_resource_errors(probe) == []


def test_without_a_grafana_database_nothing_probes_grafana() -> None:
    stack = small_stack("dev")
    assert grafana_health_probes(stack) == []
    assert "grafana_health" not in as_dict(dig(blackbox_values(stack), "config", "modules"))
