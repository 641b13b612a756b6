"""Service discovery and probes as prometheus-operator custom resources (P7, P8, P9).

One ServiceMonitor per catalog service (a new service is monitored by adding one catalog
entry), one health Probe per service, one TLS Probe per configured endpoint and one
ServiceMonitor per exporter. Every target carries `service` (or `dependency`) and `team`, and
unbounded labels are dropped before ingestion. Plain dicts: components/monitoring.py
creates them as CustomResources, tests validate them against the CRDs' schemas.
"""

from typing import TypeAlias

import yaml

from o11y.conventions import (
    DEPENDENCY_LABEL,
    GRAFANA_HEALTH_JOB,
    HEALTH_JOB,
    MANAGED_BY,
    SERVICE_LABEL,
    TEAM_LABEL,
    TLS_JOB,
    UNBOUNDED_LABELS,
    blackbox_address,
    exporter_release,
    grafana_health_url,
)
from o11y.helm.exporters import (
    DEPENDENCY_SELECTOR_LABEL,
    EXPORTER_PORTS,
    MODULE_GRAFANA_HEALTH,
    MODULE_HTTP,
    MODULE_TLS,
    exported_dependencies,
)
from o11y.kafka import kafka_monitors
from o11y.model.catalog import Service
from o11y.model.stack import Stack
from o11y.once import once_per_stack
from o11y.promrules import YAML_DUMPER
from o11y.synthetics import synthetic_monitors

Json: TypeAlias = "str | int | float | bool | list[Json] | dict[str, Json] | None"
Manifest: TypeAlias = dict[str, Json]

API_VERSION = "monitoring.coreos.com/v1"
# The blackbox exporter may take up to its module timeout (10s); probe less often than scrape.
PROBE_INTERVAL = "60s"


@once_per_stack
def custom_resources(stack: Stack) -> list[Manifest]:
    """Every ServiceMonitor, PodMonitor and Probe of the stack, in a stable order."""
    return [
        *(service_monitor(stack, service) for service in stack.services),
        *(health_probe(stack, service) for service in stack.services),
        *tls_probes(stack),
        *exporter_monitors(stack),
        *grafana_health_probes(stack),
        *synthetic_monitors(stack),
        *kafka_monitors(stack),
    ]


def monitor_files(stack: Stack) -> dict[str, str]:
    """`kubernetes/monitors.yaml`: every custom resource, for review next to `pulumi preview`."""
    documents = custom_resources(stack)
    return {
        "kubernetes/monitors.yaml": yaml.dump_all(
            documents, Dumper=YAML_DUMPER, sort_keys=True, width=1000, allow_unicode=True
        )
    }


def _metadata(stack: Stack, name: str, labels: dict[str, str]) -> Manifest:
    return {
        "name": name,
        "namespace": stack.kubernetes.namespace,
        "labels": {**MANAGED_BY, **labels},
    }


def _set_label(label: str, value: str) -> Json:
    return {"action": "replace", "targetLabel": label, "replacement": value}


def _drop_unbounded() -> Json:
    return {"action": "labeldrop", "regex": "|".join(UNBOUNDED_LABELS)}


def service_monitor(stack: Stack, service: Service) -> Manifest:
    labels = {SERVICE_LABEL: service.name, TEAM_LABEL: service.team, "job": service.name}
    return {
        "apiVersion": API_VERSION,
        "kind": "ServiceMonitor",
        "metadata": _metadata(stack, service.name, labels),
        "spec": {
            "selector": {"matchLabels": dict[str, Json](service.pod_selector)},
            "namespaceSelector": {"matchNames": [service.namespace]},
            "endpoints": [
                {
                    "port": service.port_name,
                    "path": service.metrics_path,
                    "interval": service.scrape_interval,
                    # After the operator's own relabelings, so the catalog name wins over the
                    # Kubernetes Service name in `service`.
                    "relabelings": [_set_label(k, v) for k, v in labels.items()],
                    "metricRelabelings": [_drop_unbounded()],
                }
            ],
        },
    }


def health_url(service: Service) -> str:
    """The in-cluster URL of a service's health endpoint (its Kubernetes Service is named
    after the catalog entry)."""
    return f"http://{service.name}.{service.namespace}.svc:{service.port}{service.health_path}"


def health_probe(stack: Stack, service: Service) -> Manifest:
    labels = {SERVICE_LABEL: service.name, TEAM_LABEL: service.team}
    return {
        "apiVersion": API_VERSION,
        "kind": "Probe",
        "metadata": _metadata(stack, f"{service.name}-health", labels),
        "spec": {
            "jobName": HEALTH_JOB,
            "prober": {"url": blackbox_address(stack.kubernetes.namespace)},
            "module": MODULE_HTTP,
            "interval": PROBE_INTERVAL,
            # Static labels land on every probe_* series (probe_success{service="..."}).
            "targets": {
                "staticConfig": {
                    "static": [health_url(service)],
                    "labels": dict[str, Json](labels),
                }
            },
        },
    }


def grafana_health_probes(stack: Stack) -> list[Manifest]:
    """Grafana's health, its database included, where Grafana has an external database
    (GrafanaDatabaseUnreachable reads it)."""
    if stack.platform.grafana_database is None:
        return []
    return [
        {
            "apiVersion": API_VERSION,
            "kind": "Probe",
            "metadata": _metadata(stack, GRAFANA_HEALTH_JOB, {}),
            "spec": {
                "jobName": GRAFANA_HEALTH_JOB,
                "prober": {"url": blackbox_address(stack.kubernetes.namespace)},
                "module": MODULE_GRAFANA_HEALTH,
                "interval": PROBE_INTERVAL,
                "targets": {
                    "staticConfig": {"static": [grafana_health_url(stack.kubernetes.namespace)]}
                },
            },
        }
    ]


def tls_probes(stack: Stack) -> list[Manifest]:
    probes: list[Manifest] = []
    for endpoint in stack.tls_endpoints:
        labels = {"endpoint": endpoint.name, TEAM_LABEL: endpoint.team}
        probes.append(
            {
                "apiVersion": API_VERSION,
                "kind": "Probe",
                "metadata": _metadata(stack, f"tls-{endpoint.name}", labels),
                "spec": {
                    "jobName": TLS_JOB,
                    "prober": {"url": blackbox_address(stack.kubernetes.namespace)},
                    "module": MODULE_TLS,
                    # As often as the health probes: a series scraped less often than every 5m
                    # goes stale between scrapes, and alerts with `for:` on it never fire.
                    "interval": PROBE_INTERVAL,
                    "scrapeTimeout": "30s",
                    "targets": {
                        "staticConfig": {
                            "static": [endpoint.url],
                            "labels": dict[str, Json](labels),
                        }
                    },
                },
            }
        )
    return probes


def exporter_monitors(stack: Stack) -> list[Manifest]:
    monitors: list[Manifest] = []
    for dependency in exported_dependencies(stack):
        labels = {DEPENDENCY_LABEL: dependency.name}
        monitors.append(
            {
                "apiVersion": API_VERSION,
                "kind": "ServiceMonitor",
                "metadata": _metadata(stack, exporter_release(dependency.name), labels),
                "spec": {
                    "selector": {"matchLabels": {DEPENDENCY_SELECTOR_LABEL: dependency.name}},
                    "namespaceSelector": {"matchNames": [stack.kubernetes.namespace]},
                    "endpoints": [
                        {
                            "targetPort": EXPORTER_PORTS[dependency.kind],
                            "interval": stack.platform.scrape_interval,
                            "relabelings": [_set_label(DEPENDENCY_LABEL, dependency.name)],
                        }
                    ],
                },
            }
        )
    return monitors
