"""Checks Helm values and custom resources against the pinned charts, from the derived fixtures
in o11y/chartdata/ (scripts/derive_chart_fixtures.py): every key path we set must exist
in the chart's values.yaml, values must satisfy the chart's values.schema.json where it ships
one, and custom resources must satisfy their CRD's openAPIV3Schema.
"""

import json
import re
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import TypeAlias, cast

import jsonschema
import yaml

FIXTURES = Path(__file__).resolve().parent / "chartdata"

Schema: TypeAlias = dict[str, object]

# Free-form maps: keys under these paths are the application's own configuration, not chart
# keys. Kept small and explicit; every entry says why.
FREE_FORM: dict[str, tuple[str, ...]] = {
    "kube-prometheus-stack": (
        # Sub-chart values (kube-state-metrics 8.4.0, prometheus-node-exporter 4.56.1): their
        # charts are not in the snapshot; both take a top-level `resources`.
        "kube-state-metrics.resources",
        "prometheus-node-exporter.resources",
    ),
    "loki": (
        "loki.structuredConfig",  # laid over the rendered Loki config as is
        "loki.limits_config",  # Loki's limits_config block
        "loki.compactor",  # Loki's compactor block
        "loki.schemaConfig",  # Loki's schema_config block
    ),
    "grafana": ("datasources", "grafana.ini"),  # provisioning file and grafana.ini sections
    "opentelemetry-collector": ("config",),  # the collector's own configuration
    "mimir-distributed": ("mimir.structuredConfig",),  # laid over the rendered Mimir config
    "tempo": ("tempo.storage", "tempo.receivers"),  # Tempo config blocks, rendered with toYaml
    "tempo-distributed": (
        "tempo.structuredConfig",  # laid over the rendered Tempo config as is
        "storage.trace.s3",  # Tempo's bucket blocks, rendered with toYaml
        "storage.trace.gcs",
        "storage.trace.azure",
        # Read by templates/backend-worker/poddisruptionbudget-backend-worker.yaml, which is
        # the only way to the workers' PodDisruptionBudget; values.yaml does not list them.
        "backendWorker.podDisruptionBudget",
        "backendWorker.maxUnavailable",
    ),
    "prometheus-blackbox-exporter": ("config.modules",),  # blackbox modules
}

# The first line of every rendered values file names its chart (see o11y.helm.values_files).
_HEADER = re.compile(r"^# chart: (?P<chart>\S+) (?P<version>\S+) ")


@cache
def _keys(chart: str, version: str) -> tuple[frozenset[str], frozenset[str]]:
    data = json.loads((FIXTURES / f"{chart}-{version}.keys.json").read_text("utf-8"))
    return frozenset(data["paths"]), frozenset(data["open_maps"])


def _paths(values: object, prefix: str = "") -> Iterator[str]:
    if isinstance(values, Mapping):
        for key, value in values.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            yield path
            yield from _paths(value, path)


def unknown_keys(chart: str, version: str, values: Mapping[str, object]) -> list[str]:
    """Key paths we set that the chart's default values.yaml does not have."""
    known, open_maps = _keys(chart, version)
    free = (*open_maps, *FREE_FORM.get(chart, ()))
    return sorted(
        path
        for path in _paths(values)
        if path not in known
        and not any(path == root or path.startswith(f"{root}.") for root in free)
        and not _resource_requirements(path, known)
        and not _pod_spec_field(path, known)
    )


# Chart keys that hand a Kubernetes object to the pod or workload spec as is (`toYaml`): what
# lies under them is Kubernetes' schema (validated in the rendered objects), not the chart's.
POD_SPEC_FIELDS = ("affinity", "extraAffinity", "nodeSelector", "deploymentStrategy")


def _pod_spec_field(path: str, known: frozenset[str]) -> bool:
    """`<...>.affinity.<anything>` (and the other POD_SPEC_FIELDS) under a chart key."""
    parts = path.split(".")
    return any(
        part in POD_SPEC_FIELDS and i < len(parts) - 1 and ".".join(parts[: i + 1]) in known
        for i, part in enumerate(parts)
    )


def _resource_requirements(path: str, known: frozenset[str]) -> bool:
    """`<...>.resources.{requests,limits}.{cpu,memory}` under a chart's `resources` key: a
    Kubernetes ResourceRequirements, whatever part of it the chart's default spells out."""
    parts = path.split(".")
    for i, part in enumerate(parts):
        if part == "resources" and ".".join(parts[: i + 1]) in known:
            rest = parts[i + 1 :]
            return (
                1 <= len(rest) <= 2
                and rest[0] in ("requests", "limits")
                and (len(rest) == 1 or rest[1] in ("cpu", "memory"))
            )
    return False


def values_schema(chart: str, version: str) -> Schema | None:
    """The chart's values.schema.json (descriptions stripped), if the chart ships one."""
    path = FIXTURES / f"{chart}-{version}.schema.json"
    if not path.exists():
        return None
    return cast("Schema", json.loads(path.read_text("utf-8")))


def without_required(schema: object) -> object:
    """A values schema without `required`: Helm validates the chart's defaults merged with our
    values, and the defaults carry every required key (we never set one to null)."""
    if isinstance(schema, list):
        return [without_required(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    return {
        key: (
            {k: without_required(v) for k, v in value.items()}
            if key == "properties" and isinstance(value, dict)
            else without_required(value)
        )
        for key, value in schema.items()
        if not (key == "required" and isinstance(value, list))
    }


def schema_errors(schema: object, document: object) -> list[str]:
    """`path: message` for every way `document` violates the (draft-07) `schema`."""
    if not isinstance(schema, Mapping):
        raise TypeError("a JSON schema is a map")
    return _errors(jsonschema.Draft7Validator(schema), document)


def _errors(validator: jsonschema.Draft7Validator, document: object) -> list[str]:
    return sorted(
        f"{'.'.join(str(p) for p in error.absolute_path)}: {error.message}"
        for error in validator.iter_errors(document)
    )


def values_errors(chart: str, version: str, values: Mapping[str, object]) -> list[str]:
    """Every problem of one values document: unknown keys, then schema violations."""
    problems = [
        f"{path}: not a key of {chart} {version}" for path in unknown_keys(chart, version, values)
    ]
    schema = values_schema(chart, version)
    if schema is not None:
        problems += schema_errors(without_required(schema), dict(values))
    return problems


def values_problems(path: Path) -> list[str]:
    """Problems of a rendered `helm/<release>.values.yaml`, each prefixed with the file name."""
    text = path.read_text("utf-8")
    header = _HEADER.match(text)
    if header is None:
        return [f"{path.name}: no `# chart: <name> <version>` header"]
    values = yaml.load(text, Loader=yaml.CSafeLoader)
    if not isinstance(values, dict):
        return [f"{path.name}: not a values map"]
    return [
        f"{path.name}: {problem}"
        for problem in values_errors(header["chart"], header["version"], values)
    ]


def strict_schema(schema: object) -> object:
    """An OpenAPI schema that rejects unknown fields, as the API server's strict field
    validation does (CRD schemas prune unknown fields silently otherwise)."""
    if isinstance(schema, list):
        return [strict_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    strict = {
        key: (
            {k: strict_schema(v) for k, v in value.items()}
            if key == "properties"
            else strict_schema(value)
        )
        for key, value in schema.items()
    }
    if (
        "properties" in strict
        and "additionalProperties" not in strict
        and not strict.get("x-kubernetes-preserve-unknown-fields")
    ):
        strict["additionalProperties"] = False
    return strict


# CRD plural names that are not `<kind>s`.
_PLURALS = {"Prometheus": "prometheuses"}


@cache
def _crd(plural: str) -> Schema:
    return cast("Schema", json.loads((FIXTURES / f"crd-{plural}.schema.json").read_text("utf-8")))


@cache
def _custom_resource_validator(api_version: str, kind: str) -> jsonschema.Draft7Validator | None:
    """The strict validator of one CRD version without `metadata` (which the API server
    validates itself); None when no CRD serves it. Built once: the Prometheus CRD's schema is
    large, and a stack has hundreds of PrometheusRules."""
    group, _, version = api_version.partition("/")
    crd = _crd(_PLURALS.get(kind, f"{kind.lower()}s"))
    versions = crd["versions"]
    if crd["group"] != group or not isinstance(versions, dict) or version not in versions:
        return None
    schema = strict_schema(versions[version])
    assert isinstance(schema, dict)
    properties = schema["properties"]
    assert isinstance(properties, dict)
    checked = {**schema, "properties": {k: v for k, v in properties.items() if k != "metadata"}}
    return jsonschema.Draft7Validator(checked)


def custom_resource_errors(resource: Mapping[str, object]) -> list[str]:
    """Errors of one custom resource against its CRD's openAPIV3Schema (strict)."""
    validator = _custom_resource_validator(str(resource["apiVersion"]), str(resource["kind"]))
    if validator is None:
        return [f"{resource['kind']}: no CRD for {resource['apiVersion']}"]
    return _errors(validator, {k: v for k, v in resource.items() if k != "metadata"})
