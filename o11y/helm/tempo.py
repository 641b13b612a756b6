"""Tempo values: traces with retention from config, OTLP and Jaeger receivers, multi-tenancy.

The monolithic `tempo` chart (pinned in o11y/charts.py) where `tempo_mode` is monolithic (the
development profile): one pod, its WAL and (without object storage) its blocks on a volume.
Production stacks run tempo-distributed with Kafka instead (o11y/helm/tempo_distributed.py),
on the same bucket settings (`trace_backend`). RED metrics come from the spanmetrics connector
of the OTel gateway (o11y/helm/otel.py), so Tempo's metrics-generator stays off in both.
"""

from o11y.conventions import RELEASE_TEMPO
from o11y.helm.pods import (
    Values,
    credentials_env_from,
    object_storage,
    resources,
    s3_encryption,
    s3_endpoint,
)
from o11y.model.stack import Stack
from o11y.model.types import duration_seconds

# Tempo's default receiver endpoints (the chart's values.yaml), listening on every interface.
RECEIVERS: Values = {
    "otlp": {
        "protocols": {
            "grpc": {"endpoint": "0.0.0.0:4317"},
            "http": {"endpoint": "0.0.0.0:4318"},
        }
    },
    "jaeger": {
        "protocols": {
            "grpc": {"endpoint": "0.0.0.0:14250"},
            "thrift_binary": {"endpoint": "0.0.0.0:6832"},
            "thrift_compact": {"endpoint": "0.0.0.0:6831"},
            "thrift_http": {"endpoint": "0.0.0.0:14268"},
        }
    },
}


def values(stack: Stack) -> Values:
    platform = stack.platform
    tempo: Values = {
        "retention": hours(platform.retention.traces),
        "multitenancyEnabled": True,
        "reportingEnabled": False,
        "resources": resources(stack, "tempo"),
        "receivers": RECEIVERS,
        "storage": _storage(stack),
        "extraEnvFrom": credentials_env_from(stack),
    }
    return {
        "fullnameOverride": RELEASE_TEMPO,
        "replicas": platform.replicas.tempo,
        "tempo": tempo,
        # The WAL (and in dev the blocks) live on this volume.
        "persistence": {
            "enabled": True,
            "size": platform.storage.tempo,
            **(
                {}
                if platform.storage.storage_class is None
                else {"storageClassName": platform.storage.storage_class}
            ),
        },
        "serviceMonitor": {"enabled": True},
    }


def hours(duration: str) -> str:
    """Tempo's block_retention is a Go duration (no `d`): 7d -> 168h."""
    return f"{duration_seconds(duration) // 3600}h"


def _storage(stack: Stack) -> Values:
    local: Values = {
        "trace": {
            "backend": "local",
            "local": {"path": "/var/tempo/traces"},
            "wal": {"path": "/var/tempo/wal"},
        }
    }
    if stack.platform.object_storage is None:
        return local
    return {"trace": {**trace_backend(stack), "wal": {"path": "/var/tempo/wal"}}}


def trace_backend(stack: Stack) -> Values:
    """Tempo's `storage.trace` bucket settings: backend and its block, with server-side
    encryption on S3; the same for the monolithic and the distributed Tempo."""
    storage = object_storage(stack)
    if storage.provider == "s3":
        return {
            "backend": "s3",
            "s3": {
                "bucket": storage.buckets["tempo"],
                "endpoint": s3_endpoint(storage),
                "region": storage.region,
                "sse": s3_encryption(storage),
            },
        }
    if storage.provider == "gcs":
        return {"backend": "gcs", "gcs": {"bucket_name": storage.buckets["tempo"]}}
    return {
        "backend": "azure",
        "azure": {"container_name": storage.buckets["tempo"], "use_federated_token": True},
    }
