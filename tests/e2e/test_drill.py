"""The fire drill for the example stacks, on the real Debian binaries: every scenario fires its
alerts and routes them as the severity model says, and nothing but heartbeats fires at
baseline (alerts without a local source are listed by the drill, not asserted here)."""

import os

import pytest

from o11y.drill.report import scenario_table
from o11y.drill.run import drill
from o11y.drill.scenarios import SCENARIOS, drilled_service, runnable, unexercised_alerts
from o11y.drill.world import missing_programs
from o11y.model.stack import Stack

pytestmark = pytest.mark.tools


@pytest.fixture(scope="session")
def drill_programs() -> None:
    missing = missing_programs()
    if not missing:
        return
    packages = " ".join(sorted(set(missing.values())))
    if os.environ.get("CI"):
        pytest.fail(f"the drill needs {packages}; CI must install them (see .ci/run)")
    pytest.skip(f"the drill needs {packages} (apt-get install)")


@pytest.mark.parametrize("stack_name", ["dev_stack", "prod_stack"])
def test_every_scenario_fires_and_routes_and_the_baseline_is_quiet(
    stack_name: str, request: pytest.FixtureRequest, drill_programs: None
) -> None:
    stack: Stack = request.getfixturevalue(stack_name)
    chosen = [s for s in SCENARIOS if runnable(stack, s)]
    assert chosen, "the example stacks declare a service, PostgreSQL and Redis"
    outcomes = drill(
        stack, chosen, drilled_service(stack, None), len(chosen) + 1, 150, lambda _: None
    )
    table = scenario_table(outcomes, unexercised_alerts(stack))
    assert [o.scenario for o in outcomes] == ["baseline", *(s.name for s in chosen)]
    assert all(o.passed for o in outcomes), table
