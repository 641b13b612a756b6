"""Mimir values (prod): long-term, horizontally scalable metrics on object storage.

Prometheus remote-writes every sample here; Grafana's `prometheus` datasource reads from here.
The classic architecture (distributors -> ingesters with replication factor 3, zone-aware) is
used instead of the chart's default ingest storage, which would add a Kafka cluster to run; the
chart's demo MinIO is off, the bucket comes from `platform.object_storage`.
"""

from o11y.conventions import RELEASE_MIMIR, rollout_zone
from o11y.helm.kube_prometheus_stack import HA_CLUSTER_LABEL, HA_REPLICA_LABEL
from o11y.helm.pods import (
    INSTANCE_LABEL,
    Json,
    Values,
    credentials_env_from,
    object_storage,
    resources,
    s3_encryption,
    s3_endpoint,
    spread_placement,
    zone_placement,
)
from o11y.model.stack import Stack
from o11y.model.types import duration_seconds

# Components that scale with `replicas.mimir`; the rest run two for availability.
_SCALED = ("distributor", "ingester", "querier", "store_gateway")
_PAIRED = ("query_frontend", "query_scheduler", "compactor", "gateway", "ruler", "alertmanager")
_WITH_VOLUME = ("ingester", "store_gateway", "compactor", "alertmanager")
# Components the chart can run one StatefulSet per zone (`zoneAwareReplication`).
_ZONE_AWARE = ("ingester", "store_gateway", "alertmanager")
# Components that read or write the buckets get the object-storage keys; no other pod does
# (`global.extraEnvFrom` would hand them to memcached and the gateway too).
_WITH_BUCKETS = ("ingester", "querier", "store_gateway", "compactor", "ruler", "alertmanager")


def values(stack: Stack) -> Values:
    platform = stack.platform
    mimir: Values = {
        "fullnameOverride": RELEASE_MIMIR,
        "minio": {"enabled": False},
        "kafka": {"enabled": False},
        "mimir": {"structuredConfig": _config(stack)},
        "overrides_exporter": {"resources": resources(stack, "mimir")},
        # Mimir's own metrics, for MimirIngestionErrors.
        "metaMonitoring": {"serviceMonitor": {"enabled": True}},
    }
    for component in (*_SCALED, *_PAIRED):
        replicas = platform.replicas.mimir if component in _SCALED else 2
        spec: Values = {
            "replicas": replicas,
            "resources": resources(stack, "mimir"),
            "podDisruptionBudget": {"maxUnavailable": 1},
        }
        if component in _WITH_BUCKETS:
            spec["extraEnvFrom"] = credentials_env_from(stack)
        if component in _WITH_VOLUME:
            spec["persistentVolume"] = {
                "enabled": True,
                "size": platform.storage.mimir,
                **(
                    {}
                    if platform.storage.storage_class is None
                    else {"storageClass": platform.storage.storage_class}
                ),
            }
        spec.update(_placement(stack, component))
        mimir[component] = spec
    return mimir


def _placement(stack: Stack, component: str) -> Values:
    """Our placement, spelled out for every component so no chart default applies: the
    chart's default topology spread and, for zone-aware components, logical zones that pin
    pods to no node.

    With zones, the zone-aware components run one StatefulSet per stack zone (named zone-a,
    zone-b, ... in the ring and in Kubernetes), each on its zone's nodes; the replication
    factor of 3 then keeps a copy of every series in three zones. Without zones, one
    StatefulSet per component, spread over nodes like every other component."""
    labels = {INSTANCE_LABEL: RELEASE_MIMIR, "app.kubernetes.io/component": _kebab(component)}
    zones = stack.platform.zones
    required = stack.production
    if component in _ZONE_AWARE and zones:
        placements = [zone_placement(zone, labels, required=required) for zone in zones]
        return {
            "topologySpreadConstraints": placements[0].topology_spread_constraints,
            "zoneAwareReplication": {
                "enabled": True,
                "zones": [
                    {
                        "name": rollout_zone(i),
                        "nodeSelector": dict[str, Json](placement.node_selector),
                        # Merged into the chart's zone rules (none: no `topologyKey`).
                        "extraAffinity": placement.affinity,
                    }
                    for i, placement in enumerate(placements)
                ],
            },
        }
    placement = spread_placement(zones, labels, required=required)
    spec: Values = {
        "affinity": placement.affinity,
        "topologySpreadConstraints": placement.topology_spread_constraints,
    }
    if component in _ZONE_AWARE:
        spec["zoneAwareReplication"] = {"enabled": False}
    return spec


def _kebab(component: str) -> str:
    return component.replace("_", "-")


def _config(stack: Stack) -> Values:
    storage = object_storage(stack)
    retention = f"{duration_seconds(stack.platform.retention.long_term_metrics) // 3600}h"
    common: Values
    if storage.provider == "s3":
        common = {
            "backend": "s3",
            "s3": {
                "endpoint": s3_endpoint(storage),
                "region": storage.region,
                "sse": s3_encryption(storage),
            },
        }
    elif storage.provider == "gcs":
        common = {"backend": "gcs"}
    else:
        common = {"backend": "azure"}
    return {
        "common": {"storage": common},
        "blocks_storage": _bucket(storage.provider, storage.buckets["mimir"]),
        "ruler_storage": _bucket(storage.provider, storage.buckets["mimir_ruler"]),
        "alertmanager_storage": _bucket(storage.provider, storage.buckets["mimir_alertmanager"]),
        # Classic write path (see module docstring).
        "ingest_storage": {"enabled": False},
        "ingester": {"push_grpc_method_enabled": True, "ring": {"replication_factor": 3}},
        # Prometheus runs as an HA pair; keep one replica's samples (Mimir HA tracker).
        "distributor": {
            "ha_tracker": {"enable_ha_tracker": True, "kvstore": {"store": "memberlist"}}
        },
        "limits": {
            "accept_ha_samples": True,
            "ha_cluster_label": HA_CLUSTER_LABEL,
            "ha_replica_label": HA_REPLICA_LABEL,
            "compactor_blocks_retention_period": retention,
            "max_global_exemplars_per_user": 100000,
        },
    }


def _bucket(provider: str, bucket: str) -> Values:
    key = {"s3": "s3", "gcs": "gcs", "azure": "azure"}[provider]
    field = "container_name" if provider == "azure" else "bucket_name"
    return {key: {field: bucket}}
