"""What every workload of every chart gets, spelled once: values types, resources, placement
(spread over nodes and the stack's zones, or pinned to one zone), volumes and the
object-storage settings shared by Loki, Tempo and Mimir."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from o11y.conventions import HOST_LABEL, SECRET_OBJECT_STORAGE, ZONE_LABEL
from o11y.model.platform import ObjectStorage, Resources, Workload
from o11y.model.stack import SecretName, Stack

# A Helm values document: JSON-like data.
Json: TypeAlias = "str | int | float | bool | list[Json] | dict[str, Json] | None"
Values: TypeAlias = dict[str, Json]

# The label every chart here puts on its pods (Helm's recommended labels).
INSTANCE_LABEL = "app.kubernetes.io/instance"

# Tenant header of Loki, Tempo and Mimir.
TENANT_HEADER = "X-Scope-OrgID"


def resources(stack: Stack, workload: Workload) -> Values:
    """Kubernetes requests and limits for one workload, from `platform.resources`."""
    spec: Resources = stack.platform.resources[workload]
    return {
        "requests": {"cpu": spec.cpu, "memory": spec.memory},
        "limits": {"cpu": spec.cpu_limit, "memory": spec.memory_limit},
    }


_MEBIBYTES = {"Mi": 1, "Gi": 1024, "Ti": 1024 * 1024}


def mebibytes(quantity: str) -> float:
    """A binary memory quantity (256Mi, 2Gi) in MiB."""
    for suffix, factor in _MEBIBYTES.items():
        if quantity.endswith(suffix):
            return float(quantity.removesuffix(suffix)) * factor
    raise ValueError(f"memory quantity {quantity!r}: use Mi, Gi or Ti")


def spread(stack: Stack, labels: dict[str, str]) -> Values:
    """Pod anti-affinity so replicas land on different nodes; soft without HA (one node)."""
    return _one_per_node(labels, required=stack.production)


@dataclass(frozen=True)
class Placement:
    """Where one workload's pods run, as the pod-spec fields every chart takes by these names
    (`nodeSelector`, `affinity`, `topologySpreadConstraints`); the caller puts each under its
    chart's key."""

    node_selector: dict[str, str]
    affinity: Values
    topology_spread_constraints: list[Json]


def _one_per_node(labels: Mapping[str, str], *, required: bool) -> Values:
    term: Values = {
        "labelSelector": {"matchLabels": dict[str, Json](labels)},
        "topologyKey": HOST_LABEL,
    }
    if required:
        return {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}}
    return {
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 100, "podAffinityTerm": term}
            ]
        }
    }


def _even_over(key: str, labels: Mapping[str, str]) -> Json:
    # ScheduleAnyway: a preference. When a zone (or node) is lost, its pods must still start
    # elsewhere; a hard skew limit would keep them Pending until the zone is back.
    return {
        "maxSkew": 1,
        "topologyKey": key,
        "whenUnsatisfiable": "ScheduleAnyway",
        "labelSelector": {"matchLabels": dict[str, Json](labels)},
    }


def spread_placement(
    zones: Sequence[str], labels: Mapping[str, str], *, required: bool
) -> Placement:
    """Pods matching `labels` on different nodes (a hard rule when `required`, else a
    preference) and evenly over nodes; with `zones`, only on nodes of those zones and evenly
    over them, so losing one zone leaves the others serving."""
    affinity = {**_one_per_node(labels, required=required), **in_zones(zones)}
    spread: list[Json] = [_even_over(HOST_LABEL, labels)]
    if zones:
        spread.insert(0, _even_over(ZONE_LABEL, labels))
    return Placement(node_selector={}, affinity=affinity, topology_spread_constraints=spread)


def in_zones(zones: Sequence[str]) -> Values:
    """The node affinity that keeps pods on nodes of `zones`; nothing when no zones are listed."""
    if not zones:
        return {}
    expression: Json = {"key": ZONE_LABEL, "operator": "In", "values": list[Json](zones)}
    return {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": [expression]}]
            }
        }
    }


def zone_placement(zone: str, labels: Mapping[str, str], *, required: bool) -> Placement:
    """The pods of one zone of a zone-aware workload (one StatefulSet per zone): on that
    zone's nodes only, on different nodes (hard when `required`) and evenly over them."""
    return Placement(
        node_selector={ZONE_LABEL: zone},
        affinity=_one_per_node(labels, required=required),
        topology_spread_constraints=[_even_over(HOST_LABEL, labels)],
    )


def is_ha(stack: Stack) -> bool:
    """HA: PodDisruptionBudgets and hard anti-affinity (production profile)."""
    return stack.production


def storage_class(stack: Stack) -> Values:
    """`storageClassName` when the stack names one; the cluster default otherwise."""
    name = stack.platform.storage.storage_class
    return {} if name is None else {"storageClassName": name}


def tenant(stack: Stack) -> str:
    """The tenant the platform's own telemetry (and Prometheus' remote write) belongs to."""
    return stack.platform.tenants[0]


def object_storage(stack: Stack) -> ObjectStorage:
    if stack.platform.object_storage is None:
        # Stack validation requires object storage in prod and wherever a scalable mode runs.
        raise ValueError("platform.object_storage is required here")
    return stack.platform.object_storage


def s3_endpoint(storage: ObjectStorage) -> str:
    return storage.endpoint or f"s3.{storage.region}.amazonaws.com"


def s3_encryption(storage: ObjectStorage) -> Values:
    """Server-side encryption in the dskit/Tempo `sse` form: SSE-KMS with a key, else SSE-S3."""
    if storage.kms_key_id:
        return {"type": "SSE-KMS", "kms_key_id": storage.kms_key_id}
    return {"type": "SSE-S3"}


# Environment variable -> stack secret holding the object-storage credentials, per provider.
# The S3 clients of Loki, Tempo and Mimir read AWS_* from the environment (default credential
# chain), so no key is ever in values or config files. GCS and Azure use workload identity
# (the pods' service account), so they need no keys here.
CREDENTIALS_ENV: dict[str, dict[str, SecretName]] = {
    "s3": {
        "AWS_ACCESS_KEY_ID": "object_storage_access_key",
        "AWS_SECRET_ACCESS_KEY": "object_storage_secret_key",
    },
    "gcs": {},
    "azure": {},
}


def object_storage_credentials(stack: Stack) -> dict[str, SecretName]:
    """Keys of the object-storage Secret -> stack secret names. Empty without object storage
    or when the stack has no keys (workload identity, e.g. IRSA, then grants the access)."""
    storage = stack.platform.object_storage
    wanted = {} if storage is None else CREDENTIALS_ENV[storage.provider]
    return wanted if set(wanted.values()) <= stack.secrets else {}


def credentials_env_from(stack: Stack) -> list[Json]:
    """`envFrom` entries that load the object-storage Secret, when the provider needs keys."""
    if not object_storage_credentials(stack):
        return []
    return [{"secretRef": {"name": SECRET_OBJECT_STORAGE}}]
