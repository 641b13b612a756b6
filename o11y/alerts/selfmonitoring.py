"""Alerts on the observability stack itself: the Watchdog heartbeat, the OTel collectors,
ingestion into Loki, Tempo and (where it runs) Mimir, and Grafana's external database.

Three tables: what every stack gets (`ALERTS`), Mimir's ingestion (`MIMIR_ALERTS`, where the
stack runs Mimir) and Grafana's database (`GRAFANA_DATABASE_ALERTS`, where Grafana has one).
The distributed Tempo's own alerts are in o11y/alerts/tempo_ingest.py; o11y/alerts/areas.py
puts them all in one rule group. Runbooks: o11y/alerts/runbooks/selfmonitoring.py.

kube-prometheus-stack already ships PrometheusRuleFailures, TargetDown,
AlertmanagerFailedToSendAlerts and PrometheusRemoteStorageFailures; they are reused, not
copied (o11y/rules.py). Its own `Watchdog` is disabled in favour of ours, which carries the
platform team and a runbook.
"""

from dataclasses import dataclass
from functools import partial

from o11y.alertdef import AlertSpec, Owner
from o11y.conventions import (
    GRAFANA_HEALTH_JOB,
    OTEL_AGENT_DAEMONSET,
    RELEASE_OTEL_GATEWAY,
    WATCHDOG_ALERT,
    release_job_selector,
)
from o11y.model.stack import Stack
from o11y.promql import percent_of, selector, sum_rate
from o11y.severity import Priority

OTEL_COLLECTOR_DOWN = "OTelCollectorDown"
OTEL_AGENT_DOWN = "OTelAgentDown"
OTEL_EXPORT_FAILING = "OTelCollectorExportFailing"
LOKI_INGESTION = "LokiIngestionErrors"
TEMPO_INGESTION = "TempoIngestionErrors"
MIMIR_INGESTION = "MimirIngestionErrors"
GRAFANA_DATABASE = "GrafanaDatabaseUnreachable"

GROUP = "observability"
WINDOW = "5m"
# Share of received samples/lines/spans a backend may refuse (limits, too old, too large)
# before someone looks: a lasting 1% means whole streams or tenants are being dropped.
MAX_DISCARDED_PERCENT = 1
MAX_PUSH_ERROR_PERCENT = 5
# Collector internal metrics: counters gained the `_total` suffix when the collector moved to
# the OTel Go SDK's Prometheus exporter; the regex accepts both names.
OTEL_FAILED = '{__name__=~"otelcol_exporter_(send|enqueue)_failed_(spans|metric_points|log_records)(_total)?"}'
OTEL_FAILED_RATE = f"sum by (job, exporter) (rate({OTEL_FAILED}[{WINDOW}]))"

GATEWAY_UP = selector("up", release_job_selector(RELEASE_OTEL_GATEWAY))
GATEWAY_LABELS = {"collector": RELEASE_OTEL_GATEWAY}

LOKI_PUSH = 'route=~"loki_api_v1_push|api_prom_push|otlp_v1_logs"'
LOKI_REQUESTS = "loki_request_duration_seconds_count"

# Grafana's health from the blackbox probe of its /api/health (o11y/monitors.py), which fails
# unless the body says `"database": "ok"`. Grafana answers 503 when its database check fails;
# a Grafana that does not answer at all (status 0) is TargetDown's, not this area's.
GRAFANA_HEALTHY = f'probe_success{{job="{GRAFANA_HEALTH_JOB}"}}'
GRAFANA_STATUS = f'probe_http_status_code{{job="{GRAFANA_HEALTH_JOB}"}}'


@dataclass(frozen=True)
class Backend:
    """A telemetry backend's counters of the items (lines, spans, samples) it received and
    refused."""

    name: str
    discarded: str
    received: str
    unit: str


LOKI = Backend(
    "Loki", "loki_discarded_samples_total", "loki_distributor_lines_received_total", "lines"
)
TEMPO = Backend(
    "Tempo", "tempo_discarded_spans_total", "tempo_distributor_spans_received_total", "spans"
)
MIMIR = Backend(
    "Mimir",
    "cortex_discarded_samples_total",
    "cortex_distributor_received_samples_total",
    "samples",
)


def discarded_share(backend: Backend) -> str:
    """Percent of the received items a backend refused."""
    return percent_of(
        sum_rate(backend.discarded, WINDOW, ()), sum_rate(backend.received, WINDOW, ())
    )


def _discarding(backend: Backend, _: Stack) -> str:
    return f"{discarded_share(backend)} > {MAX_DISCARDED_PERCENT}"


def agent_unavailable(stack: Stack) -> str:
    """Unavailable pods of the agent DaemonSet, from kube-state-metrics, not `up`: an evicted
    or Pending agent pod has no scrape target, so its `up` series vanishes instead of turning 0."""
    daemonset = f'daemonset="{OTEL_AGENT_DAEMONSET}", namespace="{stack.kubernetes.namespace}"'
    return f"kube_daemonset_status_number_unavailable{{{daemonset}}}"


LOKI_PUSH_ERRORS = percent_of(
    sum_rate(selector(LOKI_REQUESTS, LOKI_PUSH, 'status_code=~"5.."'), WINDOW, ()),
    sum_rate(selector(LOKI_REQUESTS, LOKI_PUSH), WINDOW, ()),
)

ALERTS: tuple[AlertSpec[Stack], ...] = (
    AlertSpec(
        WATCHDOG_ALERT, expr=lambda _: "vector(1)", for_="0s", priority=Priority.P3, heartbeat=True
    ),
    AlertSpec(
        OTEL_COLLECTOR_DOWN,
        expr=lambda _: f"sum({GATEWAY_UP}) == 0 or absent({GATEWAY_UP})",
        for_="5m",
        priority=Priority.P1,
        labels=lambda _: dict(GATEWAY_LABELS),
    ),
    AlertSpec(
        OTEL_AGENT_DOWN,
        # `max by` keeps one series whichever kube-state-metrics pod reports it.
        expr=lambda stack: f"max by (namespace, daemonset) ({agent_unavailable(stack)}) > 0",
        for_="10m",
        priority=Priority.P2,
    ),
    AlertSpec(
        OTEL_EXPORT_FAILING,
        expr=lambda _: f"{OTEL_FAILED_RATE} > 0",
        for_="10m",
        priority=Priority.P2,
    ),
    AlertSpec(
        LOKI_INGESTION,
        expr=lambda _: (
            f"({discarded_share(LOKI)} > {MAX_DISCARDED_PERCENT}) "
            f"or ({LOKI_PUSH_ERRORS} > {MAX_PUSH_ERROR_PERCENT})"
        ),
        for_="15m",
        priority=Priority.P2,
    ),
    AlertSpec(TEMPO_INGESTION, expr=partial(_discarding, TEMPO), for_="15m", priority=Priority.P2),
)
MIMIR_ALERTS: tuple[AlertSpec[Stack], ...] = (
    AlertSpec(MIMIR_INGESTION, expr=partial(_discarding, MIMIR), for_="15m", priority=Priority.P2),
)
GRAFANA_DATABASE_ALERTS: tuple[AlertSpec[Stack], ...] = (
    AlertSpec(
        GRAFANA_DATABASE,
        expr=lambda _: f"({GRAFANA_HEALTHY} == 0) and ({GRAFANA_STATUS} > 0)",
        for_="5m",
        priority=Priority.P2,
    ),
)


def subjects(stack: Stack) -> list[tuple[Stack, Owner]]:
    """The area watches the stack's own backends; the platform team owns it."""
    return [(stack, Owner(GROUP, stack.alerting.platform_team))]


def mimir_subjects(stack: Stack) -> list[tuple[Stack, Owner]]:
    """The stack, where it runs Mimir."""
    return subjects(stack) if stack.platform.mimir else []


def grafana_database_subjects(stack: Stack) -> list[tuple[Stack, Owner]]:
    """The stack, where Grafana keeps its state in an external database."""
    return subjects(stack) if stack.platform.grafana_database is not None else []
