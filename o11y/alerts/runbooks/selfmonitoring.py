"""Runbooks of the alerts on the observability stack itself (o11y/alerts/selfmonitoring.py)."""

from functools import partial

from o11y.alertdef import Runbook, Runbooks, TriageQuery
from o11y.alerts.selfmonitoring import (
    GATEWAY_UP,
    GRAFANA_DATABASE,
    GRAFANA_HEALTHY,
    GRAFANA_STATUS,
    LOKI,
    LOKI_INGESTION,
    LOKI_PUSH,
    LOKI_REQUESTS,
    MAX_DISCARDED_PERCENT,
    MAX_PUSH_ERROR_PERCENT,
    MIMIR,
    MIMIR_INGESTION,
    OTEL_AGENT_DOWN,
    OTEL_COLLECTOR_DOWN,
    OTEL_EXPORT_FAILING,
    OTEL_FAILED_RATE,
    TEMPO,
    TEMPO_INGESTION,
    WINDOW,
    Backend,
    agent_unavailable,
    discarded_share,
)
from o11y.conventions import (
    LOKI_WRITE_CONTAINERS,
    OTEL_AGENT_DAEMONSET,
    OTEL_COLLECTOR_CONTAINER,
    RELEASE_GRAFANA,
    RELEASE_LOKI,
    RELEASE_OTEL_GATEWAY,
    WATCHDOG_ALERT,
    platform_logs,
)
from o11y.model.stack import Stack


def _watchdog(stack: Stack) -> Runbook:
    return Runbook(
        summary="Heartbeat of the alerting pipeline; always firing.",
        description=(
            "This alert fires all the time so that the dead man's switch receives it every "
            "repeat interval. If the switch stops hearing it, Prometheus, the rules or "
            "Alertmanager are broken."
        ),
        symptom=(
            "Nothing to do while it fires. The dead man's switch (heartbeat service) alerts when "
            "this alert stops arriving."
        ),
        impact="When the heartbeat is missing, no other alert can reach anyone.",
        triage=(
            TriageQuery(
                "Is the Watchdog firing in Prometheus?", f'ALERTS{{alertname="{WATCHDOG_ALERT}"}}'
            ),
            TriageQuery(
                "Alertmanager notifications failing, per integration",
                "sum by (integration) (rate(alertmanager_notifications_failed_total[5m]))",
            ),
            TriageQuery(
                "Prometheus rule evaluation failures",
                "sum(rate(prometheus_rule_evaluation_failures_total[5m]))",
            ),
        ),
        causes=(
            "Prometheus is down or not evaluating rules.",
            "Alertmanager is down or cannot reach the heartbeat receiver (network, URL).",
        ),
        resolution=(
            f"`kubectl -n {stack.kubernetes.namespace} get pods` for Prometheus and Alertmanager; read their logs.",
            "Check the dead-man's-switch receiver in the Alertmanager config.",
        ),
        related=("PrometheusRuleFailures", "AlertmanagerFailedToSendAlerts"),
    )


def _gateway_down(stack: Stack) -> Runbook:
    namespace = stack.kubernetes.namespace
    return Runbook(
        summary="The OpenTelemetry gateway collector is down.",
        description=(
            "No replica of the OTel gateway collector has been up for 5 minutes: traces (and "
            "OTLP metrics and logs) from every service are being lost."
        ),
        symptom="No OTel gateway collector replica is scraped as up.",
        impact="Traces and OTLP telemetry of every service are dropped; trace search shows gaps.",
        triage=(
            TriageQuery("Collector targets", GATEWAY_UP),
            TriageQuery(
                "Collector pods ready",
                f'kube_pod_status_ready{{namespace="{namespace}",condition="true",pod=~"{RELEASE_OTEL_GATEWAY}.*"}}',
            ),
            TriageQuery(
                "Collector logs",
                platform_logs(namespace, (OTEL_COLLECTOR_CONTAINER,), f"{RELEASE_OTEL_GATEWAY}-.*")
                + ' |= "error"',
                "logql",
            ),
        ),
        causes=(
            "A bad collector configuration after a deploy (the pod crash-loops).",
            "OOM kills under load (memory_limiter too high for the pod limit).",
        ),
        resolution=(
            f"`kubectl -n {namespace} logs deploy/{RELEASE_OTEL_GATEWAY} --previous`.",
            "Roll back the collector config (`pulumi up` of the previous commit) or raise its memory.",
        ),
        related=(OTEL_EXPORT_FAILING, OTEL_AGENT_DOWN),
    )


def _agent_down(stack: Stack) -> Runbook:
    namespace = stack.kubernetes.namespace
    agent_pods = f'namespace="{namespace}", pod=~"{OTEL_AGENT_DAEMONSET}-.*"'
    return Runbook(
        summary="OTel agent DaemonSet {{ $labels.daemonset }} has unavailable pods.",
        description=(
            "DaemonSet {{ $labels.namespace }}/{{ $labels.daemonset }} has had pods that are not "
            "available (crash-looping, Pending or evicted) for 10 minutes: logs of the pods on "
            "those nodes are not collected."
        ),
        symptom="The OTel agent (log collection) is not available on one or more nodes.",
        impact="Logs of the pods on those nodes are missing in Loki until the agent is back.",
        triage=(
            TriageQuery("Unavailable agents", agent_unavailable(stack)),
            TriageQuery(
                "Agent pods not running",
                f'kube_pod_status_phase{{{agent_pods}, phase=~"Pending|Failed|Unknown"}} == 1',
            ),
            TriageQuery(
                "Agent pods not ready",
                f'kube_pod_status_ready{{{agent_pods}, condition="false"}} == 1',
            ),
        ),
        causes=(
            "The agent crash-loops (config, permissions on /var/log).",
            "An agent pod is Pending: the node lacks CPU/memory for its requests, or a taint it does not tolerate.",
            "An agent pod was evicted (node memory or disk pressure).",
        ),
        resolution=(
            f"`kubectl -n {namespace} get pods -o wide | grep {OTEL_AGENT_DAEMONSET}` to find the pods and nodes.",
            # The agent does not ship its own logs (no feedback loop through Loki).
            f"`kubectl -n {namespace} logs daemonset/{OTEL_AGENT_DAEMONSET} --tail=200` for the agent's own errors.",
            f"`kubectl -n {namespace} describe pod <pod>` (events: scheduling, eviction) and read `--previous` logs; fix and roll out.",
        ),
        related=(OTEL_COLLECTOR_DOWN,),
    )


def _export_failing(_: Stack) -> Runbook:
    return Runbook(
        summary="OTel collector {{ $labels.job }} drops data in exporter {{ $labels.exporter }}.",
        description=(
            "Exporter {{ $labels.exporter }} of {{ $labels.job }} has failed to send or enqueue "
            "spans, metric points or log records for 10 minutes; that data is lost."
        ),
        symptom="A collector exporter gives up on data (send failed after retries, or queue full).",
        impact="Telemetry is lost between the collector and its backend (Tempo, Loki, Prometheus/Mimir).",
        triage=(
            TriageQuery("Failed items per exporter", OTEL_FAILED_RATE),
            TriageQuery(
                "Exporter queue fill",
                "max by (job, exporter) (otelcol_exporter_queue_size / otelcol_exporter_queue_capacity)",
            ),
        ),
        causes=(
            "The backend is down or refuses data (see LokiIngestionErrors, TempoIngestionErrors).",
            "The backend is slower than the incoming volume: the sending queue fills up.",
        ),
        resolution=("Fix the backend first; then scale the gateway or raise its queue size.",),
        related=(OTEL_COLLECTOR_DOWN, LOKI_INGESTION, TEMPO_INGESTION),
    )


def _loki(stack: Stack) -> Runbook:
    return Runbook(
        summary="Loki refuses or fails to ingest logs.",
        description=(
            f"For 15 minutes Loki has discarded more than {MAX_DISCARDED_PERCENT}% of received "
            f"log lines, or answered more than {MAX_PUSH_ERROR_PERCENT}% of pushes with 5xx."
        ),
        symptom="Log lines are dropped at ingestion (limits) or pushes fail.",
        impact="Logs are missing in Grafana; investigations and log-based alerts miss evidence.",
        triage=(
            TriageQuery(
                "Discarded lines by reason and tenant",
                f"sum by (reason, tenant) (rate({LOKI.discarded}[{WINDOW}]))",
            ),
            TriageQuery(
                "Push requests by status",
                f"sum by (status_code) (rate({LOKI_REQUESTS}{{{LOKI_PUSH}}}[5m]))",
            ),
            TriageQuery(
                "Loki errors",
                platform_logs(
                    stack.kubernetes.namespace, LOKI_WRITE_CONTAINERS, f"{RELEASE_LOKI}-.*"
                )
                + ' |= "level=error"',
                "logql",
            ),
        ),
        causes=(
            "Per-tenant rate or stream limits reached (reason rate_limited, stream_limit).",
            "Lines too old or too long (a backfill, a multi-line stack trace).",
            "Ingesters unhealthy or object storage failing.",
        ),
        resolution=(
            "Raise the tenant's limits in the Loki values if the volume is legitimate; else find the noisy stream.",
            "Check ingester pods and object storage access.",
        ),
        related=(OTEL_EXPORT_FAILING,),
    )


def _discarded(backend: Backend, _: Stack) -> Runbook:
    name, unit = backend.name, backend.unit
    return Runbook(
        summary=f"{name} discards more than {MAX_DISCARDED_PERCENT}% of received {unit}.",
        description=(
            f"For 15 minutes {name} has refused more than {MAX_DISCARDED_PERCENT}% of the "
            f"{unit} it received ({backend.discarded} / {backend.received})."
        ),
        symptom=f"{name} drops {unit} at ingestion.",
        impact=f"{unit.capitalize()} are missing in Grafana for the affected tenants.",
        triage=(
            TriageQuery(
                f"Discarded {unit} by reason and tenant",
                f"sum by (reason, tenant, user) (rate({backend.discarded}[{WINDOW}]))",
            ),
            TriageQuery("Share discarded", discarded_share(backend)),
        ),
        causes=(
            "Per-tenant ingestion limits reached (rate, series, trace size).",
            f"{name} ingesters unhealthy or object storage failing.",
        ),
        resolution=(
            f"Raise the tenant's limits in the {name} values if the volume is legitimate; else find the noisy source.",
            "Check ingester pods and object storage access.",
        ),
        related=(OTEL_EXPORT_FAILING,),
    )


def _grafana_database(stack: Stack) -> Runbook:
    namespace = stack.kubernetes.namespace
    return Runbook(
        summary="Grafana cannot use its database.",
        description=(
            "Grafana answers but its health check has reported its database "
            "(platform.grafana_database) as failing for 5 minutes: sign-ins, dashboards and "
            "their provisioning fail on every replica."
        ),
        symptom='Grafana\'s /api/health answers without `"database": "ok"` (HTTP 503).',
        impact=(
            "Nobody can sign in or open a dashboard; the Grafana provider cannot update "
            "dashboards. Alerts still page: they run in Prometheus and Alertmanager."
        ),
        triage=(
            TriageQuery("Probe of Grafana's health (1 = healthy)", GRAFANA_HEALTHY),
            TriageQuery("HTTP status of the health check (503: database failing)", GRAFANA_STATUS),
            TriageQuery(
                "Grafana's database errors",
                platform_logs(namespace, ("grafana",), f"{RELEASE_GRAFANA}-.*")
                + ' |~ "(?i)database|postgres|sql"',
                "logql",
            ),
        ),
        causes=(
            "The PostgreSQL server is down, failing over or out of connections.",
            "The password in secrets.grafana_db_password no longer matches the database user.",
            "A network change blocks Grafana's way to the database (the grafana-egress "
            "NetworkPolicy allows the database port only).",
            "TLS: the server stopped offering the sslmode the stack asks for.",
        ),
        resolution=(
            f"`kubectl -n {namespace} logs deploy/{RELEASE_GRAFANA} -c grafana --tail=100` "
            "for the database error.",
            "From a pod in the namespace, check the database answers at the host and port of "
            "platform.grafana_database (e.g. `pg_isready -h <host> -p <port>`).",
            "After changing the password in the database, set secrets.grafana_db_password and "
            f"`pulumi up`, then `kubectl -n {namespace} rollout restart deploy/{RELEASE_GRAFANA}`.",
        ),
        related=("TargetDown",),
    )


RUNBOOKS: Runbooks[Stack] = {
    WATCHDOG_ALERT: _watchdog,
    OTEL_COLLECTOR_DOWN: _gateway_down,
    OTEL_AGENT_DOWN: _agent_down,
    OTEL_EXPORT_FAILING: _export_failing,
    LOKI_INGESTION: _loki,
    TEMPO_INGESTION: partial(_discarded, TEMPO),
    MIMIR_INGESTION: partial(_discarded, MIMIR),
    GRAFANA_DATABASE: _grafana_database,
}
