"""kube-prometheus-stack values: Prometheus, Alertmanager, the operator, node and state metrics.

Prometheus selects every ServiceMonitor, PodMonitor, Probe, ScrapeConfig and PrometheusRule in
the cluster (not only this release's: `*SelectorNilUsesHelmValues: false`), so objects created by
other components are picked up without labels to remember. The chart's default rules stay on:
the alert rules reuse them and Watchdog proves the paging path end to end.
"""

from o11y.conventions import (
    RELEASE_PROMETHEUS,
    SECRET_ALERTMANAGER_CONFIG,
    SECRET_ALERTMANAGER_KEYS,
    TEAM_LABEL,
    mimir_push_url,
)
from o11y.helm.pods import TENANT_HEADER, Values, is_ha, resources, storage_class, tenant
from o11y.model.stack import Stack
from o11y.rules import DISABLED_DEFAULT_RULES

# Objects kinds Prometheus discovers; each gets `<kind>SelectorNilUsesHelmValues: false`.
_SELECTED_KINDS = ("rule", "serviceMonitor", "podMonitor", "probe", "scrapeConfig")

# The chart's control-plane scrapes and the default rule groups that read them; both follow
# `kubernetes.control_plane_metrics`.
CONTROL_PLANE_COMPONENTS = ("kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy")
CONTROL_PLANE_RULE_GROUPS = (
    "etcd",
    "kubeControllerManager",
    "kubeSchedulerAlerting",
    "kubeSchedulerRecording",
    "kubeProxy",
)

# External labels that name a Prometheus HA pair and its replica, in the form Mimir's HA
# tracker deduplicates on (Mimir docs, "Configure high-availability deduplication").
HA_CLUSTER_LABEL = "cluster"
HA_REPLICA_LABEL = "__replica__"


def values(stack: Stack) -> Values:
    control_plane = stack.kubernetes.control_plane_metrics
    return {
        "fullnameOverride": RELEASE_PROMETHEUS,
        # The CRDs come from their own release (o11y/helm/operator_crds.py), which Helm
        # upgrades; the chart's `crds/` directory would be installed once and never again.
        "crds": {"enabled": False},
        # We deploy the grafana chart ourselves (o11y/helm/grafana.py).
        "grafana": {"enabled": False},
        # The chart's rules are reused (o11y/rules.py REUSED_DEFAULT_RULES); ours replace the
        # few it disables, and its alerts go to the team that owns the platform.
        "defaultRules": {
            "create": True,
            "disabled": dict.fromkeys(DISABLED_DEFAULT_RULES, True),
            "additionalRuleLabels": {TEAM_LABEL: stack.alerting.platform_team},
            "rules": dict.fromkeys(CONTROL_PLANE_RULE_GROUPS, control_plane),
        },
        **{component: {"enabled": control_plane} for component in CONTROL_PLANE_COMPONENTS},
        "prometheus": _prometheus(stack),
        "alertmanager": _alertmanager(stack),
        "prometheusOperator": {"resources": resources(stack, "prometheus_operator")},
        # Sub-chart values (kube-state-metrics 8.4.0, prometheus-node-exporter 4.56.1).
        "kube-state-metrics": {"resources": resources(stack, "kube_state_metrics")},
        "prometheus-node-exporter": {"resources": resources(stack, "node_exporter")},
    }


def _prometheus(stack: Stack) -> Values:
    platform = stack.platform
    spec: Values = {
        "replicas": platform.replicas.prometheus,
        "retention": platform.retention.metrics,
        "retentionSize": platform.retention.metrics_size,
        "scrapeInterval": platform.scrape_interval,
        "evaluationInterval": platform.scrape_interval,
        "resources": resources(stack, "prometheus"),
        "podAntiAffinity": "hard" if is_ha(stack) else "soft",
        # Without Mimir, the OTel gateway writes span metrics (RED from traces, with exemplars)
        # here; with Mimir it writes there (o11y/helm/otel.py), and nothing writes here.
        "enableRemoteWriteReceiver": not stack.platform.mimir,
        "enableFeatures": ["exemplar-storage"],
        "externalLabels": {"environment": stack.environment},
        "storageSpec": {
            "volumeClaimTemplate": {
                "spec": {
                    **storage_class(stack),
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": platform.storage.prometheus}},
                }
            }
        },
    }
    for kind in _SELECTED_KINDS:
        spec[f"{kind}SelectorNilUsesHelmValues"] = False
    if platform.mimir:
        spec["prometheusExternalLabelName"] = HA_CLUSTER_LABEL
        spec["replicaExternalLabelName"] = HA_REPLICA_LABEL
        spec["remoteWrite"] = [
            {
                "url": mimir_push_url(stack.kubernetes.namespace),
                "headers": {TENANT_HEADER: tenant(stack)},
                "sendExemplars": True,
            }
        ]
    prometheus: Values = {"prometheusSpec": spec}
    if is_ha(stack):
        prometheus["podDisruptionBudget"] = {"enabled": True, "minAvailable": 1}
    return prometheus


def _alertmanager(stack: Stack) -> Values:
    platform = stack.platform
    spec: Values = {
        "replicas": platform.replicas.alertmanager,
        # The on-call component owns the configuration (a Secret with receivers and keys);
        # the chart must neither render nor overwrite it.
        "useExistingSecret": True,
        "configSecret": SECRET_ALERTMANAGER_CONFIG,
        # Mounted at /etc/alertmanager/secrets/<name>/<key>; the config reads keys from files.
        "secrets": [SECRET_ALERTMANAGER_KEYS],
        "resources": resources(stack, "alertmanager"),
        "podAntiAffinity": "hard" if is_ha(stack) else "soft",
        "storage": {
            "volumeClaimTemplate": {
                "spec": {
                    **storage_class(stack),
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": platform.storage.alertmanager}},
                }
            }
        },
    }
    alertmanager: Values = {"alertmanagerSpec": spec}
    if is_ha(stack):
        # Two of three keep the gossip cluster's quorum for silences and notification log.
        alertmanager["podDisruptionBudget"] = {"enabled": True, "minAvailable": 2}
    return alertmanager
