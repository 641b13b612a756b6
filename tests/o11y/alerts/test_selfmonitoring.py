"""Alerts on the observability stack itself, proven by promtool (stacks differ: Mimir,
Grafana's database)."""

from functools import partial
from pathlib import Path

from o11y.alerts.areas import AREAS, GRAFANA_HEALTH, MIMIR_INGEST, SELFMONITORING
from o11y.alerts.selfmonitoring import (
    GATEWAY_LABELS,
    GRAFANA_DATABASE,
    LOKI,
    LOKI_INGESTION,
    LOKI_REQUESTS,
    MIMIR,
    MIMIR_INGESTION,
    OTEL_AGENT_DOWN,
    OTEL_COLLECTOR_DOWN,
    OTEL_EXPORT_FAILING,
    TEMPO,
    TEMPO_INGESTION,
    Backend,
)
from o11y.conventions import (
    GRAFANA_HEALTH_JOB,
    OTEL_AGENT_DAEMONSET,
    RELEASE_OTEL_GATEWAY,
    WATCHDOG_ALERT,
)
from o11y.model.stack import Stack
from tests.o11y.alerts.scenario import (
    Case,
    Proof,
    Proofs,
    Series,
    area_proofs,
    counting,
    prove,
    series,
    steady,
)
from tests.small_stacks import small_stack


def _watchdog(_: Stack) -> Proof:
    return Proof(fires=(Case("always", (), "1m"),))


def _gateway_down(_: Stack) -> Proof:
    target = {"job": RELEASE_OTEL_GATEWAY, "instance": "10.0.0.5:8888"}
    return Proof(
        fires=(
            Case(
                "every replica is down",
                (series("up", target, steady(0, 15)),),
                "10m",
                GATEWAY_LABELS,
            ),
            Case("the collector is not scraped", (), "10m", GATEWAY_LABELS),
        ),
        silent=(Case("a replica is up", (series("up", target, steady(1, 15)),), "10m"),),
    )


def _agent_down(stack: Stack) -> Proof:
    namespace = stack.kubernetes.namespace
    target = {
        "job": "kube-state-metrics",
        "namespace": namespace,
        "daemonset": OTEL_AGENT_DAEMONSET,
        "instance": "10.0.0.7:8080",
        "pod": "kube-prometheus-stack-kube-state-metrics-abcde",
    }
    other = {**target, "daemonset": "node-exporter"}
    metric = "kube_daemonset_status_number_unavailable"
    return Proof(
        fires=(
            Case(
                "an agent pod is unavailable (Pending or evicted pods have no `up`)",
                (series(metric, target, steady(1, 20)),),
                "15m",
                {"namespace": namespace, "daemonset": OTEL_AGENT_DAEMONSET},
            ),
        ),
        silent=(
            Case("every agent is available", (series(metric, target, steady(0, 20)),), "15m"),
            Case(
                "an agent has been unavailable for 9 minutes (a rollout)",
                (series(metric, target, "0x4 1x15"),),
                "14m",
            ),
            Case(
                "another DaemonSet is unavailable",
                (series(metric, target, steady(0, 20)), series(metric, other, steady(1, 20))),
                "15m",
            ),
        ),
    )


def _export_failing(_: Stack) -> Proof:
    labels = {"job": RELEASE_OTEL_GATEWAY, "exporter": "otlp/tempo"}
    failing = {**labels, "instance": "10.0.0.5:8888"}
    return Proof(
        fires=(
            Case(
                "spans are dropped",
                (series("otelcol_exporter_send_failed_spans_total", failing, counting(60, 20)),),
                "15m",
                labels,
            ),
        ),
        silent=(
            Case(
                "nothing is dropped",
                (series("otelcol_exporter_send_failed_spans_total", failing, steady(4, 20)),),
                "15m",
            ),
        ),
    )


def _ingested(backend: Backend, discarded_values: str) -> tuple[Series, ...]:
    """The default tenant sends 600 items a minute; `discarded_values` of them are refused."""
    tenant = {"tenant": "default"}
    return (
        series(backend.discarded, {**tenant, "reason": "rate_limited"}, discarded_values),
        series(backend.received, tenant, counting(600, 30)),
    )


def _pushes(status_code: str, per_minute: float) -> Series:
    labels = {"route": "loki_api_v1_push", "status_code": status_code}
    return series(LOKI_REQUESTS, labels, counting(per_minute, 30))


def _loki(_: Stack) -> Proof:
    return Proof(
        fires=(
            Case("5% of lines are discarded", _ingested(LOKI, counting(30, 30)), "25m"),
            Case("10% of pushes fail", (_pushes("500", 6), _pushes("204", 54)), "25m"),
        ),
        silent=(
            Case(
                "nothing is discarded and pushes succeed",
                (*_ingested(LOKI, steady(0, 30)), _pushes("204", 60)),
                "25m",
            ),
        ),
    )


def _discarded(backend: Backend, _: Stack) -> Proof:
    return Proof(
        fires=(
            Case(
                f"5% of {backend.unit} are discarded",
                _ingested(backend, counting(30, 30)),
                "25m",
            ),
        ),
        silent=(
            Case(f"no {backend.unit} are discarded", _ingested(backend, steady(0, 30)), "25m"),
        ),
    )


GRAFANA_PROBE = {"job": GRAFANA_HEALTH_JOB, "instance": "http://grafana.example/api/health"}


def _health(success: str, status: str) -> tuple[Series, ...]:
    return (
        series("probe_success", GRAFANA_PROBE, success),
        series("probe_http_status_code", GRAFANA_PROBE, status),
    )


def _grafana_database(_: Stack) -> Proof:
    return Proof(
        fires=(
            Case(
                "the health check reports the database failing",
                _health(steady(0, 15), steady(503, 15)),
                "10m",
                GRAFANA_PROBE,
            ),
        ),
        silent=(
            Case("the database is ok", _health(steady(1, 15), steady(200, 15)), "10m"),
            Case(
                "Grafana does not answer at all (TargetDown's)",
                _health(steady(0, 15), steady(0, 15)),
                "10m",
            ),
            Case(
                "a database failover shorter than 5 minutes",
                _health("1x3 0x3 1x8", "200x3 503x3 200x8"),
                "10m",
            ),
        ),
    )


PROOFS: Proofs[Stack] = {
    WATCHDOG_ALERT: _watchdog,
    OTEL_COLLECTOR_DOWN: _gateway_down,
    OTEL_AGENT_DOWN: _agent_down,
    OTEL_EXPORT_FAILING: _export_failing,
    LOKI_INGESTION: _loki,
    TEMPO_INGESTION: partial(_discarded, TEMPO),
    MIMIR_INGESTION: partial(_discarded, MIMIR),
    GRAFANA_DATABASE: _grafana_database,
}
AREAS_PROVEN_HERE = (SELFMONITORING, MIMIR_INGEST, GRAFANA_HEALTH)


def names(stack: Stack) -> set[str]:
    return {a.name for area in AREAS["observability"] for a in area(stack)}


def test_the_watchdog_is_an_always_firing_heartbeat(dev_stack: Stack) -> None:
    (watchdog,) = [a for a in SELFMONITORING(dev_stack) if a.name == WATCHDOG_ALERT]
    assert watchdog.heartbeat
    assert watchdog.expr == "vector(1)"
    assert PROOFS[WATCHDOG_ALERT](dev_stack).silent == ()


def test_only_heartbeats_lack_a_silent_case() -> None:
    stack = small_stack("prod")
    for area in AREAS_PROVEN_HERE:
        for alert, proof in area_proofs(area, PROOFS, stack):
            assert bool(proof.silent) != alert.heartbeat, alert.name


def test_mimir_ingestion_is_watched_only_where_mimir_runs() -> None:
    assert MIMIR_INGESTION not in names(small_stack("dev"))
    assert MIMIR_INGESTION in names(small_stack("prod"))


def test_grafanas_database_is_watched_only_where_grafana_has_one() -> None:
    assert GRAFANA_DATABASE not in names(small_stack("dev"))
    assert GRAFANA_DATABASE in names(small_stack("prod"))


def test_selfmonitoring_alerts_fire_and_stay_silent_in_promtool(
    promtool: str, tmp_path: Path
) -> None:
    stack = small_stack("prod")
    proven = [p for area in AREAS_PROVEN_HERE for p in area_proofs(area, PROOFS, stack)]
    assert {alert.name for alert, _ in proven} == set(PROOFS)
    prove(promtool, stack, proven, tmp_path)
