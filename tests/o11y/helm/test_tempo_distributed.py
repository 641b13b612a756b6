"""Distributed Tempo values and the platform's Kafka, from small stacks of the tests' own."""

import pytest
import yaml

from o11y.helm import kubernetes_secrets, releases
from o11y.helm.tempo_distributed import COMPONENTS, values
from o11y.kafka import kafka_resources, operator_objects
from o11y.model.stack import Stack, required_secrets, why_required
from tests.small_stacks import PROD, small_stack
from tests.trees import as_dict, dig

PLATFORM = as_dict(PROD["platform"])
EXTERNAL = {"bootstrap_server": "kafka.shared.svc:9092", "topic": "traces", "consumer_group": "t"}


def prod(**platform: object) -> Stack:
    return small_stack("prod", {"platform": {**PLATFORM, **platform}})


def test_each_component_scales_from_the_stack_and_ingest_consumers_follow_the_partitions() -> None:
    stack = small_stack(
        "prod",
        {
            "platform": {
                **PLATFORM,
                "replicas": {"tempo_distributor": 4, "tempo_querier": 5, "tempo_partitions": 6},
            }
        },
    )
    tempo = values(stack)
    assert dig(tempo, "distributor", "replicas") == 4
    assert dig(tempo, "querier", "replicas") == 5
    assert dig(tempo, "blockBuilder", "replicas") == 6
    assert dig(tempo, "liveStore", "replicas") == 6
    assert dig(tempo, "ingest", "kafka", "auto_create_topic_default_partitions") == 6
    assert "replicas" not in as_dict(tempo["backendScheduler"])
    topic = next(r for r in kafka_resources(stack) if r["kind"] == "KafkaTopic")
    assert dig(topic, "spec", "partitions") == 6


@pytest.mark.parametrize("values_key, component", sorted(COMPONENTS.items()))
def test_every_component_spreads_over_zones_softly_and_nodes_hard(
    values_key: str, component: str
) -> None:
    spec = as_dict(values(small_stack("prod"))[values_key])
    constraints = yaml.safe_load(str(spec["topologySpreadConstraints"]))
    assert [(c["topologyKey"], c["whenUnsatisfiable"]) for c in constraints] == [
        ("topology.kubernetes.io/zone", "ScheduleAnyway"),
        ("kubernetes.io/hostname", "DoNotSchedule"),
    ]
    for constraint in constraints:
        assert constraint["nodeTaintsPolicy"] == "Honor"
        assert constraint["labelSelector"]["matchLabels"] == {
            "app.kubernetes.io/instance": "tempo",
            "app.kubernetes.io/component": component,
        }
    assert spec["affinity"] == ""
    if values_key != "backendScheduler":
        assert spec["podDisruptionBudget"] == {"enabled": True}
        assert spec["maxUnavailable"] == 1


ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
IN_ZONES = {
    "nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [
                {
                    "matchExpressions": [
                        {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ZONES}
                    ]
                }
            ]
        }
    }
}


@pytest.mark.parametrize("values_key", sorted(COMPONENTS))
def test_with_zones_listed_every_component_runs_only_in_those_zones(values_key: str) -> None:
    spec = as_dict(values(prod(zones=ZONES))[values_key])
    assert yaml.safe_load(str(spec["affinity"])) == IN_ZONES


def test_with_zones_listed_the_kafka_brokers_run_only_in_those_zones() -> None:
    pool = next(r for r in kafka_resources(prod(zones=ZONES)) if r["kind"] == "KafkaNodePool")
    assert dig(pool, "spec", "template", "pod", "affinity") == IN_ZONES
    pool = next(r for r in kafka_resources(prod()) if r["kind"] == "KafkaNodePool")
    assert "affinity" not in as_dict(dig(pool, "spec", "template", "pod"))


def test_the_platform_kafka_is_the_ingest_path_when_the_stack_names_none() -> None:
    stack = small_stack("prod")
    tempo = values(stack)
    assert dig(tempo, "ingest", "kafka", "address") == "tempo-kafka-kafka-bootstrap.obs.svc:9092"
    assert dig(tempo, "ingest", "kafka", "topic") == "tempo-traces"
    assert dig(tempo, "ingest", "kafka", "auto_create_topic_enabled") is False
    assert dig(tempo, "tempo", "structuredConfig", "ingest", "kafka") == {}
    assert [r.name for r in releases(stack)].index("strimzi") < [
        r.name for r in releases(stack)
    ].index("tempo")
    names = {dig(o, "metadata", "name") for o in operator_objects(stack)}
    assert "tempo-kafka-kafka-bootstrap" in names


def test_the_kafka_cluster_replicates_across_zones_with_three_brokers() -> None:
    stack = small_stack("prod", {"platform": {**PLATFORM, "storage": {"kafka": "42Gi"}}})
    kafka, pool, topic = kafka_resources(stack)
    assert dig(kafka, "spec", "kafka", "rack") == {"topologyKey": "topology.kubernetes.io/zone"}
    config = as_dict(dig(kafka, "spec", "kafka", "config"))
    assert (config["default.replication.factor"], config["min.insync.replicas"]) == (3, 2)
    assert dig(pool, "spec", "replicas") == 3
    assert dig(pool, "spec", "roles") == ["controller", "broker"]
    assert dig(pool, "spec", "storage", "volumes", 0, "size") == "42Gi"
    assert dig(pool, "spec", "storage", "volumes", 0, "kraftMetadata") == "shared"
    assert dig(topic, "spec", "replicas") == 3
    assert dig(topic, "spec", "config", "min.insync.replicas") == 2
    assert dig(topic, "metadata", "labels", "strimzi.io/cluster") == "tempo-kafka"


def test_one_broker_keeps_one_copy() -> None:
    stack = small_stack("prod", {"platform": {**PLATFORM, "replicas": {"kafka": 1}}})
    kafka, _, topic = kafka_resources(stack)
    assert dig(kafka, "spec", "kafka", "config", "min.insync.replicas") == 1
    assert dig(topic, "spec", "replicas") == 1


def test_an_external_kafka_replaces_strimzi_and_its_password_stays_in_a_secret() -> None:
    stack = prod(kafka={**EXTERNAL, "sasl": {"username": "tempo"}})
    assert "kafka_sasl_password" in required_secrets(stack)
    assert why_required(stack, "kafka_sasl_password") == "Tempo logs in to platform.kafka with it"
    tempo = values(stack)
    assert dig(tempo, "ingest", "kafka", "address") == "kafka.shared.svc:9092"
    assert dig(tempo, "ingest", "kafka", "topic") == "traces"
    assert dig(tempo, "tempo", "structuredConfig", "ingest", "kafka") == {
        "consumer_group": "t",
        "sasl_username": "tempo",
        "sasl_password": "${TEMPO_KAFKA_SASL_PASSWORD}",
    }
    assert dig(tempo, "defaults", "extraArgs") == ["-config.expand-env=true"]
    assert "strimzi" not in [r.name for r in releases(stack)]
    assert not kafka_resources(stack)
    with_secret = stack.model_copy(update={"secrets": frozenset({"kafka_sasl_password"})})
    assert kubernetes_secrets(with_secret)["tempo-kafka-sasl"] == {
        "password": "kafka_sasl_password"
    }


def test_without_sasl_no_password_is_asked_for_or_handed_out() -> None:
    stack = prod(kafka=EXTERNAL)
    assert "kafka_sasl_password" not in required_secrets(stack)
    assert "extraEnv" not in as_dict(values(stack)["defaults"])


@pytest.mark.parametrize(
    "platform, message",
    [
        ({"kafka": {**EXTERNAL, "tls": True}}, "connects to Kafka without TLS only"),
        ({"kafka": {**EXTERNAL, "sasl": {"mechanism": "SCRAM-SHA-512", "username": "t"}}}, "PLAIN"),
        ({"kafka": {"bootstrap_server": "a:9092,b:9092"}}, "bootstrap_server"),
    ],
    ids=["a TLS-only Kafka is refused", "only SASL PLAIN", "one bootstrap address"],
)
def test_kafka_settings_tempo_3_cannot_use_are_refused(
    platform: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        prod(**platform)


def test_an_external_kafka_needs_the_distributed_tempo() -> None:
    with pytest.raises(ValueError, match="only the distributed Tempo"):
        small_stack("dev", {"platform": {"kafka": EXTERNAL}})
