"""Strimzi operator values: the operator that runs Tempo's Kafka (o11y/kafka.py).

It watches the release's namespace only (the chart's default), so it manages the platform's
Kafka and nothing the applications run. Kafka's own PodDisruptionBudgets and NetworkPolicies
come from the operator (`generatePodDisruptionBudget`, `generateNetworkPolicy`, both on).
"""

from o11y.helm.pods import Values, resources
from o11y.model.stack import Stack


def values(stack: Stack) -> Values:
    return {
        # One operator: while it restarts, Kafka keeps running; only changes wait.
        "replicas": 1,
        "resources": resources(stack, "kafka_operator"),
        "generatePodDisruptionBudget": True,
        "generateNetworkPolicy": True,
    }
