"""Distributed Tempo values (production): Tempo 3 in microservices, ingesting through Kafka.

tempo-distributed 3.3.0 (Tempo 3.0.3): distributors write every span to a Kafka topic;
block-builders (one per partition) cut blocks into the bucket and live-stores (one per
partition) answer queries on the last minutes; queriers behind the query-frontend read both;
the backend-scheduler hands compaction and retention to backend-workers. Kafka is the stack's
(`platform.kafka`) or the platform's own (o11y/kafka.py). Trace data is durable in Kafka until a
block-builder has flushed it to the bucket, so no Tempo component needs a volume.
"""

import yaml

from o11y.conventions import (
    KAFKA_TOPIC_TRACES,
    RELEASE_TEMPO,
    SECRET_TEMPO_KAFKA,
    kafka_bootstrap,
)
from o11y.helm.pods import (
    INSTANCE_LABEL,
    Json,
    Values,
    credentials_env_from,
    in_zones,
    is_ha,
    resources,
)
from o11y.helm.tempo import hours, trace_backend
from o11y.model.stack import Stack

# The environment variable holding the SASL password; Tempo expands `${...}` in its
# configuration with -config.expand-env, so the password is never in the ConfigMap.
SASL_PASSWORD_ENV = "TEMPO_KAFKA_SASL_PASSWORD"
PASSWORD_KEY = "password"
# tempo-distributed's values key -> component name (`app.kubernetes.io/component`).
COMPONENTS: dict[str, str] = {
    "distributor": "distributor",
    "blockBuilder": "block-builder",
    "liveStore": "live-store",
    "querier": "querier",
    "queryFrontend": "query-frontend",
    "backendScheduler": "backend-scheduler",
    "backendWorker": "backend-worker",
}


def values(stack: Stack) -> Values:
    platform = stack.platform
    replicas = platform.replicas
    partitions = replicas.tempo_partitions
    counts = {
        "distributor": replicas.tempo_distributor,
        "blockBuilder": partitions,
        "liveStore": partitions,
        "querier": replicas.tempo_querier,
        "queryFrontend": replicas.tempo_query_frontend,
        # The backend-scheduler has no count: the chart runs it as a StatefulSet of one, as it
        # alone holds the list of compaction and retention jobs.
        "backendWorker": replicas.tempo_backend_worker,
    }
    tempo: Values = {
        "fullnameOverride": RELEASE_TEMPO,
        "multitenancyEnabled": True,
        "reportingEnabled": False,
        # Only the trace pipeline's last collector tier sends here, over OTLP.
        "traces": {"otlp": {"grpc": {"enabled": True}, "http": {"enabled": True}}},
        "ingest": {
            "kafka": {
                "address": kafka_address(stack),
                "topic": kafka_topic(stack),
                # The topic exists before Tempo starts (a KafkaTopic, or the external Kafka's
                # owners); Tempo's creation would set `num.partitions` for the whole cluster.
                "auto_create_topic_enabled": False,
                "auto_create_topic_default_partitions": partitions,
            }
        },
        "tempo": {"structuredConfig": {"ingest": {"kafka": _kafka_client(stack)}}},
        "storage": {"trace": trace_backend(stack)},
        # Retention is the backend-scheduler's (it schedules the deletions); the workers'
        # compaction settings are merged from the same block by the chart.
        "backendScheduler": {
            "config": {
                "provider": {
                    "compaction": {
                        "compaction": {"block_retention": hours(platform.retention.traces)}
                    }
                }
            }
        },
        "defaults": _defaults(stack),
        "memcached": {
            "replicas": 2 if is_ha(stack) else 1,
            "resources": resources(stack, "tempo"),
        },
        # Every component's metrics, for the Tempo alerts (o11y/alerts/tempo_ingest.py).
        "metaMonitoring": {"serviceMonitor": {"enabled": True}},
    }
    for key, component in COMPONENTS.items():
        spec: Values = {"resources": resources(stack, "tempo"), **spread(stack, component)}
        if key in counts:
            spec["replicas"] = counts[key]
            spec["podDisruptionBudget"] = {"enabled": True}
            spec["maxUnavailable"] = 1
        existing = tempo.get(key)
        tempo[key] = {**existing, **spec} if isinstance(existing, dict) else spec
    return tempo


def spread(stack: Stack, component: str) -> Values:
    """Where one component's pods go (`topology_spread`). The chart reads both settings as
    templates, so they are handed over as YAML text."""
    labels: dict[str, Json] = {
        INSTANCE_LABEL: RELEASE_TEMPO,
        "app.kubernetes.io/component": component,
    }
    # The spread constraints replace the chart's anti-affinity rules: one place decides. With
    # zones listed, the pods run only on those zones' nodes (o11y.helm.pods.in_zones).
    zones = in_zones(stack.platform.zones)
    return {
        "topologySpreadConstraints": _yaml(topology_spread(stack, labels)),
        "affinity": _yaml(zones) if zones else "",
    }


def topology_spread(stack: Stack, labels: dict[str, Json]) -> list[Json]:
    """Pods matching `labels` spread evenly over zones where the cluster has them (a missing
    zone never blocks scheduling) and over nodes (hard in production: no two on one node while
    another node can take one)."""
    nodes = "DoNotSchedule" if is_ha(stack) else "ScheduleAnyway"
    return [
        {
            "maxSkew": 1,
            "topologyKey": key,
            "whenUnsatisfiable": when,
            "labelSelector": {"matchLabels": dict(labels)},
            # Only nodes the pods tolerate count: a tainted node (a control plane) with none
            # of them would otherwise hold the skew and leave pods Pending.
            "nodeTaintsPolicy": "Honor",
        }
        for key, when in (
            ("topology.kubernetes.io/zone", "ScheduleAnyway"),
            ("kubernetes.io/hostname", nodes),
        )
    ]


def _yaml(value: Json) -> str:
    return yaml.safe_dump(value, sort_keys=True, default_flow_style=False)


def runs_kafka(stack: Stack) -> bool:
    """Whether the platform runs Tempo's Kafka itself (distributed Tempo, no external Kafka)."""
    return stack.platform.own_kafka


def kafka_address(stack: Stack) -> str:
    kafka = stack.platform.kafka
    return kafka_bootstrap(stack.kubernetes.namespace) if kafka is None else kafka.bootstrap_server


def kafka_topic(stack: Stack) -> str:
    kafka = stack.platform.kafka
    return KAFKA_TOPIC_TRACES if kafka is None else kafka.topic


def _kafka_client(stack: Stack) -> Values:
    """`ingest.kafka` keys the chart does not template: consumer group and SASL login."""
    kafka = stack.platform.kafka
    client: Values = {}
    if kafka is None:
        return client
    if kafka.consumer_group is not None:
        client["consumer_group"] = kafka.consumer_group
    if kafka.sasl is not None:
        client["sasl_username"] = kafka.sasl.username
        client["sasl_password"] = f"${{{SASL_PASSWORD_ENV}}}"
    return client


def needs_sasl_secret(stack: Stack) -> bool:
    kafka = stack.platform.kafka
    return kafka is not None and kafka.sasl is not None


def _defaults(stack: Stack) -> Values:
    """What every Tempo pod gets (the chart's `defaults` reach Tempo's own pods only, not
    memcached): the bucket keys and, with SASL, the Kafka password. Every component reads the
    one configuration file, and Tempo validates the SASL pair in each, so each gets it."""
    defaults: Values = {"extraEnvFrom": credentials_env_from(stack)}
    if needs_sasl_secret(stack):
        defaults["extraArgs"] = ["-config.expand-env=true"]
        defaults["extraEnv"] = [
            {
                "name": SASL_PASSWORD_ENV,
                "valueFrom": {"secretKeyRef": {"name": SECRET_TEMPO_KAFKA, "key": PASSWORD_KEY}},
            }
        ]
    return defaults
