"""The API server's view of an object: Kubernetes' schemas and CRDs, strict."""

import pytest

from o11y.manifestcheck import custom_resource_definitions, describe, manifest_errors
from o11y.manifests import Manifest

WIDGET_CRD: Manifest = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {
        "group": "example.com",
        "names": {"kind": "Widget", "plural": "widgets"},
        "scope": "Namespaced",
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {
                                "type": "object",
                                "properties": {"size": {"type": "integer", "minimum": 1}},
                            }
                        },
                    }
                },
            }
        ],
    },
}


def _config_map(**extra: object) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "settings", "namespace": "observability"},
        "data": {"a": "b"},
        **extra,
    }


def _widget(spec: dict[str, object]) -> Manifest:
    return {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w"},
        "spec": spec,
    }


CRDS = custom_resource_definitions([WIDGET_CRD])


def test_a_valid_kubernetes_object_has_no_errors() -> None:
    assert manifest_errors(_config_map(), "1.33", CRDS) == []


@pytest.mark.parametrize(
    ("manifest", "expected"),
    [
        pytest.param(_config_map(dataa={"x": "y"}), "dataa", id="an unknown field is an error"),
        pytest.param(_config_map(data={"a": 1}), "is not of type 'string'", id="a wrong type"),
        pytest.param(
            {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g"}},
            "no chart installs a CRD",
            id="a kind nobody serves",
        ),
        pytest.param(_widget({"size": 0}), "minimum", id="a custom resource against its CRD"),
        pytest.param(_widget({"colour": "red"}), "colour", id="a custom resource's unknown field"),
    ],
)
def test_what_the_api_server_refuses_is_reported(manifest: Manifest, expected: str) -> None:
    errors = manifest_errors(manifest, "1.33", CRDS)
    assert errors, manifest
    assert expected in " ".join(errors)


def test_a_served_custom_resource_is_accepted() -> None:
    assert manifest_errors(_widget({"size": 3}), "1.33", CRDS) == []


def test_prometheus_operator_kinds_fall_back_to_the_pinned_crds() -> None:
    monitor: Manifest = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": {"name": "m"},
        "spec": {"selector": {}, "endpointz": []},
    }
    assert any("endpointz" in e for e in manifest_errors(monitor, "1.33", {}))


def test_objects_are_named_by_kind_and_name() -> None:
    assert describe(_config_map()) == "ConfigMap/settings"
