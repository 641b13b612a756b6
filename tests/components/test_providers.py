"""The explicit providers: where each one points, and how the Grafana provider retries."""

import pulumi

from cli.mocks import record
from components.providers import grafana_provider
from o11y.bundle import bundle
from tests.small_stacks import small_stack


def test_the_grafana_provider_talks_to_the_stack_url_as_admin_and_retries() -> None:
    def program() -> None:
        parent = pulumi.ComponentResource("test:index:Parent", "parent")
        url = bundle(small_stack("prod")).connections.grafana_url
        grafana_provider("grafana", url, pulumi.Output.secret("pw"), parent)

    (provider,) = [r for r in record(program, "test") if r.type == "pulumi:providers:grafana"]
    assert provider.inputs["url"] == "https://grafana.o11y.example.org"
    assert "auth" in provider.secret_inputs
    assert int(str(provider.inputs["retries"])) >= 10
    assert int(str(provider.inputs["retryWait"])) > 0
    assert "pw" not in str({k: v for k, v in provider.inputs.items() if k != "auth"})
