"""Turns a manifest from the core into a Kubernetes resource: a CustomResource, or the typed
metadata of a built-in kind."""

from collections.abc import Mapping

import pulumi
import pulumi_kubernetes as k8s


def _text_map(value: object) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, Mapping) else {}


def custom_resource(
    resource_name: str, manifest: Mapping[str, object], opts: pulumi.ResourceOptions
) -> k8s.apiextensions.CustomResource:
    return k8s.apiextensions.CustomResource(
        resource_name,
        api_version=str(manifest["apiVersion"]),
        kind=str(manifest["kind"]),
        metadata=metadata_args(manifest),
        spec=manifest["spec"],
        opts=opts,
    )


def metadata_args(manifest: Mapping[str, object]) -> k8s.meta.v1.ObjectMetaArgs:
    metadata = manifest["metadata"]
    assert isinstance(metadata, Mapping), "a manifest has metadata"
    return k8s.meta.v1.ObjectMetaArgs(
        name=str(metadata["name"]),
        namespace=str(metadata["namespace"]),
        labels=_text_map(metadata.get("labels")) or None,
        annotations=_text_map(metadata.get("annotations")) or None,
    )


def manifest_name(manifest: Mapping[str, object]) -> str:
    metadata = manifest["metadata"]
    assert isinstance(metadata, Mapping), "a manifest has metadata"
    return str(metadata["name"])
