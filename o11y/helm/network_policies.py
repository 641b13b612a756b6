"""NetworkPolicies (prod): only pods of the platform's own namespace reach the backends, and
Grafana, when it has an external database, reaches only its datasources, DNS and that database.

Applications reach the platform through the trace gateway (OTLP) and Grafana's ingress only;
Prometheus, Alertmanager, Loki, Tempo and Mimir accept traffic from inside the namespace
(Grafana, the collectors, Prometheus' remote write, the components talking among themselves).

One exception: the Kubernetes API server calls the admission webhooks the charts run in our
namespace, and its source address is no pod's (on most clusters, not even a cluster address),
so no namespace selector admits it. A webhook with `failurePolicy: Fail` that the API server
cannot reach blocks what it guards (the rollout-operator's webhooks block StatefulSet updates
and node drains), so every policy that covers a webhook's pods admits its port from anywhere.
"""

from dataclasses import dataclass

from o11y.conventions import (
    RELEASE_GRAFANA,
    RELEASE_LOKI,
    RELEASE_MIMIR,
    RELEASE_PROMETHEUS,
    RELEASE_TEMPO,
)
from o11y.helm.pods import INSTANCE_LABEL
from o11y.model.stack import Stack

# Pod labels of each backend. The operator labels Prometheus and Alertmanager pods by
# application name (not by release); the Grafana charts label by release.
BACKENDS: dict[str, dict[str, str]] = {
    "prometheus": {"app.kubernetes.io/name": "prometheus"},
    "alertmanager": {"app.kubernetes.io/name": "alertmanager"},
    "loki": {INSTANCE_LABEL: RELEASE_LOKI},
    "tempo": {INSTANCE_LABEL: RELEASE_TEMPO},
    "mimir": {INSTANCE_LABEL: RELEASE_MIMIR},
}


# The Grafana chart's pod labels (selector labels).
GRAFANA_POD_LABELS = {"app.kubernetes.io/name": "grafana", INSTANCE_LABEL: RELEASE_GRAFANA}


@dataclass(frozen=True)
class AdmissionWebhook:
    """A webhook server a chart runs in our namespace: its release, pod labels and port."""

    name: str
    release: str
    pod_labels: dict[str, str]
    port: int


# Every admission webhook the pinned charts render with our values.
WEBHOOKS = (
    # kube-prometheus-stack 88.5.3: the operator itself serves the PrometheusRule and
    # AlertmanagerConfig webhooks (`prometheusOperator.tls.internalPort`, 10250).
    AdmissionWebhook(
        "prometheus-operator",
        RELEASE_PROMETHEUS,
        {"app": f"{RELEASE_PROMETHEUS}-operator", "release": RELEASE_PROMETHEUS},
        10250,
    ),
    # mimir-distributed 6.1.0's rollout-operator subchart: the no-downscale, prepare-downscale,
    # pod-eviction and zone-aware PDB webhooks (`failurePolicy: Fail`), container port 8443.
    AdmissionWebhook(
        "rollout-operator",
        RELEASE_MIMIR,
        {"app.kubernetes.io/name": "rollout-operator", INSTANCE_LABEL: RELEASE_MIMIR},
        8443,
    ),
)


@dataclass(frozen=True)
class IngressPolicy:
    """Pods matching `pod_labels` in `namespace` accept traffic only from `allowed_namespace`,
    and on `webhook_ports` from anywhere (the API server calling their admission webhooks)."""

    name: str
    namespace: str
    pod_labels: dict[str, str]
    allowed_namespace: str
    webhook_ports: tuple[int, ...] = ()


def network_policies(stack: Stack) -> list[IngressPolicy]:
    """One policy per backend, or none when the profile does not restrict traffic."""
    if not stack.platform.network_policies:
        return []
    namespace = stack.kubernetes.namespace
    webhooks = deployed_webhooks(stack)
    return [
        IngressPolicy(
            f"{backend}-same-namespace",
            namespace,
            labels,
            namespace,
            tuple(sorted({w.port for w in webhooks if selects(labels, w.pod_labels)})),
        )
        for backend, labels in BACKENDS.items()
        if backend != "mimir" or stack.platform.mimir
    ]


def deployed_webhooks(stack: Stack) -> list[AdmissionWebhook]:
    """The admission webhooks of the releases this stack deploys."""
    return [w for w in WEBHOOKS if w.release != RELEASE_MIMIR or stack.platform.mimir]


def selects(selector: dict[str, str], pod_labels: dict[str, str]) -> bool:
    """A `matchLabels` selector selects pods that carry every one of its labels."""
    return all(pod_labels.get(key) == value for key, value in selector.items())


def _namespace_peer(namespace: str) -> dict[str, object]:
    """The pods of one namespace, by the label Kubernetes gives every namespace."""
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}}}


def network_policy_manifest(policy: IngressPolicy) -> dict[str, object]:
    """The policy as a NetworkPolicy object: rendered, and created by components/platform.py."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": policy.name, "namespace": policy.namespace},
        "spec": {
            "podSelector": {"matchLabels": dict(policy.pod_labels)},
            "policyTypes": ["Ingress"],
            "ingress": [
                {"from": [_namespace_peer(policy.allowed_namespace)]},
                # No `from`: open to every source, the API server calling a webhook included.
                *({"ports": [{"port": port, "protocol": "TCP"}]} for port in policy.webhook_ports),
            ],
        },
    }


# DNS: the cluster resolver's pods listen on 53 (kube-dns and CoreDNS alike); a policy sees
# the pod port, after the Service's translation.
DNS_PORT = 53
# HTTPS out: Grafana installs its preinstalled app plugins (the Drilldown apps) from
# grafana.com at start.
HTTPS_PORT = 443


@dataclass(frozen=True)
class EgressPolicy:
    """Pods matching `pod_labels` in `namespace` send traffic only to pods of their own
    namespace, to the cluster DNS, and on `external_tcp_ports` to any address: a NetworkPolicy
    names addresses, not hosts, so a database outside the cluster is allowed by its port."""

    name: str
    namespace: str
    pod_labels: dict[str, str]
    external_tcp_ports: tuple[int, ...]


def egress_policies(stack: Stack) -> list[EgressPolicy]:
    """Grafana's way out when it keeps its state in an external database: its datasources (in
    the namespace), DNS, the database's port and HTTPS; nothing else."""
    database = stack.platform.grafana_database
    if not stack.platform.network_policies or database is None:
        return []
    return [
        EgressPolicy(
            "grafana-egress",
            stack.kubernetes.namespace,
            dict(GRAFANA_POD_LABELS),
            tuple(sorted({database.port, HTTPS_PORT})),
        )
    ]


def egress_policy_manifest(policy: EgressPolicy) -> dict[str, object]:
    """The policy as a NetworkPolicy object: rendered, and created by components/platform.py."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": policy.name, "namespace": policy.namespace},
        "spec": {
            "podSelector": {"matchLabels": dict(policy.pod_labels)},
            "policyTypes": ["Egress"],
            "egress": [
                {"to": [_namespace_peer(policy.namespace)]},
                {
                    "to": [{"namespaceSelector": {}}],
                    "ports": [
                        {"port": DNS_PORT, "protocol": "UDP"},
                        {"port": DNS_PORT, "protocol": "TCP"},
                    ],
                },
                {
                    "to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}],
                    "ports": [
                        {"port": port, "protocol": "TCP"} for port in policy.external_tcp_ports
                    ],
                },
            ],
        },
    }


def network_policy_manifests(stack: Stack) -> list[dict[str, object]]:
    """Every NetworkPolicy of the stack as an object: ingress policies, then egress ones."""
    return [
        *(network_policy_manifest(p) for p in network_policies(stack)),
        *(egress_policy_manifest(p) for p in egress_policies(stack)),
    ]
