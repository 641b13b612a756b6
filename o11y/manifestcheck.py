"""Is every rendered object one the API server accepts? Kubernetes' own kinds are validated
against that Kubernetes version's OpenAPI schemas (kubernetes-validate, strict: unknown fields
are errors), custom resources against their CustomResourceDefinition's schema (strict too).

CRDs come from the charts' own `crds/` (rendered with `--include-crds`) and, for the
prometheus-operator kinds, from the pinned operator version's CRDs in o11y/chartdata.
"""

from collections.abc import Iterable, Mapping

import kubernetes_validate

from o11y.chartcheck import custom_resource_errors, schema_errors, strict_schema
from o11y.manifests import Manifest

PROMETHEUS_OPERATOR_GROUP = "monitoring.coreos.com"


def describe(manifest: Mapping[str, object]) -> str:
    """`Kind/name` of an object, as a report names it."""
    metadata = manifest.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    return f"{manifest.get('kind')}/{name}"


def custom_resource_definitions(manifests: Iterable[Manifest]) -> dict[tuple[str, str], Manifest]:
    """(group, kind) -> CRD, for every CustomResourceDefinition among the manifests."""
    found: dict[tuple[str, str], Manifest] = {}
    for manifest in manifests:
        if manifest.get("kind") != "CustomResourceDefinition":
            continue
        spec = manifest["spec"]
        assert isinstance(spec, dict)
        names = spec["names"]
        assert isinstance(names, dict)
        found[(str(spec["group"]), str(names["kind"]))] = manifest
    return found


def manifest_errors(
    manifest: Manifest,
    kubernetes_version: str,
    crds: Mapping[tuple[str, str], Manifest],
) -> list[str]:
    """Why the API server would refuse the object; empty when it would accept it."""
    group, _, version = str(manifest.get("apiVersion", "")).rpartition("/")
    kind = str(manifest.get("kind"))
    crd = crds.get((group, kind))
    if crd is not None:
        return _crd_errors(crd, version, manifest)
    if group == PROMETHEUS_OPERATOR_GROUP:
        return custom_resource_errors(manifest)
    try:
        kubernetes_validate.validate(manifest, kubernetes_version, strict=True)
    except kubernetes_validate.ValidationError as error:
        path = ".".join(str(part) for part in error.path)
        return [f"{path}: {error.message}" if path else str(error.message)]
    except kubernetes_validate.SchemaNotFoundError:
        return [
            f"{manifest.get('apiVersion')} {kind} is not served by Kubernetes {kubernetes_version}"
            " and no chart installs a CRD for it"
        ]
    return []


def _crd_errors(crd: Manifest, version: str, resource: Manifest) -> list[str]:
    spec = crd["spec"]
    assert isinstance(spec, dict)
    versions = spec["versions"]
    assert isinstance(versions, list)
    for served in versions:
        if served.get("name") == version and served.get("served", True):
            schema = strict_schema(served["schema"]["openAPIV3Schema"])
            assert isinstance(schema, dict)
            properties = dict(schema.get("properties", {}))
            properties.pop("metadata", None)  # the API server validates metadata itself
            # The API server knows apiVersion and kind whether or not the schema lists them.
            body = {
                key: value
                for key, value in resource.items()
                if key in properties or key not in ("apiVersion", "kind", "metadata")
            }
            return schema_errors({**schema, "properties": properties}, body)
    return [f"the CRD serves no version {version}"]
