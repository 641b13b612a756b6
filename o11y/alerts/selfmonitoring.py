"""Alerts on the observability stack itself: the Watchdog heartbeat, the OTel collectors,
ingestion into Loki, Tempo and (in prod) Mimir, and Grafana's external database.

kube-prometheus-stack already ships PrometheusRuleFailures, TargetDown,
AlertmanagerFailedToSendAlerts and PrometheusRemoteStorageFailures; they are reused, not
copied (o11y/rules.py). Its own `Watchdog` is disabled in favour of ours, which carries the
platform team and a runbook.
"""

from o11y.alertdef import AlertDefinition, TriageQuery
from o11y.alerts.scenario import Case, ProvenAlert, Series, counting, series, steady
from o11y.alerts.tempo_ingest import tempo_ingest_alerts
from o11y.conventions import (
    GRAFANA_HEALTH_JOB,
    LOKI_WRITE_CONTAINERS,
    OTEL_AGENT_DAEMONSET,
    OTEL_COLLECTOR_CONTAINER,
    RELEASE_GRAFANA,
    RELEASE_LOKI,
    RELEASE_OTEL_GATEWAY,
    WATCHDOG_ALERT,
    platform_logs,
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


def selfmonitoring_alerts(stack: Stack) -> list[ProvenAlert]:
    result = [
        _watchdog(stack),
        _gateway_down(stack),
        _agent_down(stack),
        _export_failing(stack),
        _loki(stack),
        _discarded(
            stack,
            TEMPO_INGESTION,
            "Tempo",
            "tempo_discarded_spans_total",
            "tempo_distributor_spans_received_total",
            "spans",
        ),
    ]
    # The distributed Tempo's components and Kafka ingest path (production profile).
    result += tempo_ingest_alerts(stack)
    if stack.platform.mimir:
        result.append(
            _discarded(
                stack,
                MIMIR_INGESTION,
                "Mimir",
                "cortex_discarded_samples_total",
                "cortex_distributor_received_samples_total",
                "samples",
            )
        )
    if stack.platform.grafana_database is not None:
        result.append(_grafana_database(stack))
    return result


def _watchdog(stack: Stack) -> ProvenAlert:
    definition = AlertDefinition(
        name=WATCHDOG_ALERT,
        group=GROUP,
        expr="vector(1)",
        for_="0s",
        priority=Priority.P3,
        team=stack.alerting.platform_team,
        heartbeat=True,
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
    return ProvenAlert(definition, fires=lambda: (Case("always", (), "1m"),), silent=lambda: ())


def _gateway_down(stack: Stack) -> ProvenAlert:
    up = selector("up", release_job_selector(RELEASE_OTEL_GATEWAY))
    labels = {"collector": RELEASE_OTEL_GATEWAY}
    definition = AlertDefinition(
        name=OTEL_COLLECTOR_DOWN,
        group=GROUP,
        expr=f"sum({up}) == 0 or absent({up})",
        for_="5m",
        priority=Priority.P1,
        team=stack.alerting.platform_team,
        labels=labels,
        summary="The OpenTelemetry gateway collector is down.",
        description=(
            "No replica of the OTel gateway collector has been up for 5 minutes: traces (and "
            "OTLP metrics and logs) from every service are being lost."
        ),
        symptom="No OTel gateway collector replica is scraped as up.",
        impact="Traces and OTLP telemetry of every service are dropped; trace search shows gaps.",
        triage=(
            TriageQuery("Collector targets", up),
            TriageQuery(
                "Collector pods ready",
                f'kube_pod_status_ready{{namespace="{stack.kubernetes.namespace}",condition="true",pod=~"{RELEASE_OTEL_GATEWAY}.*"}}',
            ),
            TriageQuery(
                "Collector logs",
                platform_logs(
                    stack.kubernetes.namespace,
                    (OTEL_COLLECTOR_CONTAINER,),
                    f"{RELEASE_OTEL_GATEWAY}-.*",
                )
                + ' |= "error"',
                "logql",
            ),
        ),
        causes=(
            "A bad collector configuration after a deploy (the pod crash-loops).",
            "OOM kills under load (memory_limiter too high for the pod limit).",
        ),
        resolution=(
            f"`kubectl -n {stack.kubernetes.namespace} logs deploy/{RELEASE_OTEL_GATEWAY} --previous`.",
            "Roll back the collector config (`pulumi up` of the previous commit) or raise its memory.",
        ),
        related=(OTEL_EXPORT_FAILING, OTEL_AGENT_DOWN),
    )
    target = {"job": RELEASE_OTEL_GATEWAY, "instance": "10.0.0.5:8888"}
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case("every replica is down", (series("up", target, steady(0, 15)),), "10m", labels),
            Case("the collector is not scraped", (), "10m", labels),
        ),
        silent=lambda: (Case("a replica is up", (series("up", target, steady(1, 15)),), "10m"),),
    )


def _agent_down(stack: Stack) -> ProvenAlert:
    """From kube-state-metrics, not `up`: an evicted or Pending agent pod has no scrape target,
    so its `up` series vanishes instead of turning 0."""
    namespace = stack.kubernetes.namespace
    daemonset = f'daemonset="{OTEL_AGENT_DAEMONSET}", namespace="{namespace}"'
    unavailable = f"kube_daemonset_status_number_unavailable{{{daemonset}}}"
    agent_pods = f'namespace="{namespace}", pod=~"{OTEL_AGENT_DAEMONSET}-.*"'
    definition = AlertDefinition(
        name=OTEL_AGENT_DOWN,
        group=GROUP,
        # `max by` keeps one series whichever kube-state-metrics pod reports it.
        expr=f"max by (namespace, daemonset) ({unavailable}) > 0",
        for_="10m",
        priority=Priority.P2,
        team=stack.alerting.platform_team,
        summary="OTel agent DaemonSet {{ $labels.daemonset }} has unavailable pods.",
        description=(
            "DaemonSet {{ $labels.namespace }}/{{ $labels.daemonset }} has had pods that are not "
            "available (crash-looping, Pending or evicted) for 10 minutes: logs of the pods on "
            "those nodes are not collected."
        ),
        symptom="The OTel agent (log collection) is not available on one or more nodes.",
        impact="Logs of the pods on those nodes are missing in Loki until the agent is back.",
        triage=(
            TriageQuery("Unavailable agents", unavailable),
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
    target = {
        "job": "kube-state-metrics",
        "namespace": namespace,
        "daemonset": OTEL_AGENT_DAEMONSET,
        "instance": "10.0.0.7:8080",
        "pod": "kube-prometheus-stack-kube-state-metrics-abcde",
    }
    other = {**target, "daemonset": "node-exporter"}
    metric = "kube_daemonset_status_number_unavailable"
    labels = {"namespace": namespace, "daemonset": OTEL_AGENT_DAEMONSET}
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                "an agent pod is unavailable (Pending or evicted pods have no `up`)",
                (series(metric, target, steady(1, 20)),),
                "15m",
                labels,
            ),
        ),
        silent=lambda: (
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


def _export_failing(stack: Stack) -> ProvenAlert:
    definition = AlertDefinition(
        name=OTEL_EXPORT_FAILING,
        group=GROUP,
        expr=f"sum by (job, exporter) (rate({OTEL_FAILED}[{WINDOW}])) > 0",
        for_="10m",
        priority=Priority.P2,
        team=stack.alerting.platform_team,
        summary="OTel collector {{ $labels.job }} drops data in exporter {{ $labels.exporter }}.",
        description=(
            "Exporter {{ $labels.exporter }} of {{ $labels.job }} has failed to send or enqueue "
            "spans, metric points or log records for 10 minutes; that data is lost."
        ),
        symptom="A collector exporter gives up on data (send failed after retries, or queue full).",
        impact="Telemetry is lost between the collector and its backend (Tempo, Loki, Prometheus/Mimir).",
        triage=(
            TriageQuery(
                "Failed items per exporter",
                f"sum by (job, exporter) (rate({OTEL_FAILED}[{WINDOW}]))",
            ),
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
    labels = {"job": RELEASE_OTEL_GATEWAY, "exporter": "otlp/tempo"}
    failing = {**labels, "instance": "10.0.0.5:8888"}
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                "spans are dropped",
                (series("otelcol_exporter_send_failed_spans_total", failing, counting(60, 20)),),
                "15m",
                labels,
            ),
        ),
        silent=lambda: (
            Case(
                "nothing is dropped",
                (series("otelcol_exporter_send_failed_spans_total", failing, steady(4, 20)),),
                "15m",
            ),
        ),
    )


def _loki(stack: Stack) -> ProvenAlert:
    lines_discarded = "loki_discarded_samples_total"
    lines_received = "loki_distributor_lines_received_total"
    discarded = _discarded_share(lines_discarded, lines_received)
    push = 'route=~"loki_api_v1_push|api_prom_push|otlp_v1_logs"'
    push_errors = percent_of(
        sum_rate(
            selector("loki_request_duration_seconds_count", push, 'status_code=~"5.."'), WINDOW, ()
        ),
        sum_rate(selector("loki_request_duration_seconds_count", push), WINDOW, ()),
    )
    definition = AlertDefinition(
        name=LOKI_INGESTION,
        group=GROUP,
        expr=f"({discarded} > {MAX_DISCARDED_PERCENT}) or ({push_errors} > {MAX_PUSH_ERROR_PERCENT})",
        for_="15m",
        priority=Priority.P2,
        team=stack.alerting.platform_team,
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
                "sum by (reason, tenant) (rate(loki_discarded_samples_total[5m]))",
            ),
            TriageQuery(
                "Push requests by status",
                f"sum by (status_code) (rate(loki_request_duration_seconds_count{{{push}}}[5m]))",
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
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                "5% of lines are discarded",
                _ingested(lines_discarded, lines_received, counting(30, 30)),
                "25m",
            ),
            Case(
                "10% of pushes fail",
                (
                    series(
                        "loki_request_duration_seconds_count",
                        {"route": "loki_api_v1_push", "status_code": "500"},
                        counting(6, 30),
                    ),
                    series(
                        "loki_request_duration_seconds_count",
                        {"route": "loki_api_v1_push", "status_code": "204"},
                        counting(54, 30),
                    ),
                ),
                "25m",
            ),
        ),
        silent=lambda: (
            Case(
                "nothing is discarded and pushes succeed",
                (
                    *_ingested(lines_discarded, lines_received, steady(0, 30)),
                    series(
                        "loki_request_duration_seconds_count",
                        {"route": "loki_api_v1_push", "status_code": "204"},
                        counting(60, 30),
                    ),
                ),
                "25m",
            ),
        ),
    )


def _discarded(
    stack: Stack, name: str, backend: str, discarded: str, received: str, unit: str
) -> ProvenAlert:
    share = _discarded_share(discarded, received)
    definition = AlertDefinition(
        name=name,
        group=GROUP,
        expr=f"{share} > {MAX_DISCARDED_PERCENT}",
        for_="15m",
        priority=Priority.P2,
        team=stack.alerting.platform_team,
        summary=f"{backend} discards more than {MAX_DISCARDED_PERCENT}% of received {unit}.",
        description=(
            f"For 15 minutes {backend} has refused more than {MAX_DISCARDED_PERCENT}% of the "
            f"{unit} it received ({discarded} / {received})."
        ),
        symptom=f"{backend} drops {unit} at ingestion.",
        impact=f"{unit.capitalize()} are missing in Grafana for the affected tenants.",
        triage=(
            TriageQuery(
                f"Discarded {unit} by reason and tenant",
                f"sum by (reason, tenant, user) (rate({discarded}[{WINDOW}]))",
            ),
            TriageQuery("Share discarded", share),
        ),
        causes=(
            "Per-tenant ingestion limits reached (rate, series, trace size).",
            f"{backend} ingesters unhealthy or object storage failing.",
        ),
        resolution=(
            f"Raise the tenant's limits in the {backend} values if the volume is legitimate; else find the noisy source.",
            "Check ingester pods and object storage access.",
        ),
        related=(OTEL_EXPORT_FAILING,),
    )
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                f"5% of {unit} are discarded",
                _ingested(discarded, received, counting(30, 30)),
                "25m",
            ),
        ),
        silent=lambda: (
            Case(f"no {unit} are discarded", _ingested(discarded, received, steady(0, 30)), "25m"),
        ),
    )


def _discarded_share(discarded: str, received: str) -> str:
    """Percent of the received items (lines, spans, samples) a backend refused."""
    return percent_of(sum_rate(discarded, WINDOW, ()), sum_rate(received, WINDOW, ()))


def _ingested(discarded: str, received: str, discarded_values: str) -> tuple[Series, ...]:
    """The default tenant sends 600 items a minute; `discarded_values` of them are refused."""
    tenant = {"tenant": "default"}
    return (
        series(discarded, {**tenant, "reason": "rate_limited"}, discarded_values),
        series(received, tenant, counting(600, 30)),
    )


def _grafana_database(stack: Stack) -> ProvenAlert:
    """From the blackbox probe of Grafana's /api/health (o11y/monitors.py), which fails
    unless the body says `"database": "ok"`. Grafana answers 503 when its database check fails;
    a Grafana that does not answer at all (status 0) is TargetDown's, not this alert's."""
    namespace = stack.kubernetes.namespace
    job = f'job="{GRAFANA_HEALTH_JOB}"'
    success = f"probe_success{{{job}}}"
    status = f"probe_http_status_code{{{job}}}"
    definition = AlertDefinition(
        name=GRAFANA_DATABASE,
        group=GROUP,
        expr=f"({success} == 0) and ({status} > 0)",
        for_="5m",
        priority=Priority.P2,
        team=stack.alerting.platform_team,
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
            TriageQuery("Probe of Grafana's health (1 = healthy)", success),
            TriageQuery("HTTP status of the health check (503: database failing)", status),
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
    target = {"job": GRAFANA_HEALTH_JOB, "instance": "http://grafana.example/api/health"}
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                "the health check reports the database failing",
                (
                    series("probe_success", target, steady(0, 15)),
                    series("probe_http_status_code", target, steady(503, 15)),
                ),
                "10m",
                target,
            ),
        ),
        silent=lambda: (
            Case(
                "the database is ok",
                (
                    series("probe_success", target, steady(1, 15)),
                    series("probe_http_status_code", target, steady(200, 15)),
                ),
                "10m",
            ),
            Case(
                "Grafana does not answer at all (TargetDown's)",
                (
                    series("probe_success", target, steady(0, 15)),
                    series("probe_http_status_code", target, steady(0, 15)),
                ),
                "10m",
            ),
            Case(
                "a database failover shorter than 5 minutes",
                (
                    series("probe_success", target, "1x3 0x3 1x8"),
                    series("probe_http_status_code", target, "200x3 503x3 200x8"),
                ),
                "10m",
            ),
        ),
    )
