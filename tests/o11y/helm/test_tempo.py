"""Monolithic Tempo values (development stacks): retention in the hours Tempo reads, the
receivers, and where the blocks live."""

from o11y.helm.tempo import values
from tests.o11y.helm.stacks import by_name
from tests.small_stacks import small_stack
from tests.trees import as_dict, dig


def test_tempo_keeps_traces_seven_days_and_accepts_otlp_and_jaeger() -> None:
    tempo = as_dict(by_name("dev")["tempo"].values["tempo"])
    assert tempo["retention"] == "168h"
    assert set(as_dict(tempo["receivers"])) == {"otlp", "jaeger"}


def test_the_stacks_trace_retention_becomes_hours_and_dev_keeps_blocks_on_its_volume() -> None:
    chart = values(small_stack(overrides={"platform": {"retention": {"traces": "14d"}}}))
    tempo = as_dict(chart["tempo"])
    assert tempo["retention"] == "336h"
    assert dig(tempo, "storage", "trace", "backend") == "local"
    assert dig(chart, "persistence", "enabled") is True
