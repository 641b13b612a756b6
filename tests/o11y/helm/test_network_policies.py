"""NetworkPolicies: the namespace boundary, and the admission webhooks the API server calls."""

import pytest

from o11y.helm.network_policies import (
    WEBHOOKS,
    AdmissionWebhook,
    IngressPolicy,
    deployed_webhooks,
    network_policies,
    selects,
)
from tests.small_stacks import small_stack


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        (
            {"app.kubernetes.io/instance": "mimir"},
            {"app.kubernetes.io/instance": "mimir", "x": "y"},
            True,
        ),
        ({"app.kubernetes.io/instance": "mimir"}, {"app.kubernetes.io/instance": "loki"}, False),
        ({"a": "1", "b": "2"}, {"a": "1"}, False),
        ({}, {"a": "1"}, True),
    ],
    ids=[
        "a selector selects pods with its labels and more",
        "a selector does not select pods with another value",
        "a selector needs every one of its labels",
        "an empty selector selects every pod",
    ],
)
def test_a_selector_selects_pods_carrying_its_labels(
    selector: dict[str, str], labels: dict[str, str], expected: bool
) -> None:
    assert selects(selector, labels) is expected


def policy(policies: list[IngressPolicy], name: str) -> IngressPolicy:
    (found,) = [p for p in policies if p.name == name]
    return found


def test_the_mimir_policy_admits_the_rollout_operator_webhooks_from_anywhere() -> None:
    policies = network_policies(small_stack("prod"))
    mimir = policy(policies, "mimir-same-namespace")
    assert mimir.allowed_namespace == "obs"
    assert mimir.webhook_ports == (8443,)
    # Policies that select no webhook server open nothing beyond the namespace.
    assert policy(policies, "loki-same-namespace").webhook_ports == ()


def test_every_policy_that_covers_a_webhook_server_admits_its_port() -> None:
    stack = small_stack("prod")
    webhooks = deployed_webhooks(stack)
    assert {w.name for w in webhooks} == {w.name for w in WEBHOOKS}
    for found in network_policies(stack):
        for webhook in webhooks:
            if selects(found.pod_labels, webhook.pod_labels):
                assert webhook.port in found.webhook_ports, (found.name, webhook.name)


def test_without_mimir_neither_its_policy_nor_its_webhooks() -> None:
    stack = small_stack(
        "prod", {"platform": {**small_stack("prod").platform.model_dump(), "mimir": False}}
    )
    assert [w.name for w in deployed_webhooks(stack)] == ["prometheus-operator"]
    assert "mimir-same-namespace" not in {p.name for p in network_policies(stack)}


def test_dev_restricts_nothing() -> None:
    assert network_policies(small_stack("dev")) == []


def test_a_webhook_is_described_by_its_pods_and_port() -> None:
    operator = next(w for w in WEBHOOKS if w.name == "prometheus-operator")
    assert operator == AdmissionWebhook(
        "prometheus-operator",
        "kube-prometheus-stack",
        {"app": "kube-prometheus-stack-operator", "release": "kube-prometheus-stack"},
        10250,
    )


def test_network_policies_guard_the_backends_in_prod_only() -> None:
    assert network_policies(small_stack("dev")) == []
    policies = network_policies(small_stack("prod"))
    assert [p.name for p in policies] == [
        "prometheus-same-namespace",
        "alertmanager-same-namespace",
        "loki-same-namespace",
        "tempo-same-namespace",
        "mimir-same-namespace",
    ]
