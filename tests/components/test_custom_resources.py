"""A core manifest as a Kubernetes CustomResource: its kind, metadata and spec, unchanged."""

from collections.abc import Mapping

import pulumi

from cli.mocks import record
from components.custom_resources import custom_resource, manifest_name
from tests.trees import as_dict, dig

PROBE: dict[str, object] = {
    "apiVersion": "monitoring.coreos.com/v1",
    "kind": "Probe",
    "metadata": {
        "name": "shop-health",
        "namespace": "obs",
        "labels": {"team": "core", "port": 8080},
    },
    "spec": {"module": "http_2xx", "targets": {"staticConfig": {"static": ["http://shop/"]}}},
}


def created(manifest: Mapping[str, object]) -> Mapping[str, object]:
    def program() -> None:
        custom_resource(manifest_name(manifest), manifest, pulumi.ResourceOptions())

    (resource,) = [r for r in record(program, "test") if r.name == "shop-health"]
    assert resource.type == "kubernetes:monitoring.coreos.com/v1:Probe"
    return resource.inputs


def test_the_manifest_becomes_a_custom_resource_of_its_kind_with_its_spec() -> None:
    inputs = created(PROBE)
    assert dig(inputs, "spec") == PROBE["spec"]
    assert dig(inputs, "metadata", "name") == "shop-health"
    assert dig(inputs, "metadata", "namespace") == "obs"
    # Kubernetes label values are text, whatever the manifest held.
    assert dig(inputs, "metadata", "labels") == {"team": "core", "port": "8080"}
    assert "annotations" not in as_dict(dig(inputs, "metadata"))


def test_annotations_are_carried_over_when_the_manifest_has_some() -> None:
    metadata = {**as_dict(PROBE["metadata"]), "annotations": {"runbook": "https://runbooks/shop"}}
    inputs = created({**PROBE, "metadata": metadata})
    assert dig(inputs, "metadata", "annotations") == {"runbook": "https://runbooks/shop"}
