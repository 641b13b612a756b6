"""Tempo values: traces with retention from config, OTLP and Jaeger receivers, multi-tenancy.

The monolithic `tempo` chart (pinned in o11y/charts.py), in prod on object storage with
server-side encryption: tempo-distributed 3.x requires Kafka (its ingest path), which this
platform does not run, and 2.x is deprecated since the grafana-community move. Trace data
stays durable in the bucket and the WAL volume; RED metrics come from the spanmetrics connector
of the OTel gateway (o11y/helm/otel.py), so Tempo's metrics-generator stays off.
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
        "retention": _hours(platform.retention.traces),
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


def _hours(duration: str) -> str:
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
    storage = object_storage(stack)
    wal: Values = {"path": "/var/tempo/wal"}
    if storage.provider == "s3":
        return {
            "trace": {
                "backend": "s3",
                "s3": {
                    "bucket": storage.buckets["tempo"],
                    "endpoint": s3_endpoint(storage),
                    "region": storage.region,
                    "sse": s3_encryption(storage),
                },
                "wal": wal,
            }
        }
    if storage.provider == "gcs":
        return {
            "trace": {
                "backend": "gcs",
                "gcs": {"bucket_name": storage.buckets["tempo"]},
                "wal": wal,
            }
        }
    return {
        "trace": {
            "backend": "azure",
            "azure": {"container_name": storage.buckets["tempo"], "use_federated_token": True},
            "wal": wal,
        }
    }
