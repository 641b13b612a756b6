"""Runbooks of the per-service and per-endpoint alerts (o11y/alerts/service.py)."""

from functools import partial

from o11y.alertdef import Runbook, Runbooks, TriageQuery
from o11y.alerts.service import (
    BUDGET_FOR,
    CARDINALITY_HIGH,
    DROP_BASELINE,
    DROP_FACTOR,
    ENDPOINT_BUDGET,
    ERROR_PAGE,
    ERROR_RATE_CRITICAL,
    ERROR_RATE_HIGH,
    ERROR_TICKET,
    LATENCY_P95_HIGH,
    LATENCY_P99_HIGH,
    LATENCY_PAGE,
    LATENCY_TICKET,
    PROBE_FAILING,
    REQUEST_RATE_DROP,
    SERVICE_DOWN,
    WINDOW,
    BudgetSubject,
    ErrorRateLevel,
    LatencyLevel,
    ServiceSubject,
    duration_buckets,
    error_percent,
    probe_success,
    request_rate,
    request_rate_before,
    requests,
)
from o11y.conventions import (
    HTTP_CODE_LABEL,
    ROUTE_LABEL,
    container_selector,
    log_stream_selector,
    service_scrape_selector,
    service_selector,
)
from o11y.model.catalog import Service
from o11y.promql import quantile


def _by_status(service: Service) -> TriageQuery:
    return TriageQuery(
        "Request rate by status code",
        f"sum by ({HTTP_CODE_LABEL}) (rate({requests(service)}[{WINDOW}]))",
    )


def _error_logs(service: Service) -> TriageQuery:
    return TriageQuery(
        "Error logs of the service (last 15 minutes in Grafana Explore)",
        f'{log_stream_selector(service.name)} | json | level=~"error|fatal"',
        "logql",
    )


def _restarts(service: Service) -> TriageQuery:
    return TriageQuery(
        "Restarts of the service's containers in the last 30 minutes, per pod",
        f"sum by (pod) (increase(kube_pod_container_status_restarts_total"
        f"{{{container_selector(service.namespace, service.name)}}}[30m])) > 0",
    )


def _common_triage(service: Service) -> tuple[TriageQuery, ...]:
    return (_by_status(service), _error_logs(service), _restarts(service))


def _slow_traces(service: Service, seconds: float) -> TriageQuery:
    return TriageQuery(
        "Slow traces of the service (Tempo)",
        f'{{ resource.service.name = "{service.name}" && duration > {seconds:g}s }}',
        "traceql",
    )


def _rollback(service: Service) -> str:
    return (
        "Roll back a bad release: "
        f"`kubectl -n {service.namespace} rollout undo deployment/{service.name}`."
    )


def _down(s: ServiceSubject) -> Runbook:
    service = s.service
    return Runbook(
        summary=f"{service.display_name} is down: no metrics target is up.",
        description=(
            f"Prometheus has not scraped any healthy {service.name} pod for 2 minutes "
            f"(namespace {service.namespace}, port {service.port_name}, {service.metrics_path})."
        ),
        symptom="Every scrape target of the service is down, or the service has no target at all.",
        impact=(
            "The service is most likely not serving requests; every feature behind it fails. "
            "Its other alerts (errors, latency, probe) are inhibited while this one fires."
        ),
        triage=(
            TriageQuery(
                "Targets of the service and their state",
                f"up{{{service_scrape_selector(service.name)}}}",
            ),
            TriageQuery(
                "Readiness of the service's containers, per pod (0: not ready; no result: no pod)",
                f"sum by (pod) (kube_pod_container_status_ready"
                f"{{{container_selector(service.namespace, service.name)}}})",
            ),
            _error_logs(service),
            _restarts(service),
        ),
        causes=(
            "A deployment rolled out pods that crash or fail readiness (check `kubectl rollout history`).",
            "Pods evicted or unschedulable (node pressure, quota, missing image).",
            "The ServiceMonitor no longer matches the Service (labels, port name renamed).",
            "A NetworkPolicy blocks Prometheus from the service's metrics port.",
        ),
        resolution=(
            f"`kubectl -n {service.namespace} get pods -l "
            f"{','.join(f'{k}={v}' for k, v in sorted(service.pod_selector.items()))}` and "
            "`kubectl describe` the failing pod; read its last logs with `--previous`.",
            _rollback(service),
            "If pods are healthy but not scraped, compare the ServiceMonitor selector and port with the Service.",
        ),
        related=(PROBE_FAILING, "KubePodCrashLooping", "KubeDeploymentReplicasMismatch"),
    )


def _probe(s: ServiceSubject) -> Runbook:
    service = s.service
    return Runbook(
        summary=f"{service.display_name} health check {service.health_path} is failing.",
        description=(
            f"The blackbox probe of {service.name}{service.health_path} has failed for 2 minutes "
            "(non-2xx answer, timeout or connection refused)."
        ),
        symptom=f"The synthetic health check of the service ({service.health_path}) fails.",
        impact="Users reaching the service through its Kubernetes Service likely get errors or timeouts.",
        triage=(
            TriageQuery(
                "Probe result and duration",
                f"{probe_success(service)} or "
                f"probe_duration_seconds{{{service_selector(service.name)}}}",
            ),
            TriageQuery(
                "HTTP status the probe got",
                f"probe_http_status_code{{{service_selector(service.name)}}}",
            ),
            *_common_triage(service),
        ),
        causes=(
            "The health endpoint reports a failed dependency (database, cache, partner API).",
            "Pods are up but not ready; the Service has no endpoints.",
            "The service is overloaded and the probe times out.",
        ),
        resolution=(
            f"Call the endpoint yourself: `kubectl -n {service.namespace} run probe --rm -it "
            f"--image=curlimages/curl -- curl -sv http://{service.name}:{service.port}{service.health_path}`.",
            "Fix or fail over the dependency the health check names; restart pods only if they are wedged.",
        ),
        related=(SERVICE_DOWN, ERROR_RATE_CRITICAL),
    )


def _error_rate(s: ServiceSubject, level: ErrorRateLevel, verdict: str, other: str) -> Runbook:
    service = s.service
    threshold = level.percent(service)
    return Runbook(
        summary=(
            f"{service.display_name} answers more than {threshold:g}% of requests with 5xx "
            f"(over {WINDOW}, for {level.for_}): {verdict}"
        ),
        description=(
            f"More than {threshold:g}% of {service.name}'s requests failed with a 5xx status over "
            f"the last {WINDOW}, for {level.for_} (only while it serves more than "
            f"{s.stack.alerting.low_traffic_rps:g} req/s)."
        ),
        symptom="The share of 5xx responses is above the service's threshold.",
        impact=(
            "Users see failures on the routes listed by the first query. Above the page threshold "
            "the service counts as down for its users (P0)."
        ),
        triage=(
            TriageQuery(
                "5xx share per route (which endpoints fail)",
                error_percent(service, (ROUTE_LABEL,)),
            ),
            *_common_triage(service),
        ),
        causes=(
            "A recent deployment (compare the start of the errors with the rollout time).",
            "A failing dependency: check its alerts (database, cache, Kafka, partner APIs).",
            "Resource exhaustion: CPU throttling, OOM kills, connection pool exhaustion.",
        ),
        resolution=(
            _rollback(service),
            "If a dependency fails, follow that dependency's runbook; shed load or scale out if saturated.",
        ),
        related=(SERVICE_DOWN, other),
    )


def _latency(s: ServiceSubject, level: LatencyLevel, other: str) -> Runbook:
    service = s.service
    threshold = level.seconds(service)
    containers = container_selector(service.namespace, service.name)
    return Runbook(
        summary=f"{service.display_name} {level.label} latency is above {threshold:g}s.",
        description=(
            f"The {level.label} of {service.name}'s request duration over {WINDOW} has been above "
            f"{threshold:g}s for 5 minutes."
        ),
        symptom=f"Requests are slow: the service-wide {level.label} latency is above its budget.",
        impact="Users wait; clients may time out and retry, which adds more load.",
        triage=(
            TriageQuery(
                f"{level.label} latency per route (which endpoints are slow)",
                quantile(level.q, duration_buckets(service), WINDOW, (ROUTE_LABEL,)),
            ),
            TriageQuery(
                "CPU throttling of the service's containers",
                f"sum by (pod) (rate(container_cpu_cfs_throttled_periods_total{{{containers}}}[{WINDOW}])) "
                f"/ sum by (pod) (rate(container_cpu_cfs_periods_total{{{containers}}}[{WINDOW}]))",
            ),
            *_common_triage(service),
            _slow_traces(service, threshold),
        ),
        causes=(
            "A slow dependency (database queries, partner API, cache misses): open a slow trace.",
            "CPU throttling or too few replicas for the traffic.",
            "A recent deployment with a slower code path.",
        ),
        resolution=(
            f"Scale out: `kubectl -n {service.namespace} scale deployment/{service.name} --replicas=<n>` "
            "(or raise the HPA maximum).",
            "Roll back a slow release; fix or fail over the slow dependency.",
        ),
        related=(other, ENDPOINT_BUDGET),
    )


def _request_rate_drop(s: ServiceSubject) -> Runbook:
    service = s.service
    return Runbook(
        summary=f"{service.display_name} traffic dropped by more than {100 * (1 - DROP_FACTOR):g}%.",
        description=(
            f"{service.name} receives less than {DROP_FACTOR:.0%} of the requests per second it "
            f"received in the {DROP_BASELINE} before, for 2 minutes."
        ),
        symptom="Requests stopped arriving: the request rate fell by more than half within minutes.",
        impact=(
            "Users may not reach the service at all (DNS, ingress, an upstream caller broken); "
            "errors do not show up in the service's own metrics because requests never arrive."
        ),
        triage=(
            TriageQuery(
                "Request rate now and an hour ago",
                f"{request_rate(service)} or {request_rate_before(service)}",
            ),
            TriageQuery(
                "Ingress requests by status (nginx ingress controller)",
                "sum by (status) (rate(nginx_ingress_controller_requests[5m]))",
            ),
            *_common_triage(service),
        ),
        causes=(
            "An ingress, DNS or certificate problem in front of the service.",
            "An upstream service stopped calling it (check the callers' error alerts).",
            "A client release broke the requests before they are sent.",
        ),
        resolution=(
            "Follow the request path from the ingress inward; fix or roll back the broken hop.",
            "If the drop is expected (maintenance, campaign ended), silence the alert with a reason.",
        ),
        related=(SERVICE_DOWN, ERROR_RATE_CRITICAL),
    )


def _cardinality(s: ServiceSubject) -> Runbook:
    service = s.service
    limit = s.stack.alerting.max_series_per_service
    return Runbook(
        summary=f"{service.display_name} exposes more than {limit} series.",
        description=(
            f"{service.name}'s targets expose more than {limit} series after relabeling, for 30 "
            "minutes: an unbounded label (user id, event id, raw URL) is the usual cause."
        ),
        symptom="The service's metric series count is above the per-service limit.",
        impact="Prometheus memory and Mimir cost grow with every series; queries and dashboards slow down.",
        triage=(
            TriageQuery(
                "Series per metric name of the service (top 10)",
                f"topk(10, count by (__name__) ({{{service_scrape_selector(service.name)}}}))",
            ),
            TriageQuery(
                "Series added per scrape (churn)",
                f"sum by (instance) (scrape_series_added{{{service_scrape_selector(service.name)}}})",
            ),
        ),
        causes=(
            "A label with unbounded values (user_id, event_id, full URL path instead of the route template).",
            "A new histogram with many buckets multiplied by many label values.",
        ),
        resolution=(
            "Remove the label in the service, or drop it with a metric relabeling on its ServiceMonitor.",
            "Raise `alerting.max_series_per_service` only when the series are intended.",
        ),
        related=(),
    )


def _endpoint_budget(b: BudgetSubject) -> Runbook:
    service, endpoint = b.service, b.endpoint
    per_route = (ROUTE_LABEL,)
    return Runbook(
        summary=f"{endpoint.method} {endpoint.route} {b.quantile} latency is above its {b.seconds:g}s budget.",
        description=(
            f"The {b.quantile} latency of {service.name} {endpoint.method} {endpoint.route} over "
            f"{WINDOW} has been above its performance budget of {b.seconds:g}s for {BUDGET_FOR}."
        ),
        symptom="One endpoint breaks its performance budget (p50/p95/p99 from the catalog).",
        impact="That endpoint is slower than promised; the budget is the product's latency contract.",
        triage=(
            TriageQuery(
                "p50/p95/p99 per route of the service",
                f"{quantile(0.5, duration_buckets(service), WINDOW, per_route)} "
                f"or {quantile(0.99, duration_buckets(service), WINDOW, per_route)}",
            ),
            _slow_traces(service, b.seconds),
            _error_logs(service),
        ),
        causes=(
            "A slow query or an N+1 pattern behind the route (open a slow trace).",
            "Payload growth (larger pages, more items per request).",
            "A dependency the route calls got slower.",
        ),
        resolution=(
            "Open a ticket with the slowest trace attached; fix the query or add caching.",
            "If the budget is wrong for the route, change it in stacks/catalog.yaml (`endpoints`).",
        ),
        related=(LATENCY_P95_HIGH, LATENCY_P99_HIGH),
    )


RUNBOOKS: Runbooks[ServiceSubject] = {
    SERVICE_DOWN: _down,
    PROBE_FAILING: _probe,
    ERROR_RATE_CRITICAL: partial(
        _error_rate, level=ERROR_PAGE, verdict="down for its users.", other=ERROR_RATE_HIGH
    ),
    ERROR_RATE_HIGH: partial(
        _error_rate,
        level=ERROR_TICKET,
        verdict="degraded, not yet down.",
        other=ERROR_RATE_CRITICAL,
    ),
    LATENCY_P99_HIGH: partial(_latency, level=LATENCY_PAGE, other=LATENCY_P95_HIGH),
    LATENCY_P95_HIGH: partial(_latency, level=LATENCY_TICKET, other=LATENCY_P99_HIGH),
    REQUEST_RATE_DROP: _request_rate_drop,
    CARDINALITY_HIGH: _cardinality,
}
ENDPOINT_RUNBOOKS: Runbooks[BudgetSubject] = {ENDPOINT_BUDGET: _endpoint_budget}
