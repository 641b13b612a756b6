"""The platform's own Kafka for Tempo's ingest path, as Strimzi custom resources.

Deployed when a distributed-Tempo stack names no external Kafka (`platform.kafka`): the
Strimzi operator (chart strimzi-kafka-operator 1.2.0, o11y/helm/strimzi.py) runs a KRaft
`Kafka` whose brokers are also its controllers (one `KafkaNodePool`), spread over zones with
rack awareness, and a `KafkaTopic` with one partition per block-builder/live-store.
"""

from o11y.conventions import (
    KAFKA_CLUSTER,
    KAFKA_EXPORTER_JOB,
    KAFKA_NODE_POOL,
    KAFKA_PORT,
    KAFKA_TOPIC_TRACES,
    MANAGED_BY,
    RELEASE_TEMPO,
)
from o11y.helm.pods import INSTANCE_LABEL, Json, in_zones, resources
from o11y.helm.tempo_distributed import runs_kafka, topology_spread
from o11y.model.stack import Stack

# A custom resource as data (o11y.manifests writes and checks it like every object).
Manifest = dict[str, Json]

API_VERSION = "kafka.strimzi.io/v1"
# The label tying node pools and topics to their cluster (Strimzi's `strimzi.io/cluster`).
CLUSTER_LABEL = "strimzi.io/cluster"
ZONE_KEY = "topology.kubernetes.io/zone"
# Tempo 3.0.3 produces batches of up to 16,000,000 bytes (pkg/ingest/config.go,
# producerBatchMaxBytes); Kafka's default max.message.bytes (about 1 MiB) would refuse them.
MAX_MESSAGE_BYTES = 16_000_000
# How long spans stay in the topic: block-builders flush every few minutes, so a day leaves
# room to repair a stalled block-builder before unflushed spans age out.
RETENTION_MS = 24 * 3600 * 1000
# Pulumi waits for the Kafka to report Ready before Tempo (which needs it) is installed.
WAIT_FOR_READY = {"pulumi.com/waitFor": "condition=Ready"}


def replication(stack: Stack) -> tuple[int, int]:
    """(replication factor, min.insync.replicas): three copies where three brokers run, and a
    write succeeds with one of them down (Kafka docs, "Replication": RF 3, min ISR 2)."""
    factor = min(stack.platform.replicas.kafka, 3)
    return factor, max(factor - 1, 1)


def kafka_resources(stack: Stack) -> list[Manifest]:
    """The Kafka, its node pool and Tempo's topic; none when the platform runs no Kafka."""
    if not runs_kafka(stack):
        return []
    return [kafka_cluster(stack), node_pool(stack), traces_topic(stack)]


def _metadata(stack: Stack, name: str, labels: dict[str, Json] | None = None) -> dict[str, Json]:
    return {
        "name": name,
        "namespace": stack.kubernetes.namespace,
        "labels": {**MANAGED_BY, **(labels or {})},
    }


def kafka_cluster(stack: Stack) -> Manifest:
    factor, min_insync = replication(stack)
    operator_resources = resources(stack, "kafka_operator")
    return {
        "apiVersion": API_VERSION,
        "kind": "Kafka",
        "metadata": {**_metadata(stack, KAFKA_CLUSTER), "annotations": dict(WAIT_FOR_READY)},
        "spec": {
            "kafka": {
                "listeners": [
                    {
                        "name": "plain",
                        "port": KAFKA_PORT,
                        "type": "internal",
                        "tls": False,
                        # Strimzi's own NetworkPolicy admits only Tempo's pods to the listener.
                        "networkPolicyPeers": [
                            {"podSelector": {"matchLabels": {INSTANCE_LABEL: RELEASE_TEMPO}}}
                        ],
                    }
                ],
                "config": {
                    "default.replication.factor": factor,
                    "min.insync.replicas": min_insync,
                    "offsets.topic.replication.factor": factor,
                    "transaction.state.log.replication.factor": factor,
                    "transaction.state.log.min.isr": min_insync,
                    # Topics are declared (KafkaTopic), never created by a client's typo.
                    "auto.create.topics.enable": False,
                },
                # Replicas of a partition land in different zones.
                "rack": {"topologyKey": ZONE_KEY},
            },
            # The topic operator turns the KafkaTopic into the topic.
            "entityOperator": {"topicOperator": {"resources": operator_resources}},
            # Consumer-group lag, partitions and brokers as Prometheus metrics.
            "kafkaExporter": {
                "topicRegex": KAFKA_TOPIC_TRACES,
                "groupRegex": ".*",
                "resources": resources(stack, "exporter"),
            },
        },
    }


def node_pool(stack: Stack) -> Manifest:
    platform = stack.platform
    volume: dict[str, Json] = {
        "id": 0,
        "type": "persistent-claim",
        "size": platform.storage.kafka,
        # The log outlives the pool: deleting the Kafka must not delete unflushed spans.
        "deleteClaim": False,
        # KRaft metadata shares the log volume (one volume per node).
        "kraftMetadata": "shared",
    }
    if platform.storage.storage_class is not None:
        volume["class"] = platform.storage.storage_class
    pool_labels: dict[str, Json] = {CLUSTER_LABEL: KAFKA_CLUSTER}
    pods: dict[str, Json] = {
        CLUSTER_LABEL: KAFKA_CLUSTER,
        "strimzi.io/pool-name": KAFKA_NODE_POOL,
    }
    return {
        "apiVersion": API_VERSION,
        "kind": "KafkaNodePool",
        "metadata": _metadata(stack, KAFKA_NODE_POOL, pool_labels),
        "spec": {
            "replicas": platform.replicas.kafka,
            # Each node is broker and KRaft controller: three nodes make the quorum.
            "roles": ["controller", "broker"],
            "storage": {"type": "jbod", "volumes": [volume]},
            "resources": resources(stack, "kafka"),
            "template": {
                "pod": {
                    "topologySpreadConstraints": topology_spread(stack, pods),
                    **({"affinity": zones} if (zones := in_zones(stack.platform.zones)) else {}),
                }
            },
        },
    }


def traces_topic(stack: Stack) -> Manifest:
    factor, min_insync = replication(stack)
    return {
        "apiVersion": API_VERSION,
        "kind": "KafkaTopic",
        "metadata": _metadata(stack, KAFKA_TOPIC_TRACES, {CLUSTER_LABEL: KAFKA_CLUSTER}),
        "spec": {
            # One partition per block-builder and per live-store (tempo-distributed 3.3.0
            # values.yaml: their replica counts must equal the partition count).
            "partitions": stack.platform.replicas.tempo_partitions,
            "replicas": factor,
            "config": {
                "min.insync.replicas": min_insync,
                "retention.ms": RETENTION_MS,
                "max.message.bytes": MAX_MESSAGE_BYTES,
            },
        },
    }


def operator_objects(stack: Stack) -> list[Manifest]:
    """What the Strimzi operator creates from the resources above, as far as our names refer
    to it: the bootstrap Service Tempo connects to, the brokers and the Kafka exporter, with
    Strimzi's names and labels (Strimzi docs, "Kafka cluster resources"). Never applied; the
    reference checks look names up among them."""
    if not runs_kafka(stack):
        return []
    namespace = stack.kubernetes.namespace
    cluster: dict[str, Json] = {CLUSTER_LABEL: KAFKA_CLUSTER, "strimzi.io/kind": "Kafka"}
    brokers: dict[str, Json] = {**cluster, "strimzi.io/name": f"{KAFKA_CLUSTER}-kafka"}
    exporter_name = f"{KAFKA_CLUSTER}-kafka-exporter"
    exporter: dict[str, Json] = {**cluster, "strimzi.io/name": exporter_name}
    return [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": f"{KAFKA_CLUSTER}-kafka-bootstrap", "namespace": namespace},
            "spec": {
                "selector": brokers,
                "ports": [{"name": "tcp-clients", "port": KAFKA_PORT}],
            },
        },
        {
            "apiVersion": "core.strimzi.io/v1",
            "kind": "StrimziPodSet",
            "metadata": {"name": f"{KAFKA_CLUSTER}-{KAFKA_NODE_POOL}", "namespace": namespace},
            "spec": {
                "template": {
                    "metadata": {"labels": {**brokers, "strimzi.io/pool-name": KAFKA_NODE_POOL}},
                    "spec": {"containers": [{"name": "kafka"}]},
                }
            },
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": exporter_name, "namespace": namespace},
            "spec": {
                "template": {
                    "metadata": {"labels": exporter},
                    "spec": {
                        "containers": [
                            {
                                "name": exporter_name,
                                "ports": [{"name": "tcp-prometheus", "containerPort": 9404}],
                            }
                        ]
                    },
                }
            },
        },
    ]


def kafka_monitors(stack: Stack) -> list[Manifest]:
    """The PodMonitor of Strimzi's Kafka exporter: brokers, partitions and consumer lag of
    the platform's Kafka, under `job="tempo-kafka-exporter"`."""
    if not runs_kafka(stack):
        return []
    exporter = f"{KAFKA_CLUSTER}-kafka-exporter"
    return [
        {
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "PodMonitor",
            "metadata": _metadata(stack, exporter),
            "spec": {
                "selector": {
                    "matchLabels": {CLUSTER_LABEL: KAFKA_CLUSTER, "strimzi.io/name": exporter}
                },
                "namespaceSelector": {"matchNames": [stack.kubernetes.namespace]},
                "podMetricsEndpoints": [
                    {
                        "port": "tcp-prometheus",
                        "relabelings": [
                            {
                                "action": "replace",
                                "targetLabel": "job",
                                "replacement": KAFKA_EXPORTER_JOB,
                            }
                        ],
                    }
                ],
            },
        }
    ]
