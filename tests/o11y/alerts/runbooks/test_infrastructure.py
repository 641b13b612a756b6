"""The node and container runbooks read the labels their alerts keep and the thresholds they fire at."""

import re

from o11y.alertdef import AlertDefinition
from o11y.alerts.areas import INFRASTRUCTURE
from o11y.alerts.infrastructure import CONTAINER_MEMORY_HIGH, NODE_CPU_HIGH
from o11y.alerts.runbooks.infrastructure import RUNBOOKS
from tests.o11y.alerts.runbooks.checks import (
    assert_complete,
    grouping_labels,
    queries,
    selectors,
    template_labels,
)
from tests.small_stacks import small_stack


def _by_name() -> dict[str, AlertDefinition]:
    return {d.name: d for d in INFRASTRUCTURE(small_stack())}


def test_every_runbook_is_complete() -> None:
    definitions = _by_name()
    assert list(definitions) == list(RUNBOOKS)
    for definition in definitions.values():
        assert_complete(definition)


def test_the_annotations_read_only_labels_the_alert_keeps() -> None:
    for definition in _by_name().values():
        read = template_labels(definition.summary + definition.description)
        assert read, definition.name
        assert read <= grouping_labels(definition.expr), (definition.name, read)


def test_the_prose_states_the_threshold_the_alert_fires_at() -> None:
    for definition in _by_name().values():
        threshold = re.search(r" > (\d+)$", definition.expr)
        assert threshold, definition.expr
        percent = f"{threshold.group(1)}%"
        assert percent in definition.summary + definition.description, definition.name


def test_the_triage_reads_the_same_series_as_the_alert() -> None:
    definitions = _by_name()
    cpu = definitions[NODE_CPU_HIGH]
    assert cpu.expr.startswith(f"{queries(cpu, 'promql')[0]} > ")
    memory = definitions[CONTAINER_MEMORY_HIGH]
    assert memory.expr.startswith(f"{queries(memory, 'promql')[0]} * 100 > ")


def test_pod_cpu_is_read_from_the_kubelet_per_container() -> None:
    top = queries(_by_name()[NODE_CPU_HIGH], "promql")[1]
    assert selectors(top) == [{"job": ("=", "kubelet"), "container": ("!=", "")}]
