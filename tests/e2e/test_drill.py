"""The fire drill for the example stacks, on the real Debian binaries: every scenario fires its
alerts and routes them as the severity model says, and nothing but heartbeats fires at
baseline (alerts without a local source are listed by the drill, not asserted here).

Both stacks drill at once: a lane mostly waits for its rules' `for`, so the two drills take
about as long as one."""

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from o11y.drill.report import scenario_table
from o11y.drill.run import Outcome, drill
from o11y.drill.scenarios import SCENARIOS, drilled_service, runnable, unexercised_alerts
from o11y.drill.world import missing_programs
from o11y.model.stack import Stack

pytestmark = pytest.mark.tools

BASELINE_SECONDS = 150


@pytest.fixture(scope="session")
def drill_programs() -> None:
    missing = missing_programs()
    if not missing:
        return
    packages = " ".join(sorted(set(missing.values())))
    if os.environ.get("CI"):
        pytest.fail(f"the drill needs {packages}; CI must install them (see .ci/run)")
    pytest.skip(f"the drill needs {packages} (apt-get install)")


def _drill(stack: Stack) -> tuple[list[str], list[Outcome]]:
    chosen = [s for s in SCENARIOS if runnable(stack, s)]
    target = drilled_service(stack, None)
    outcomes = drill(stack, chosen, target, len(chosen) + 1, BASELINE_SECONDS, lambda _: None)
    return [s.name for s in chosen], outcomes


def test_every_scenario_fires_and_routes_and_the_baseline_is_quiet_for_dev_and_prod(
    dev_stack: Stack, prod_stack: Stack, drill_programs: None
) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        dev, prod = pool.map(_drill, [dev_stack, prod_stack])
    for stack, (chosen, outcomes) in ((dev_stack, dev), (prod_stack, prod)):
        assert chosen == [s.name for s in SCENARIOS], "the example stacks declare every subject"
        table = scenario_table(outcomes, unexercised_alerts(stack))
        assert [o.scenario for o in outcomes] == ["baseline", *chosen]
        assert all(o.passed for o in outcomes), f"{stack.environment}:\n{table}"
