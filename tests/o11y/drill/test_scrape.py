"""Scrape jobs as prometheus-operator builds them from the stack's ServiceMonitors and Probes."""

from o11y.drill.scrape import Loopback, loopback_url, scrape_configs
from o11y.model.stack import Stack
from o11y.monitors import custom_resources
from tests.o11y.drill.stacks import small_stack
from tests.trees import as_dict, as_list


def _jobs(dev_stack: Stack, services: dict[str, int]) -> dict[str, dict[str, object]]:
    stack = small_stack(dev_stack)
    jobs = scrape_configs(custom_resources(stack), Loopback(services, prober=9115))
    return {str(j["job_name"]): as_dict(j) for j in jobs}


def test_only_resources_whose_target_runs_here_become_jobs(dev_stack: Stack) -> None:
    assert sorted(_jobs(dev_stack, {"shop": 8001})) == [
        "probe/observability/shop-health",
        "serviceMonitor/observability/shop/0",
    ]
    assert sorted(_jobs(dev_stack, {"orders-db-exporter": 8002})) == [
        "serviceMonitor/observability/orders-db-exporter/0"
    ]


def test_a_service_monitor_keeps_the_selected_service_and_port_then_applies_its_relabelings(
    dev_stack: Stack,
) -> None:
    job = _jobs(dev_stack, {"shop": 8001})["serviceMonitor/observability/shop/0"]
    (static,) = as_list(job["static_configs"])
    assert as_dict(static)["targets"] == ["127.0.0.1:8001"]
    meta = as_dict(as_dict(static)["labels"])
    assert meta["__meta_kubernetes_namespace"] == "web"
    assert meta["__meta_kubernetes_service_label_app_kubernetes_io_name"] == "shop"
    relabels = [as_dict(r) for r in as_list(job["relabel_configs"])]
    assert relabels[1] == {
        "action": "keep",
        "source_labels": [
            "__meta_kubernetes_service_label_app_kubernetes_io_name",
            "__meta_kubernetes_service_labelpresent_app_kubernetes_io_name",
        ],
        "regex": "(shop);true",
    }
    assert relabels[2] == {
        "action": "keep",
        "source_labels": ["__meta_kubernetes_endpoint_port_name"],
        "regex": "http",
    }
    targets = [r.get("target_label") for r in relabels]
    # The operator's labels first, the ServiceMonitor's own relabelings last.
    assert targets[3:] == [
        "node",
        "pod",
        "namespace",
        "service",
        "pod",
        "container",
        None,  # drop pods that are Failed or Succeeded
        "job",
        "endpoint",
        "service",
        "team",
        "job",
    ]
    assert job["metric_relabel_configs"] == [
        {"action": "labeldrop", "regex": "user_id|event_id|request_id|session_id|trace_id"}
    ]


def test_an_exporter_monitor_keeps_its_target_port(dev_stack: Stack) -> None:
    job = _jobs(dev_stack, {"sessions-exporter": 8003})[
        "serviceMonitor/observability/sessions-exporter/0"
    ]
    relabels = [as_dict(r) for r in as_list(job["relabel_configs"])]
    assert relabels[2] == {
        "action": "keep",
        "source_labels": ["__meta_kubernetes_pod_container_port_number"],
        "regex": "9121",
    }
    assert {"target_label": "endpoint", "replacement": "9121"} in relabels


def test_a_probe_asks_the_prober_for_the_target_on_loopback(dev_stack: Stack) -> None:
    job = _jobs(dev_stack, {"shop": 8001})["probe/observability/shop-health"]
    assert (job["metrics_path"], job["params"], job["scrape_interval"]) == (
        "/probe",
        {"module": ["http_2xx"]},
        "60s",
    )
    assert job["static_configs"] == [
        {
            "targets": ["http://127.0.0.1:8001/health"],
            "labels": {"namespace": "observability", "service": "shop", "team": "platform"},
        }
    ]
    assert job["relabel_configs"] == [
        {"source_labels": ["job"], "target_label": "__tmp_prometheus_job_name"},
        {"target_label": "job", "replacement": "health"},
        {"source_labels": ["__address__"], "target_label": "__param_target"},
        {"source_labels": ["__param_target"], "target_label": "instance"},
        {"target_label": "__address__", "replacement": "127.0.0.1:9115"},
    ]


def test_in_cluster_urls_map_to_loopback_only_for_services_running_here() -> None:
    loopback = Loopback({"shop": 8001}, prober=9115)
    assert (
        loopback_url("http://shop.web.svc:8080/health", loopback) == "http://127.0.0.1:8001/health"
    )
    assert loopback_url("http://other.web.svc:8080/health", loopback) is None
    assert loopback_url("https://shop.example.com", loopback) is None
