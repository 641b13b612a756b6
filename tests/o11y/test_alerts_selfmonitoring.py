"""Alerts on the observability stack itself, proven by promtool (dev and prod differ: Mimir)."""

from pathlib import Path

from o11y.alerts.selfmonitoring import GRAFANA_DATABASE, MIMIR_INGESTION, selfmonitoring_alerts
from o11y.conventions import WATCHDOG_ALERT
from o11y.model.stack import Stack
from tests.o11y.promtool_proof import prove
from tests.small_stacks import small_stack


def test_the_watchdog_is_an_always_firing_heartbeat(dev_stack: Stack) -> None:
    (watchdog,) = [
        a for a in selfmonitoring_alerts(dev_stack) if a.definition.name == WATCHDOG_ALERT
    ]
    assert watchdog.definition.heartbeat
    assert watchdog.definition.expr == "vector(1)"
    assert watchdog.silent() == ()


def test_only_heartbeats_lack_a_silent_case(prod_stack: Stack) -> None:
    for alert in selfmonitoring_alerts(prod_stack):
        assert bool(alert.silent()) != alert.definition.heartbeat, alert.definition.name


def test_mimir_ingestion_is_watched_only_where_mimir_runs(
    dev_stack: Stack, prod_stack: Stack
) -> None:
    assert MIMIR_INGESTION not in {a.definition.name for a in selfmonitoring_alerts(dev_stack)}
    assert MIMIR_INGESTION in {a.definition.name for a in selfmonitoring_alerts(prod_stack)}


def test_selfmonitoring_alerts_fire_and_stay_silent_in_promtool(
    prod_stack: Stack, promtool: str, tmp_path: Path
) -> None:
    prove(promtool, prod_stack, selfmonitoring_alerts(prod_stack), tmp_path)


def test_grafanas_database_is_watched_only_where_grafana_has_one() -> None:
    assert GRAFANA_DATABASE not in {
        a.definition.name for a in selfmonitoring_alerts(small_stack("dev"))
    }
    assert GRAFANA_DATABASE in {
        a.definition.name for a in selfmonitoring_alerts(small_stack("prod"))
    }


def test_grafana_database_alert_fires_and_stays_silent_in_promtool(
    promtool: str, tmp_path: Path
) -> None:
    stack = small_stack("prod")
    (alert,) = [a for a in selfmonitoring_alerts(stack) if a.definition.name == GRAFANA_DATABASE]
    prove(promtool, stack, [alert], tmp_path)
