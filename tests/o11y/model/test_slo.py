"""SLO definitions: availability by default, latency on request, custom queries in windowed
pairs."""

import re

import pytest
from pydantic import TypeAdapter, ValidationError

from o11y.model.slo import SLO, AvailabilitySLO, LatencySLO


@pytest.mark.parametrize(
    ("case", "queries", "problem"),
    [
        (
            "an error query needs its total",
            {"error_query": "sum(rate(e[{{.window}}]))"},
            "set both error_query and total_query, or neither (only error_query)",
        ),
        (
            "a query without the window placeholder cannot be windowed",
            {"error_query": "sum(rate(e[5m]))", "total_query": "sum(rate(t[{{.window}}]))"},
            "error_query must contain {{.window}} where the range goes",
        ),
    ],
)
def test_custom_availability_queries_come_in_windowed_pairs(
    case: str, queries: dict[str, str], problem: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)):
        AvailabilitySLO.model_validate({"name": "availability", "objective": 99.9, **queries})


def test_an_slo_without_a_kind_is_an_availability_slo() -> None:
    slo = TypeAdapter(SLO).validate_python({"name": "availability", "objective": 99.9})
    assert isinstance(slo, AvailabilitySLO)
    assert slo.period == "30d"


def test_a_latency_slo_needs_its_threshold() -> None:
    adapter = TypeAdapter(SLO)
    slo = adapter.validate_python(
        {"name": "fast", "kind": "latency", "objective": 95, "threshold_seconds": 0.5}
    )
    assert isinstance(slo, LatencySLO)
    assert slo.histogram == "http_request_duration_seconds"
    with pytest.raises(ValidationError, match="threshold_seconds"):
        adapter.validate_python({"name": "fast", "kind": "latency", "objective": 95})


def test_a_period_without_burn_rate_factors_is_refused() -> None:
    with pytest.raises(ValidationError, match="period"):
        AvailabilitySLO.model_validate({"name": "a", "objective": 99.9, "period": "14d"})
