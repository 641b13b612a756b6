"""The top-level component's outputs and wiring, with Pulumi's own test decorator."""

import json
from collections.abc import Callable
from typing import cast

import pulumi
import pytest

from cli.mocks import Registration, record
from components.stack import ObservabilityStack, ObservabilityStackArgs
from o11y import conventions as names
from o11y.bundle import bundle
from o11y.model.stack import Stack, required_secrets
from tests.components.mocks import named, of_type, run_stack

# pulumi.runtime.test waits for the returned Output; typed here for mypy --strict.
pulumi_test = cast(
    "Callable[[Callable[[Stack], pulumi.Output[None]]], Callable[[Stack], None]]",
    pulumi.runtime.test,
)


def build(stack: Stack, secrets: dict[str, str]) -> dict[str, pulumi.Output[str]]:
    outputs: dict[str, pulumi.Output[str]] = {}

    def program() -> None:
        component = ObservabilityStack(
            "o11y",
            ObservabilityStackArgs(
                bundle(stack.model_copy(update={"secrets": frozenset(secrets)})),
                {k: pulumi.Output.secret(v) for k, v in secrets.items()},
            ),
        )
        outputs["paging"] = component.paging

    record(program, "test")
    return outputs


@pulumi_test
def test_dev_without_a_token_says_it_does_not_page(dev_stack: Stack) -> pulumi.Output[None]:
    # Everything dev requires (database, synthetic flow credentials), but no PagerDuty token.
    outputs = build(dev_stack, dict.fromkeys(required_secrets(dev_stack), "stand-in"))

    def check(paging: str) -> None:
        assert paging.startswith("not paging")

    return outputs["paging"].apply(check)


def ordered(registrations: list[Registration], first: str, then: str) -> bool:
    """`then` depends on `first` (directly)."""
    return named(registrations, first).urn in named(registrations, then).dependencies


def waits_for(registrations: list[Registration], urn: str) -> set[str]:
    """URNs of everything `urn` waits for, directly or through what it waits for."""
    by_urn = {r.urn: r for r in registrations}
    seen: set[str] = set()
    todo = list(by_urn[urn].dependencies)
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo += by_urn[current].dependencies if current in by_urn else []
    return seen


def test_the_creation_order_on_a_fresh_cluster(prod_stack: Stack) -> None:
    registrations = run_stack("prod", prod_stack)
    assert ordered(registrations, "o11y-namespace", "o11y-oncall-config")
    assert ordered(registrations, "o11y-oncall-config", "o11y-platform-kube-prometheus-stack")
    assert ordered(registrations, "o11y-oncall-keys", "o11y-platform-kube-prometheus-stack")
    crds = named(registrations, "o11y-platform-prometheus-operator-crds").urn
    assert ordered(
        registrations,
        "o11y-platform-prometheus-operator-crds",
        "o11y-platform-kube-prometheus-stack",
    )
    for kind in ("ServiceMonitor", "Probe", "PrometheusRule"):
        for resource in of_type(registrations, f"kubernetes:monitoring.coreos.com/v1:{kind}"):
            assert crds in resource.dependencies, resource.name


def test_a_pagerduty_failure_holds_back_alertmanager_only(prod_stack: Stack) -> None:
    registrations = run_stack("prod", prod_stack)
    oncall = {
        r.urn
        for r in registrations
        if r.type.startswith("pagerduty:index/")
        or r.name in ("o11y-oncall-keys", "o11y-oncall-config")
    }
    assert len(oncall) > 10
    held_back = {
        r.name
        for r in registrations
        if not r.type.startswith("pagerduty:") and waits_for(registrations, r.urn) & oncall
    }
    # The keys Secret holds the PagerDuty routing keys; the release whose Alertmanager mounts
    # it waits for it. Loki, Tempo, Mimir, Grafana, custom resources and dashboards do not.
    assert held_back == {"o11y-oncall-keys", "o11y-platform-kube-prometheus-stack"}
    # Grafana content waits for Grafana to answer at the provider's URL, checked after the
    # release is ready.
    assert ordered(
        registrations, f"o11y-platform-{names.RELEASE_GRAFANA}", "o11y-platform-grafana-ready"
    )
    ready = named(registrations, "o11y-platform-grafana-ready").urn
    content = [
        *of_type(registrations, "grafana:oss/folder:Folder"),
        *of_type(registrations, "grafana:oss/dashboard:Dashboard"),
    ]
    assert content
    for resource in content:
        assert ready in resource.dependencies, resource.name


def test_prod_pages_through_pagerduty(prod_stack: Stack) -> None:
    registrations = run_stack("prod", prod_stack)
    services = of_type(registrations, "pagerduty:index/service:Service")
    assert len(services) >= len(prod_stack.services)
    (provider,) = of_type(registrations, "pulumi:providers:pagerduty")
    assert "token" in provider.secret_inputs


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_no_secret_value_reaches_a_plain_input(
    name: str, dev_stack: Stack, prod_stack: Stack
) -> None:
    stack = dev_stack if name == "dev" else prod_stack
    registrations = run_stack(name, stack)
    for registration in registrations:
        plain = json.dumps(
            {k: v for k, v in registration.inputs.items() if k not in registration.secret_inputs},
            default=str,
        )
        assert "<secret:" not in plain, registration.name
        assert "mock-password" not in plain, registration.name
