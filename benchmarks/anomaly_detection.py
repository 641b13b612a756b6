"""How the anomaly rules behave on two weeks of synthetic series, measured with promtool.

    .venv/bin/python benchmarks/anomaly_detection.py

Week one is history, week two is judged (tests/o11y/anomaly_scenarios.py builds the series:
daily shape, quieter weekend, 3% week-over-week growth, seeded noise). For each scenario the
generated recording and alerting rules run in promtool every five minutes; the table shows the
share of judged evaluations at which the alert fired wrongly (the false-positive rate) and how
long after an anomaly began it first fired.
"""

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from o11y.config import parse_stack, read_catalog, read_stack_file  # noqa: E402
from tests.o11y.anomaly_scenarios import SCENARIOS, replay  # noqa: E402


def main() -> None:
    base = parse_stack(read_stack_file(ROOT / "Pulumi.dev.yaml"), read_catalog(ROOT), "dev")
    print(
        "| series | anomaly | false firing / judged evaluations | false-positive rate | detected after |"
    )
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as directory:
        for scenario in SCENARIOS:
            outcome = replay("promtool", base, scenario, Path(directory))
            anomaly = scenario.anomaly.title if scenario.anomaly else "none (normal week)"
            if outcome.detection_minutes is None:
                detected = "never" if scenario.anomaly else "n/a"
            elif outcome.detection_minutes >= 120:
                detected = f"{outcome.detection_minutes / 60:.1f} h"
            else:
                detected = f"{outcome.detection_minutes:.0f} min"
            print(
                f"| {scenario.name} | {anomaly} | {outcome.false_firing} / {outcome.judged} | "
                f"{outcome.false_positive_rate:.1%} | {detected} |"
            )


if __name__ == "__main__":
    main()
