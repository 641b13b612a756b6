"""Platform settings: what the Helm releases deploy, sized per profile (production or development).

Each section has defaults per profile (`PROFILES`); a stack file overrides single keys of a
section (`platform.replicas.prometheus: 3`), never whole trees by accident.
"""

from collections.abc import Mapping
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, Field, StringConstraints, model_validator

from o11y.model.types import STRICT, Count, Duration, Name, Percent, Quantity

# What a stack file names as `o11y:profile`: it decides the defaults and the HA, secrets and
# ingress requirements, whatever the stack is called (dev, staging, prod-eu, ...).
Profile = Literal["development", "production"]
LogLevel = Literal["debug", "info", "warn", "error"]


class Replicas(BaseModel):
    model_config = STRICT
    prometheus: Count
    alertmanager: Count
    grafana: Count
    otel_gateway: Count
    loki: Count
    # The monolithic Tempo (tempo_mode: monolithic).
    tempo: Count
    mimir: Count
    # Distributed Tempo (tempo_mode: distributed): each component scales on its own.
    tempo_distributor: Count
    tempo_querier: Count
    tempo_query_frontend: Count
    tempo_backend_worker: Count
    # Partitions of the trace topic. Tempo runs one block-builder and one live-store per
    # partition (tempo-distributed 3.3.0 values.yaml: "replica count must equal the Kafka
    # partition count"), so this sizes the whole ingest path.
    tempo_partitions: Count
    # Kafka brokers (each also a KRaft controller) when the platform runs Kafka itself.
    kafka: Count


class Retention(BaseModel):
    model_config = STRICT
    # Prometheus keeps this much locally (hot); Mimir keeps long-term in prod (object storage).
    metrics: Duration
    metrics_size: str = Field(pattern=r"^[0-9]+(KB|MB|GB|TB)$")
    long_term_metrics: Duration
    traces: Duration
    # Loki retention per `level` stream label (e.g. debug 3d, info 7d, warn 30d, error 90d).
    logs_by_level: dict[LogLevel, Duration]
    logs_default: Duration


class Storage(BaseModel):
    """Persistent volume sizes."""

    model_config = STRICT
    storage_class: str | None = None
    prometheus: Quantity
    alertmanager: Quantity
    grafana: Quantity
    loki: Quantity
    tempo: Quantity
    mimir: Quantity
    # Each Kafka broker's log volume (the platform's own Kafka only).
    kafka: Quantity


# Workloads whose containers get requests and limits from `platform.resources`. Loki and Mimir
# in their scalable modes apply their entry to every component (ingester, querier, ...).
Workload = Literal[
    "prometheus",
    "alertmanager",
    "prometheus_operator",
    "kube_state_metrics",
    "node_exporter",
    "grafana",
    "loki",
    "loki_gateway",
    "loki_cache",
    "tempo",
    "mimir",
    "kafka",
    "kafka_operator",
    "otel_gateway",
    "otel_agent",
    "exporter",
]


class Resources(BaseModel):
    """Requests and limits of one workload's main container."""

    model_config = STRICT
    cpu: Quantity
    memory: Quantity
    cpu_limit: Quantity
    memory_limit: Quantity


class Tracing(BaseModel):
    """Tail sampling: errors, slow traces and critical operations are always kept."""

    model_config = STRICT
    sampling_percent: Percent
    slow_threshold_ms: int = Field(ge=1)
    keep_operations: list[str] = Field(default_factory=list)


class ObjectStorage(BaseModel):
    """Bucket storage for Loki, Tempo and Mimir in prod; credentials come from a secret."""

    model_config = STRICT
    provider: Literal["s3", "gcs", "azure"]
    region: str = ""
    endpoint: str = ""
    buckets: dict[Literal["loki", "tempo", "mimir", "mimir_ruler", "mimir_alertmanager"], str]
    # SSE-KMS key for S3; empty means SSE-S3 (AES256). Encryption at rest is never off.
    kms_key_id: str = ""


# host:port of a Kafka broker.
KafkaAddress = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9.-]+:[0-9]{1,5}$")]
# A Kafka topic or consumer group name (Kafka's legal characters).
KafkaName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,249}$")]


class KafkaSasl(BaseModel):
    """SASL login of Tempo's Kafka client; the password is the stack secret
    `kafka_sasl_password`, handed to the pods as an environment variable from a Secret."""

    model_config = STRICT
    # Tempo 3.0.3's client logs in with SASL PLAIN only (pkg/ingest/writer_client.go).
    mechanism: Literal["PLAIN"] = "PLAIN"
    username: str = Field(min_length=1)


class ExternalKafka(BaseModel):
    """A Kafka the stack already has, for Tempo's ingest path; without one the platform runs
    its own (Strimzi, o11y/kafka.py)."""

    model_config = STRICT
    # One address: Tempo 3.0.3 seeds its client with a single broker (kgo.SeedBrokers of
    # `ingest.kafka.address`) and discovers the others from it; name a bootstrap DNS name
    # that resolves to several brokers to survive one being down.
    bootstrap_server: KafkaAddress
    # The topic must exist with `replicas.tempo_partitions` partitions: Tempo's own topic
    # creation would change the whole cluster's `num.partitions`, so it stays off.
    topic: KafkaName = "tempo-traces"
    # Empty: Tempo's default, one consumer group per block-builder/live-store instance.
    consumer_group: KafkaName | None = None
    # Whether the brokers require TLS. Tempo 3.0.3 has no TLS client for Kafka (its
    # `ingest.kafka` block has no tls fields), so a TLS-only Kafka is refused here.
    tls: bool = False
    sasl: KafkaSasl | None = None

    @model_validator(mode="after")
    def _plaintext_only(self) -> "ExternalKafka":
        if self.tls:
            raise ValueError(
                "tls: Tempo 3.0.3 (tempo-distributed 3.3.0) connects to Kafka without TLS only; "
                "offer it a plaintext or SASL_PLAINTEXT listener"
            )
        return self


class Ingress(BaseModel):
    model_config = STRICT
    domain: str = Field(pattern=r"^[a-z0-9.-]+$")
    class_name: str = "nginx"
    cluster_issuer: str = "letsencrypt"


class GrafanaDatabase(BaseModel):
    """The PostgreSQL database Grafana keeps its state in (users, sessions, dashboards,
    annotations), so that more than one replica can serve. The password is the stack secret
    `grafana_db_password`, never part of this model."""

    model_config = STRICT
    host: str = Field(pattern=r"^[A-Za-z0-9.-]+$")
    port: int = Field(default=5432, ge=1, le=65535)
    name: str = Field(min_length=1)
    user: str = Field(min_length=1)
    # libpq's sslmode; `require` encrypts, `verify-full` also checks the server's certificate.
    sslmode: Literal["disable", "require", "verify-ca", "verify-full"] = "require"


# Zone-aware replication writes each sample or log line to one replica in each of three zones
# (replication factor 3, Mimir and Loki "zone-aware replication" docs), so it needs at least
# three zones.
MIN_ZONES = 3


class Platform(BaseModel):
    model_config = STRICT
    mimir: bool
    loki_mode: Literal["monolithic", "scalable"]
    # distributed: tempo-distributed with Kafka between the distributors and the stores.
    tempo_mode: Literal["monolithic", "distributed"]
    # The Kafka of Tempo's ingest path (distributed only); None: the platform runs its own.
    kafka: ExternalKafka | None = None
    replicas: Replicas
    retention: Retention
    storage: Storage
    tracing: Tracing
    resources: dict[Workload, Resources]
    tenants: list[Name] = Field(min_length=1)
    object_storage: ObjectStorage | None = None
    ingress: Ingress | None = None
    scrape_interval: Duration = "30s"
    network_policies: bool
    # `protect` on releases holding data (Prometheus, Alertmanager, Loki, Tempo, Mimir, Grafana).
    protect_stateful: bool
    # Availability zones the cluster's nodes are in (values of topology.kubernetes.io/zone).
    # With zones, Loki's and Mimir's ingesters (and Mimir's store-gateways and Alertmanagers)
    # run one StatefulSet per zone, pinned to that zone's nodes, and every other workload
    # spreads over them; without, replicas spread over nodes only.
    zones: list[str] = Field(default_factory=list)
    # Grafana's external database; without one Grafana keeps SQLite on a volume (one replica).
    grafana_database: GrafanaDatabase | None = None

    @model_validator(mode="after")
    def _zones(self) -> "Platform":
        if len(set(self.zones)) != len(self.zones):
            raise ValueError(f"zones: each zone is listed once (got {', '.join(self.zones)})")
        if 0 < len(self.zones) < MIN_ZONES:
            raise ValueError(
                f"zones: list none or at least {MIN_ZONES} (zone-aware replication keeps one "
                f"copy in each of three zones); got {len(self.zones)}"
            )
        return self

    @model_validator(mode="after")
    def _storage_for_scalable_modes(self) -> "Platform":
        scalable = self.mimir or self.loki_mode == "scalable" or self.tempo_mode == "distributed"
        if scalable and self.object_storage is None:
            raise ValueError(
                "object_storage is required when mimir is on, loki_mode is scalable or "
                "tempo_mode is distributed"
            )
        return self

    @property
    def own_kafka(self) -> bool:
        """Whether the platform runs Tempo's Kafka itself (distributed Tempo, none named)."""
        return self.tempo_mode == "distributed" and self.kafka is None

    @model_validator(mode="after")
    def _kafka_for_distributed_tempo(self) -> "Platform":
        if self.kafka is not None and self.tempo_mode != "distributed":
            raise ValueError("kafka: only the distributed Tempo (tempo_mode: distributed) uses it")
        return self

    @model_validator(mode="after")
    def _resources_for_every_workload(self) -> "Platform":
        missing = sorted(set(get_args(Workload)) - set(self.resources))
        if missing:
            raise ValueError(f"resources: no requests/limits for {', '.join(missing)}")
        return self


def _resources(cpu: str, memory: str, cpu_limit: str, memory_limit: str) -> dict[str, str]:
    return {"cpu": cpu, "memory": memory, "cpu_limit": cpu_limit, "memory_limit": memory_limit}


# Starting sizes, not measurements: dev fits a laptop kind cluster, prod a small production
# cluster. Limits are set on every container so no workload can starve a node; tune per stack
# with `platform.resources.<workload>` once real usage is known.
_DEV_RESOURCES: dict[str, dict[str, str]] = {
    "prometheus": _resources("200m", "512Mi", "1", "2Gi"),
    "alertmanager": _resources("20m", "64Mi", "200m", "256Mi"),
    "prometheus_operator": _resources("50m", "64Mi", "200m", "256Mi"),
    "kube_state_metrics": _resources("20m", "64Mi", "200m", "256Mi"),
    "node_exporter": _resources("20m", "32Mi", "200m", "128Mi"),
    "grafana": _resources("50m", "128Mi", "500m", "512Mi"),
    "loki": _resources("100m", "256Mi", "1", "1Gi"),
    "loki_gateway": _resources("20m", "32Mi", "200m", "128Mi"),
    "loki_cache": _resources("50m", "128Mi", "500m", "256Mi"),
    "tempo": _resources("100m", "256Mi", "1", "1Gi"),
    "mimir": _resources("100m", "256Mi", "1", "1Gi"),
    "kafka": _resources("250m", "1Gi", "1", "2Gi"),
    "kafka_operator": _resources("100m", "256Mi", "500m", "512Mi"),
    "otel_gateway": _resources("100m", "128Mi", "500m", "512Mi"),
    "otel_agent": _resources("50m", "64Mi", "200m", "256Mi"),
    "exporter": _resources("20m", "32Mi", "200m", "128Mi"),
}
_PROD_RESOURCES: dict[str, dict[str, str]] = {
    "prometheus": _resources("1", "4Gi", "4", "8Gi"),
    "alertmanager": _resources("50m", "128Mi", "500m", "512Mi"),
    "prometheus_operator": _resources("100m", "128Mi", "500m", "512Mi"),
    "kube_state_metrics": _resources("100m", "256Mi", "500m", "1Gi"),
    "node_exporter": _resources("50m", "64Mi", "250m", "256Mi"),
    "grafana": _resources("250m", "512Mi", "1", "1Gi"),
    "loki": _resources("500m", "1Gi", "2", "4Gi"),
    "loki_gateway": _resources("100m", "128Mi", "500m", "256Mi"),
    "loki_cache": _resources("500m", "1Gi", "1", "2Gi"),
    "tempo": _resources("500m", "2Gi", "2", "4Gi"),
    "mimir": _resources("500m", "2Gi", "2", "4Gi"),
    # Strimzi sizes the broker JVM's heap from the container's memory limit.
    "kafka": _resources("500m", "4Gi", "2", "4Gi"),
    # Strimzi's install files give the operator 384Mi; its JVM needs the headroom above.
    "kafka_operator": _resources("200m", "384Mi", "1", "768Mi"),
    "otel_gateway": _resources("500m", "1Gi", "2", "2Gi"),
    "otel_agent": _resources("100m", "128Mi", "500m", "512Mi"),
    "exporter": _resources("50m", "64Mi", "250m", "256Mi"),
}


_COMMON_RETENTION: dict[str, object] = {
    "logs_by_level": {"debug": "3d", "info": "7d", "warn": "30d", "error": "90d"},
    "logs_default": "7d",
    "traces": "7d",
}

# Defaults per profile. A stack's `platform` section is laid over these one
# section at a time (see `platform_with_profile`).
PROFILES: Mapping[Profile, Mapping[str, object]] = {
    "development": {
        "mimir": False,
        "loki_mode": "monolithic",
        "tempo_mode": "monolithic",
        "network_policies": False,
        "protect_stateful": False,
        "tenants": ["default"],
        "replicas": {
            "prometheus": 1,
            "alertmanager": 1,
            "grafana": 1,
            "otel_gateway": 1,
            "loki": 1,
            "tempo": 1,
            "mimir": 1,
            "tempo_distributor": 1,
            "tempo_querier": 1,
            "tempo_query_frontend": 1,
            "tempo_backend_worker": 1,
            "tempo_partitions": 1,
            "kafka": 1,
        },
        "retention": {
            **_COMMON_RETENTION,
            # As long as the longest SLO period: the budget rules read that far back. The size
            # cap keeps a dev cluster's disk small.
            "metrics": "31d",
            "metrics_size": "8GB",
            "long_term_metrics": "2d",
        },
        "storage": {
            "prometheus": "10Gi",
            "alertmanager": "1Gi",
            "grafana": "1Gi",
            "loki": "10Gi",
            "tempo": "10Gi",
            "mimir": "10Gi",
            "kafka": "10Gi",
        },
        "tracing": {
            "sampling_percent": 100,
            "slow_threshold_ms": 1000,
            "keep_operations": ["billing.*", "security.*"],
        },
        "resources": _DEV_RESOURCES,
    },
    "production": {
        "mimir": True,
        "loki_mode": "scalable",
        "tempo_mode": "distributed",
        "network_policies": True,
        "protect_stateful": True,
        "tenants": ["default"],
        "replicas": {
            "prometheus": 2,
            "alertmanager": 3,
            # Two replicas on the external database the production profile requires
            # (stack.py): one serves while the other is rescheduled or rolled.
            "grafana": 2,
            "otel_gateway": 2,
            "loki": 3,
            # Monolithic Tempo (see o11y/helm/tempo.py) runs one ingester ring per pod; its
            # durability comes from object storage and the WAL volume, not from replicas.
            "tempo": 1,
            "mimir": 3,
            # Distributed Tempo: two of each stateless component survive a node drain; three
            # partitions are tempo-distributed 3.3.0's default (one per zone of a 3-zone
            # cluster), each consumed by one block-builder and one live-store.
            "tempo_distributor": 2,
            "tempo_querier": 2,
            "tempo_query_frontend": 2,
            "tempo_backend_worker": 2,
            "tempo_partitions": 3,
            # Three KRaft brokers/controllers: a quorum survives one loss, and replication
            # factor 3 with min.insync.replicas 2 keeps writes going with one broker down.
            "kafka": 3,
        },
        "retention": {
            **_COMMON_RETENTION,
            # As long as the longest SLO period (the budget rules run in Prometheus); Mimir
            # keeps everything for long_term_metrics.
            "metrics": "31d",
            "metrics_size": "90GB",
            "long_term_metrics": "395d",
        },
        "storage": {
            "prometheus": "100Gi",
            "alertmanager": "5Gi",
            "grafana": "10Gi",
            "loki": "50Gi",
            "tempo": "50Gi",
            "mimir": "50Gi",
            "kafka": "100Gi",
        },
        "tracing": {
            "sampling_percent": 10,
            "slow_threshold_ms": 1000,
            "keep_operations": ["billing.*", "security.*"],
        },
        "resources": _PROD_RESOURCES,
    },
}


def platform_with_profile(profile: Profile, given: object) -> object:
    """The stack's platform section laid over its profile's defaults, one section at a time."""
    if not isinstance(given, Mapping):
        return given  # let validation name the wrong type
    merged: dict[str, object] = dict(PROFILES[profile])
    for key, value in given.items():
        base = merged.get(key)
        if isinstance(base, Mapping) and isinstance(value, Mapping):
            merged[key] = {**base, **value}
        else:
            merged[key] = value
    return merged
