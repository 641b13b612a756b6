"""What the Strimzi operator creates, as the reference checks see it: Tempo's Kafka address
resolves to the bootstrap Service, and the exporter's PodMonitor selects the exporter."""

import copy
from pathlib import Path

from o11y.charts import CHARTS
from o11y.charttemplate import Release, chart_source, template
from o11y.helm.tempo_distributed import kafka_address
from o11y.kafka import kafka_monitors, kafka_resources, operator_objects
from o11y.manifestcheck import custom_resource_definitions, manifest_errors
from o11y.references import Deployed, monitor_problems, url_problems
from tests.small_stacks import small_stack
from tests.trees import as_dict


def deployed() -> Deployed:
    stack = small_stack("prod")
    objects = [*operator_objects(stack), *kafka_monitors(stack)]
    return Deployed("obs", tuple(dict[str, object](o) for o in objects))


def test_tempo_connects_to_a_service_strimzi_creates() -> None:
    address = kafka_address(small_stack("prod"))
    assert url_problems(deployed(), {"tempo.values.yaml": f"address: {address}"}) == []
    assert url_problems(deployed(), {"x": "tempo-kafka-bootstrap.obs.svc:9092"}) == [
        "x: tempo-kafka-bootstrap.obs.svc:9092: no Service tempo-kafka-bootstrap is deployed"
    ]


def test_the_exporter_pod_monitor_selects_the_exporter_and_sets_its_job() -> None:
    found = deployed()
    assert monitor_problems(found) == []
    assert "tempo-kafka-exporter" in found.jobs


def test_no_operator_objects_without_the_platform_kafka() -> None:
    assert operator_objects(small_stack("dev")) == []
    assert kafka_monitors(small_stack("dev")) == []


def test_the_kafka_resources_validate_against_the_crds_of_the_pinned_strimzi_chart(
    helm: str, pinned_charts: Path, tmp_path: Path
) -> None:
    stack = small_stack("prod")
    chart = CHARTS["strimzi-kafka-operator"]
    source = chart_source(pinned_charts, chart.name, chart.version)
    assert source is not None
    (tmp_path / "values.yaml").write_text("{}\n", encoding="utf-8")
    release = Release("strimzi", chart.name, chart.version, "obs", tmp_path / "values.yaml")
    crds = custom_resource_definitions(template(helm, release, source, "1.33"))
    resources = [dict[str, object](m) for m in kafka_resources(stack)]
    assert {kind for _, kind in crds} >= {"Kafka", "KafkaNodePool", "KafkaTopic"}
    assert [e for m in resources for e in manifest_errors(m, "1.33", crds)] == []
    broken = copy.deepcopy(resources[0])
    as_dict(as_dict(broken["spec"])["kafka"])["rack"] = {"topologyKeys": "zone"}
    assert manifest_errors(broken, "1.33", crds) != []
