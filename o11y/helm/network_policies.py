"""NetworkPolicies (prod): only pods of the platform's own namespace reach the backends.

Applications reach the platform through the trace gateway (OTLP) and Grafana's ingress only;
Prometheus, Alertmanager, Loki, Tempo and Mimir accept traffic from inside the namespace
(Grafana, the collectors, Prometheus' remote write, the components talking among themselves).
"""

from dataclasses import dataclass

from o11y.conventions import RELEASE_LOKI, RELEASE_MIMIR, RELEASE_TEMPO
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


@dataclass(frozen=True)
class IngressPolicy:
    """Pods matching `pod_labels` in `namespace` accept traffic only from `allowed_namespace`."""

    name: str
    namespace: str
    pod_labels: dict[str, str]
    allowed_namespace: str


def network_policies(stack: Stack) -> list[IngressPolicy]:
    """One policy per backend, or none when the profile does not restrict traffic."""
    if not stack.platform.network_policies:
        return []
    namespace = stack.kubernetes.namespace
    return [
        IngressPolicy(f"{backend}-same-namespace", namespace, labels, namespace)
        for backend, labels in BACKENDS.items()
        if backend != "mimir" or stack.platform.mimir
    ]


def network_policy_manifest(policy: IngressPolicy) -> dict[str, object]:
    """The policy as the NetworkPolicy object components/platform.py creates."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": policy.name, "namespace": policy.namespace},
        "spec": {
            "podSelector": {"matchLabels": dict(policy.pod_labels)},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [
                        {
                            "namespaceSelector": {
                                "matchLabels": {
                                    "kubernetes.io/metadata.name": policy.allowed_namespace
                                }
                            }
                        }
                    ]
                }
            ],
        },
    }
