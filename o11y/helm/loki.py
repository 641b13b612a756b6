"""Loki values: logs with per-level retention, multi-tenancy and OTLP ingestion.

dev runs the Monolithic mode on a volume; prod runs the Distributed mode (every component
scales on its own; SimpleScalable is deprecated and removed in Loki 4, per the chart's
values.schema.json) on object storage with server-side encryption.
Logs arrive over OTLP from the log agent (o11y/helm/otel.py): the resource attributes
`service`, `namespace` and `level` become the only index labels; `trace_id` and everything else
stays structured metadata, so no unbounded value becomes a stream label.
"""

from o11y.conventions import RELEASE_LOKI
from o11y.helm.pods import (
    INSTANCE_LABEL,
    Json,
    Values,
    credentials_env_from,
    is_ha,
    mebibytes,
    object_storage,
    resources,
    s3_encryption,
    s3_endpoint,
    spread_placement,
    zone_placement,
)
from o11y.model.stack import Stack

# Index labels of every log stream (the log agent sets them as resource attributes).
STREAM_LABELS = ("service", "namespace", "level")
# The schema every stack starts on (TSDB index, schema v13; Loki docs "Storage schema").
SCHEMA_FROM = "2024-04-01"
# Distributed components. The write and read path (ingester, distributor, querier) scale with
# `replicas.loki`, the others run two for availability; the compactor is a singleton (it
# owns retention and deletes).
_COMPONENTS = (
    "ingester",
    "distributor",
    "querier",
    "queryFrontend",
    "queryScheduler",
    "indexGateway",
)
_OTHER_MODES_OFF = ("backend", "read", "write")


def values(stack: Stack) -> Values:
    platform = stack.platform
    loki: Values = {
        "fullnameOverride": RELEASE_LOKI,
        "loki": _config(stack),
        "gateway": {
            "replicas": 2 if is_ha(stack) else 1,
            "resources": resources(stack, "loki_gateway"),
        },
        # The canary (synthetic log traffic) and the Helm test pod are left out: the log agent
        # on every node already writes continuously, and the platform is verified by tests.
        "lokiCanary": {"enabled": False},
        # Loki's own metrics, for LokiIngestionErrors and the platform dashboards.
        "monitoring": {"serviceMonitor": {"enabled": True}},
        "test": {"enabled": False},
        # Loki's own pods only (`global` would hand the keys to the memcached pods too).
        "defaults": {"extraEnvFrom": credentials_env_from(stack)},
    }
    for mode in _OTHER_MODES_OFF:
        loki[mode] = {"replicas": 0}
    if platform.loki_mode == "monolithic":
        loki["deploymentMode"] = "Monolithic"
        loki["singleBinary"] = {
            "replicas": platform.replicas.loki,
            "resources": resources(stack, "loki"),
            "persistence": {"enabled": True, "size": platform.storage.loki, **_class(stack)},
        }
        loki["chunksCache"] = {"enabled": False}
        loki["resultsCache"] = {"enabled": False}
        for component in (*_COMPONENTS, "compactor"):
            loki[component] = {"replicas": 0}
    else:
        loki["deploymentMode"] = "Distributed"
        loki["singleBinary"] = {"replicas": 0}
        for component in _COMPONENTS:
            loki[component] = _component(stack, component)
        loki["compactor"] = {
            "replicas": 1,
            "resources": resources(stack, "loki"),
            # The chart's deprecated `claims` list, when not empty, wins over `size` (its
            # default claims 10Gi): emptied, so the stack's size is used.
            "persistence": {
                "enabled": True,
                "size": platform.storage.loki,
                "claims": [],
                **_class(stack),
            },
        }
        loki["ingester"] = {
            **_component(stack, "ingester"),
            "persistence": {
                "enabled": True,
                "claims": [
                    {
                        "name": "data",
                        "accessModes": ["ReadWriteOnce"],
                        "size": platform.storage.loki,
                        **_class(stack),
                    }
                ],
            },
            **_ingester_zones(stack),
        }
        cache: Values = {
            "enabled": True,
            "replicas": 2 if is_ha(stack) else 1,
            "resources": resources(stack, "loki_cache"),
            # memcached's -m; the chart sizes the container at 1.2x this, so keep it under
            # the limit by that factor (values.yaml, chunksCache.resources comment).
            "allocatedMemory": int(mebibytes(platform.resources["loki_cache"].memory_limit) / 1.2),
        }
        loki["chunksCache"] = cache
        loki["resultsCache"] = cache
    return loki


def _class(stack: Stack) -> Values:
    name = stack.platform.storage.storage_class
    return {} if name is None else {"storageClass": name}


def _labels(component: str) -> dict[str, str]:
    return {INSTANCE_LABEL: RELEASE_LOKI, "app.kubernetes.io/component": _kebab(component)}


def _component(stack: Stack, component: str) -> Values:
    replicas = (
        stack.platform.replicas.loki if component in ("ingester", "distributor", "querier") else 2
    )
    # Every component's placement is ours, spelled out: the chart's per-component defaults
    # (a hostname topology spread, hard anti-affinity for some) would otherwise apply too.
    placement = spread_placement(
        stack.platform.zones, _labels(component), required=stack.production
    )
    spec: Values = {
        "replicas": replicas,
        "resources": resources(stack, "loki"),
        "affinity": placement.affinity,
        "topologySpreadConstraints": placement.topology_spread_constraints,
    }
    if is_ha(stack) and replicas > 1:
        spec["maxUnavailable"] = 1
    return spec


# The chart's three ingester zones, in the order a stack's zones map onto them.
_CHART_ZONES = ("zoneA", "zoneB", "zoneC")


def _ingester_zones(stack: Stack) -> Values:
    """Zone-aware ingesters when the stack lists zones: the chart's three zone StatefulSets
    (zone-a, -b, -c), each pinned to one of the stack's first three zones by node selector.
    Loki writes every stream to one ingester per zone (replication factor 3), so a zone can be
    lost without losing unflushed logs. The chart gives zone StatefulSets its own anti-affinity
    (ingesters of different zones never share a node) and ignores `ingester.affinity`; the
    node selector and the topology spread are ours. Without zones: one StatefulSet, placed by
    `_component` (our anti-affinity and spread over nodes)."""
    zones = stack.platform.zones
    if not zones:
        return {"zoneAwareReplication": {"enabled": False}}
    labels = _labels("ingester")
    placements = [zone_placement(zone, labels, required=stack.production) for zone in zones[:3]]
    return {
        # A zone's pods spread over that zone's nodes (its node selector leaves no other).
        "topologySpreadConstraints": placements[0].topology_spread_constraints,
        "zoneAwareReplication": {
            "enabled": True,
            **{
                key: {"nodeSelector": dict[str, Json](placement.node_selector)}
                for key, placement in zip(_CHART_ZONES, placements, strict=True)
            },
        },
    }


def _kebab(name: str) -> str:
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in name)


def _config(stack: Stack) -> Values:
    platform = stack.platform
    retention = platform.retention
    config: Values = {
        # One tenant per X-Scope-OrgID; Grafana has a datasource per configured tenant.
        "auth_enabled": True,
        "commonConfig": {"replication_factor": 3 if platform.loki_mode == "scalable" else 1},
        "schemaConfig": {
            "configs": [
                {
                    "from": SCHEMA_FROM,
                    "store": "tsdb",
                    "object_store": "s3" if platform.loki_mode == "scalable" else "filesystem",
                    "schema": "v13",
                    "index": {"prefix": "loki_index_", "period": "24h"},
                }
            ]
        },
        "limits_config": {
            "retention_period": retention.logs_default,
            # Per-stream retention by level: the highest priority matching selector wins.
            "retention_stream": [
                {"selector": f'{{level="{level}"}}', "priority": 1, "period": period}
                for level, period in sorted(retention.logs_by_level.items())
            ],
            "allow_structured_metadata": True,
            "otlp_config": {
                "resource_attributes": {
                    "ignore_defaults": True,
                    "attributes_config": [
                        {"action": "index_label", "attributes": list[Json](STREAM_LABELS)}
                    ],
                },
                "log_attributes": [
                    {"action": "structured_metadata", "attributes": ["trace_id", "span_id"]}
                ],
            },
            "reject_old_samples": True,
            "reject_old_samples_max_age": "168h",
            "max_cache_freshness_per_query": "10m",
            "split_queries_by_interval": "15m",
            "query_timeout": "300s",
            "volume_enabled": True,
        },
        # Retention is applied by the compactor (Loki docs, "Log retention").
        "compactor": {
            "retention_enabled": True,
            "delete_request_store": "s3" if platform.loki_mode == "scalable" else "filesystem",
        },
    }
    if platform.loki_mode == "scalable":
        storage = object_storage(stack)
        config["storage"] = _bucket_storage(stack)
        if storage.provider == "s3":
            # The chart's s3 block has no SSE field; structuredConfig lays it over the result.
            config["structuredConfig"] = {
                "common": {"storage": {"s3": {"sse": s3_encryption(storage)}}}
            }
    else:
        config["storage"] = {"type": "filesystem"}
    return config


def _bucket_storage(stack: Stack) -> Values:
    storage = object_storage(stack)
    bucket = storage.buckets["loki"]
    buckets: Values = {"chunks": bucket, "ruler": bucket, "admin": bucket}
    if storage.provider == "s3":
        return {
            "type": "s3",
            "bucketNames": buckets,
            "s3": {"endpoint": s3_endpoint(storage), "region": storage.region},
        }
    if storage.provider == "gcs":
        return {"type": "gcs", "bucketNames": buckets}
    return {"type": "azure", "bucketNames": buckets, "azure": {"useFederatedToken": True}}
