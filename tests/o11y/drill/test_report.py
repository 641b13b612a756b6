"""The scenario table the drill prints."""

from o11y.drill.report import scenario_table
from o11y.drill.run import Fired, Outcome


def test_the_table_shows_delays_notifications_inhibitions_problems_and_unexercised_alerts() -> None:
    passed = Outcome(
        "error-storm",
        "every request answers 503",
        frozenset({"ServiceErrorRateCritical"}),
        fired=[
            Fired("ServiceErrorRateCritical", 143.0, {"severity": "critical"}),
            Fired("ServiceErrorRateHigh", 200.0, {"severity": "high"}),
        ],
        inhibited={"ServiceErrorRateHigh"},
        notifications=["ServiceErrorRateCritical: Slack #alerts-shop"],
        seconds=300.0,
    )
    failed = Outcome("redis-down", "Redis stops", frozenset({"RedisDown"}), seconds=61.0)
    failed.problems.append("did not fire within 300s: RedisDown")
    baseline = Outcome(
        "baseline",
        "nothing broken",
        frozenset(),
        fired=[Fired("Watchdog", 0.0, {"severity": "none"})],
    )
    assert scenario_table(
        [baseline, passed, failed], ("KafkaBrokersMissing", "LokiIngestionErrors")
    ) == (
        "PASS  baseline: nothing broken (0m00s)\n"
        "      firing  Watchdog [none]\n"
        "PASS  error-storm: every request answers 503 (5m00s)\n"
        "      fired  ServiceErrorRateCritical [critical] after 2m23s (expected)\n"
        "      fired  ServiceErrorRateHigh [high] after 3m20s (also)\n"
        "      sent   ServiceErrorRateCritical: Slack #alerts-shop\n"
        "      inhibited  ServiceErrorRateHigh\n"
        "FAIL  redis-down: Redis stops (1m01s)\n"
        "      problem  did not fire within 300s: RedisDown\n"
        "\n"
        "Not exercised here (no local source), 2 alerts:\n"
        "  KafkaBrokersMissing, LokiIngestionErrors\n"
        "\n"
        "2/3 passed"
    )
