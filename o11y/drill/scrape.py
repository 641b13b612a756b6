"""Prometheus scrape jobs from the stack's own ServiceMonitors and Probes (o11y/monitors.py),
built as prometheus-operator builds them, with the in-cluster endpoints mapped to loopback.

prometheus-operator turns a ServiceMonitor endpoint into the job
`serviceMonitor/<namespace>/<name>/<index>` over Kubernetes endpoints discovery, and a Probe
with static targets into `probe/<namespace>/<name>`. There is no Kubernetes here, so each
discovered target becomes a static target carrying the `__meta_kubernetes_*` labels the
discovery would have given it; the relabelings that follow are the operator's (its `keep`
on the selector and port, the `namespace`/`service`/`pod`/`container`/`job`/`endpoint`
labels), then the resource's own relabelings and metric relabelings, unchanged.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from o11y.monitors import Json, Manifest

# The Prometheus relabel fields as the CRDs spell them (camelCase) -> as Prometheus does.
_RELABEL_FIELDS = {
    "sourceLabels": "source_labels",
    "targetLabel": "target_label",
    "separator": "separator",
    "regex": "regex",
    "modulus": "modulus",
    "replacement": "replacement",
    "action": "action",
}
# Where the blackbox exporter answers probes, unless the Probe's prober sets `path`.
DEFAULT_PROBER_PATH = "/probe"


@dataclass(frozen=True)
class Loopback:
    """Where the in-cluster endpoints run on this machine: Kubernetes Service name (a
    ServiceMonitor's target, or a probed URL's host) -> port on 127.0.0.1, and the prober's."""

    services: Mapping[str, int]
    prober: int

    def address(self, service: str) -> str:
        return f"127.0.0.1:{self.services[service]}"


def _sanitized(label: str) -> str:
    """A Kubernetes label name as service discovery spells it in a meta label."""
    return re.sub(r"[^a-zA-Z0-9_]", "_", label)


def _strings(value: Json) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _list(value: Json) -> list[Json]:
    return value if isinstance(value, list) else []


def _mapping(value: Json) -> dict[str, Json]:
    return value if isinstance(value, dict) else {}


def prometheus_relabel(config: Json) -> dict[str, Json]:
    """One CRD relabeling as a Prometheus relabel_config."""
    return {_RELABEL_FIELDS[k]: v for k, v in _mapping(config).items() if k in _RELABEL_FIELDS}


def service_monitor_jobs(monitor: Manifest, loopback: Loopback) -> list[dict[str, Json]]:
    """One job per endpoint of a ServiceMonitor whose Service runs on loopback."""
    metadata, spec = _mapping(monitor["metadata"]), _mapping(monitor["spec"])
    name, namespace = str(metadata["name"]), str(metadata["namespace"])
    if name not in loopback.services:
        return []
    selector = {k: str(v) for k, v in _mapping(_mapping(spec["selector"])["matchLabels"]).items()}
    service_namespace = _strings(_mapping(spec.get("namespaceSelector"))["matchNames"])[0]
    jobs: list[dict[str, Json]] = []
    for index, endpoint in enumerate(_mapping(e) for e in _list(spec["endpoints"])):
        port_name = endpoint.get("port")
        target_port = endpoint.get("targetPort")
        # What endpoints discovery reports for the one pod behind the Service.
        meta: dict[str, Json] = {
            "__meta_kubernetes_namespace": service_namespace,
            "__meta_kubernetes_service_name": name,
            "__meta_kubernetes_pod_name": f"{name}-0",
            "__meta_kubernetes_pod_container_name": name,
            "__meta_kubernetes_pod_phase": "Running",
            "__meta_kubernetes_endpoint_address_target_kind": "Pod",
            "__meta_kubernetes_endpoint_address_target_name": f"{name}-0",
            "__meta_kubernetes_endpoint_port_name": str(port_name or ""),
            "__meta_kubernetes_pod_container_port_number": str(target_port or ""),
        }
        for label, value in selector.items():
            meta[f"__meta_kubernetes_service_label_{_sanitized(label)}"] = value
            meta[f"__meta_kubernetes_service_labelpresent_{_sanitized(label)}"] = "true"
        relabels: list[Json] = [
            {"source_labels": ["job"], "target_label": "__tmp_prometheus_job_name"}
        ]
        for label, value in sorted(selector.items()):
            source: list[Json] = [
                f"__meta_kubernetes_service_label_{_sanitized(label)}",
                f"__meta_kubernetes_service_labelpresent_{_sanitized(label)}",
            ]
            relabels.append({"action": "keep", "source_labels": source, "regex": f"({value});true"})
        if port_name is not None:
            relabels.append(
                {
                    "action": "keep",
                    "source_labels": ["__meta_kubernetes_endpoint_port_name"],
                    "regex": str(port_name),
                }
            )
        else:
            relabels.append(
                {
                    "action": "keep",
                    "source_labels": ["__meta_kubernetes_pod_container_port_number"],
                    "regex": str(target_port),
                }
            )
        relabels += [
            {
                "source_labels": [
                    "__meta_kubernetes_endpoint_address_target_kind",
                    "__meta_kubernetes_endpoint_address_target_name",
                ],
                "separator": ";",
                "regex": "Node;(.*)",
                "replacement": "${1}",
                "target_label": "node",
            },
            {
                "source_labels": [
                    "__meta_kubernetes_endpoint_address_target_kind",
                    "__meta_kubernetes_endpoint_address_target_name",
                ],
                "separator": ";",
                "regex": "Pod;(.*)",
                "replacement": "${1}",
                "target_label": "pod",
            },
            {"source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace"},
            {"source_labels": ["__meta_kubernetes_service_name"], "target_label": "service"},
            {"source_labels": ["__meta_kubernetes_pod_name"], "target_label": "pod"},
            {
                "source_labels": ["__meta_kubernetes_pod_container_name"],
                "target_label": "container",
            },
            {
                "action": "drop",
                "source_labels": ["__meta_kubernetes_pod_phase"],
                "regex": "(Failed|Succeeded)",
            },
            {
                "source_labels": ["__meta_kubernetes_service_name"],
                "target_label": "job",
                "replacement": "${1}",
            },
            {"target_label": "endpoint", "replacement": str(port_name or target_port)},
            *(prometheus_relabel(r) for r in _list(endpoint.get("relabelings"))),
        ]
        job: dict[str, Json] = {
            "job_name": f"serviceMonitor/{namespace}/{name}/{index}",
            "honor_labels": False,
            "metrics_path": str(endpoint.get("path", "/metrics")),
            "static_configs": [{"targets": [loopback.address(name)], "labels": meta}],
            "relabel_configs": relabels,
            "metric_relabel_configs": [
                prometheus_relabel(r) for r in _list(endpoint.get("metricRelabelings"))
            ],
        }
        if "interval" in endpoint:
            job["scrape_interval"] = endpoint["interval"]
        jobs.append(job)
    return jobs


def loopback_url(url: str, loopback: Loopback) -> str | None:
    """An in-cluster `http://<service>.<namespace>.svc:<port>/path` on loopback, or None if
    that Service does not run here."""
    match = re.fullmatch(r"http://([^./:]+)\.[^/:]+\.svc(?::\d+)?(/.*)?", url)
    if match is None or match[1] not in loopback.services:
        return None
    return f"http://{loopback.address(match[1])}{match[2] or ''}"


def probe_job(probe: Manifest, loopback: Loopback) -> dict[str, Json] | None:
    """The job of a Probe with static targets, keeping the targets that run on loopback."""
    metadata, spec = _mapping(probe["metadata"]), _mapping(probe["spec"])
    name, namespace = str(metadata["name"]), str(metadata["namespace"])
    static = _mapping(_mapping(spec["targets"])["staticConfig"])
    targets = [loopback_url(url, loopback) for url in _strings(static["static"])]
    kept = [t for t in targets if t is not None]
    if not kept:
        return None
    prober = _mapping(spec["prober"])
    relabels: list[Json] = [
        {"source_labels": ["job"], "target_label": "__tmp_prometheus_job_name"},
    ]
    if "jobName" in spec:
        relabels.append({"target_label": "job", "replacement": str(spec["jobName"])})
    relabels += [
        {"source_labels": ["__address__"], "target_label": "__param_target"},
        {"source_labels": ["__param_target"], "target_label": "instance"},
        {"target_label": "__address__", "replacement": f"127.0.0.1:{loopback.prober}"},
        *(prometheus_relabel(r) for r in _list(static.get("relabelingConfigs"))),
    ]
    labels: dict[str, Json] = {"namespace": namespace, **_mapping(static.get("labels"))}
    job: dict[str, Json] = {
        "job_name": f"probe/{namespace}/{name}",
        "honor_timestamps": True,
        "metrics_path": str(prober.get("path", DEFAULT_PROBER_PATH)),
        "scheme": str(prober.get("scheme", "http")),
        "params": {"module": [str(spec["module"])]},
        "static_configs": [{"targets": list[Json](kept), "labels": labels}],
        "relabel_configs": relabels,
    }
    for field, key in (("interval", "scrape_interval"), ("scrapeTimeout", "scrape_timeout")):
        if field in spec:
            job[key] = spec[field]
    return job


def scrape_configs(resources: list[Manifest], loopback: Loopback) -> list[dict[str, Json]]:
    """Every job prometheus-operator would make of `resources` that has a target here."""
    jobs: list[dict[str, Json]] = []
    for resource in resources:
        if resource["kind"] == "ServiceMonitor":
            jobs += service_monitor_jobs(resource, loopback)
        elif resource["kind"] == "Probe" and (job := probe_job(resource, loopback)) is not None:
            jobs.append(job)
    return jobs
