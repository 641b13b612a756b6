"""The Strimzi operator's values: one operator sized by the stack, Kafka's disruption budgets
and network policies left to it."""

from o11y.helm.strimzi import values
from tests.small_stacks import PROD, small_stack
from tests.trees import as_dict


def test_the_operator_runs_with_the_resources_the_stack_gives_it() -> None:
    platform = {
        **as_dict(PROD["platform"]),
        "resources": {
            "kafka_operator": {
                "cpu": "250m",
                "memory": "512Mi",
                "cpu_limit": "1",
                "memory_limit": "768Mi",
            }
        },
    }
    chart = values(small_stack("prod", {"platform": platform}))
    assert chart["resources"] == {
        "requests": {"cpu": "250m", "memory": "512Mi"},
        "limits": {"cpu": "1", "memory": "768Mi"},
    }
    assert chart["replicas"] == 1


def test_kafkas_disruption_budgets_and_network_policies_come_from_the_operator() -> None:
    chart = values(small_stack("prod"))
    assert (chart["generatePodDisruptionBudget"], chart["generateNetworkPolicy"]) == (True, True)
