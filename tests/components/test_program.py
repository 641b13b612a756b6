"""The whole program under Pulumi mocks: providers, wiring and the refusal of bad stacks."""

import pulumi
import pytest

from o11y.model.stack import Stack
from tests.components.mocks import of_type, run_stack


def test_every_resource_uses_an_explicit_provider(dev_stack: Stack) -> None:
    registrations = run_stack("dev", dev_stack)
    for r in registrations:
        if r.custom and not r.type.startswith("pulumi:providers:"):
            assert r.provider, f"{r.type} {r.name} would use a default provider"


def test_the_kubernetes_provider_targets_the_configured_context(prod_stack: Stack) -> None:
    registrations = run_stack("prod", prod_stack)
    (provider,) = of_type(registrations, "pulumi:providers:kubernetes")
    assert provider.inputs["context"] == "prod-eu-west-1"


def test_prod_without_its_secrets_refuses_to_run(prod_stack: Stack) -> None:
    with pytest.raises(pulumi.RunError, match=r"secrets.pagerduty_token: required in prod"):
        run_stack("prod", prod_stack, secrets=())
