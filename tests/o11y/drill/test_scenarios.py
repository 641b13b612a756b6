"""Which alerts each scenario must fire, and which alerts no scenario can exercise here."""

import pytest

from o11y.drill.scenarios import (
    SCENARIOS,
    drilled_service,
    expected_alerts,
    scenario,
    unexercised_alerts,
)
from o11y.model.stack import Stack
from tests.o11y.drill.stacks import small_stack


@pytest.mark.parametrize(
    ("name", "alerts"),
    [
        ("postgres-down", {"PostgresDown"}),
        ("redis-down", {"RedisDown"}),
        ("postgres-connections", {"PostgresConnectionsNearLimit"}),
        ("health-failing", {"ServiceProbeFailing"}),
        ("error-storm", {"ServiceErrorRateCritical", "SLOShopAvailabilityErrorBudgetFastBurn"}),
        ("latency", {"ServiceLatencyP99High", "SLOShopLatencyErrorBudgetFastBurn"}),
        ("process-killed", {"ServiceDown"}),
    ],
)
def test_each_scenario_expects_its_cause_and_the_slo_page_it_burns(
    name: str, alerts: set[str], dev_stack: Stack
) -> None:
    stack = small_stack(dev_stack)
    assert expected_alerts(stack, scenario(name), drilled_service(stack, None)) == alerts


def test_every_scenario_has_a_distinct_name() -> None:
    assert len({s.name for s in SCENARIOS}) == len(SCENARIOS)


def test_an_unknown_scenario_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="no scenario named 'flood' \\(known: postgres-down, "):
        scenario("flood")


def test_alerts_without_a_local_source_are_listed_by_name_and_drilled_ones_are_not(
    dev_stack: Stack,
) -> None:
    unexercised = unexercised_alerts(small_stack(dev_stack))
    assert "OTelCollectorDown" in unexercised
    assert "LokiIngestionErrors" in unexercised
    assert not {"ServiceDown", "PostgresDown", "RedisDown", "Watchdog"} & set(unexercised)
    assert list(unexercised) == sorted(unexercised)
