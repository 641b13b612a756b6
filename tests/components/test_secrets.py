"""Secrets as the program writes them: base64 `data`, every value a Pulumi secret."""

import base64

import pulumi
import pulumi_kubernetes as k8s

from cli.mocks import record
from components.secrets import encoded, opaque_secret


def test_a_value_is_encoded_as_base64_of_its_utf8_bytes() -> None:
    assert encoded("pässword") == base64.b64encode("pässword".encode()).decode()
    assert encoded("") == ""


def test_the_secret_is_written_as_data_and_held_secret() -> None:
    def program() -> None:
        provider = k8s.Provider("cluster", context="test")
        opaque_secret(
            "keys",
            "alertmanager-keys",
            "obs",
            {"b": pulumi.Output.from_input("plain-looking"), "a": "literal"},
            pulumi.ResourceOptions(provider=provider),
        )

    (secret,) = [r for r in record(program, "test") if r.type == "kubernetes:core/v1:Secret"]
    assert "stringData" not in secret.inputs
    assert secret.secret_inputs == frozenset({"data"})
    data = secret.inputs["data"]
    assert isinstance(data, dict)
    assert data["value"] == {"a": encoded("literal"), "b": encoded("plain-looking")}
    assert secret.inputs["type"] == "Opaque"
    assert secret.inputs["metadata"] == {
        "name": "alertmanager-keys",
        "namespace": "obs",
        "labels": {"app.kubernetes.io/managed-by": "o11y"},
    }
