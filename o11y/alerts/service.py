"""Alerts every catalog service gets from its catalog entry: down, probe, errors, latency,
traffic drop, per-endpoint performance budgets and metric cardinality.

Thresholds are the service's own (5xx > 5% over 5m is P0, p99 > 2s is P1;
error rate > 1% and p95 > 500ms for 5 minutes, request rate drop > 50% for 2 minutes).
"""

from o11y.alertdef import AlertDefinition, TriageQuery
from o11y.alerts.scenario import (
    Case,
    ProvenAlert,
    Series,
    counting,
    fast_bucket,
    histogram,
    series,
    slow_bucket,
    steady,
)
from o11y.conventions import (
    HEALTH_JOB,
    HTTP_CODE_LABEL,
    METRIC_HTTP_DURATION,
    METRIC_HTTP_REQUESTS,
    METRIC_PROBE_SUCCESS,
    ROUTE_LABEL,
    SERVER_ERRORS,
    SERVICE_LABEL,
    container_selector,
    log_stream_selector,
    route_selector,
    service_scrape_selector,
    service_selector,
)
from o11y.model.catalog import EndpointBudget, Service
from o11y.model.stack import Stack
from o11y.promql import percent_of, quantile, selector, sum_rate
from o11y.severity import Priority

SERVICE_DOWN = "ServiceDown"
PROBE_FAILING = "ServiceProbeFailing"
ERROR_RATE_CRITICAL = "ServiceErrorRateCritical"
ERROR_RATE_HIGH = "ServiceErrorRateHigh"
LATENCY_P99_HIGH = "ServiceLatencyP99High"
LATENCY_P95_HIGH = "ServiceLatencyP95High"
REQUEST_RATE_DROP = "ServiceRequestRateDrop"
ENDPOINT_BUDGET = "EndpointLatencyBudgetExceeded"
CARDINALITY_HIGH = "ServiceCardinalityHigh"

# The symptoms a down service causes; ServiceDown inhibits them (o11y/rules.py INHIBITIONS).
SYMPTOMS = (
    PROBE_FAILING,
    ERROR_RATE_CRITICAL,
    ERROR_RATE_HIGH,
    LATENCY_P99_HIGH,
    LATENCY_P95_HIGH,
    REQUEST_RATE_DROP,
    ENDPOINT_BUDGET,
)

# Rate windows. 5m: "over 5m". A traffic drop compares the last 5 minutes with the
# hour before them: a real drop halves traffic within minutes, daily seasonality does not.
WINDOW = "5m"
DROP_BASELINE = "1h"
DROP_BASELINE_OFFSET = "5m"
DROP_FACTOR = 0.5
# Endpoint budgets are judged over a longer span than the service-wide latency alerts: they
# file tickets about a route, so a 10-minute blip should not.
BUDGET_FOR = "10m"
GROUP = "service-{name}"

_BY_SERVICE = (SERVICE_LABEL,)
_BY_ROUTE = (SERVICE_LABEL, ROUTE_LABEL)
# Test input: a service answering this many requests a minute (10 req/s).
_PER_MINUTE = 600


def service_alerts(stack: Stack) -> list[ProvenAlert]:
    """Every per-service alert of the stack, in catalog order."""
    result: list[ProvenAlert] = []
    for service in stack.services:
        result += [
            _down(service),
            _probe(service),
            _error_rate(stack, service, ERROR_RATE_CRITICAL, Priority.P0, "2m"),
            _error_rate(stack, service, ERROR_RATE_HIGH, Priority.P2, "5m"),
            _latency(stack, service, LATENCY_P99_HIGH, 0.99, Priority.P1),
            _latency(stack, service, LATENCY_P95_HIGH, 0.95, Priority.P2),
            _request_rate_drop(stack, service),
        ]
        result += [
            _endpoint_budget(stack, service, endpoint, label, q, budget)
            for endpoint in service.endpoints
            for label, q, budget in (
                ("p50", 0.5, endpoint.p50_seconds),
                ("p95", 0.95, endpoint.p95_seconds),
                ("p99", 0.99, endpoint.p99_seconds),
            )
        ]
        result.append(_cardinality(stack, service))
    return result


def _requests(service: Service, *matchers: str) -> str:
    return selector(METRIC_HTTP_REQUESTS, service_selector(service.name), *matchers)


def _errors(service: Service) -> str:
    return _requests(service, SERVER_ERRORS)


def _traffic_guard(stack: Stack, count_series: str, labels: tuple[str, ...]) -> str:
    return f"{sum_rate(count_series, WINDOW, labels)} > {stack.alerting.low_traffic_rps:g}"


def _common_triage(service: Service) -> tuple[TriageQuery, ...]:
    return (
        TriageQuery(
            "Request rate by status code",
            f"sum by ({HTTP_CODE_LABEL}) (rate({_requests(service)}[{WINDOW}]))",
        ),
        TriageQuery(
            "Error logs of the service (last 15 minutes in Grafana Explore)",
            f'{log_stream_selector(service.name)} | json | level=~"error|fatal"',
            "logql",
        ),
        TriageQuery(
            "Restarts of the service's containers in the last 30 minutes, per pod",
            f"sum by (pod) (increase(kube_pod_container_status_restarts_total"
            f"{{{container_selector(service.namespace, service.name)}}}[30m])) > 0",
        ),
    )


def _labels(service: Service) -> dict[str, str]:
    return {SERVICE_LABEL: service.name}


def _down(service: Service) -> ProvenAlert:
    up = selector("up", service_scrape_selector(service.name))
    target = {SERVICE_LABEL: service.name, "job": service.name, "instance": "10.0.0.1:8080"}
    # The blackbox exporter answering the health Probe is up and carries `service` too.
    probe = {SERVICE_LABEL: service.name, "job": HEALTH_JOB, "instance": "blackbox:9115"}
    definition = AlertDefinition(
        name=SERVICE_DOWN,
        group=GROUP.format(name=service.name),
        # absent() returns the matchers' labels (service and job); keep only `service` so both
        # branches name the same alert.
        expr=f"sum by ({SERVICE_LABEL}) ({up}) == 0 or sum by ({SERVICE_LABEL}) (absent({up}))",
        for_="2m",
        priority=Priority.P0,
        team=service.team,
        service=service.name,
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
                "Targets of the service and their state", f"up{{{service_selector(service.name)}}}"
            ),
            TriageQuery(
                "Readiness of the service's containers, per pod (0: not ready; no result: no pod)",
                f"sum by (pod) (kube_pod_container_status_ready"
                f"{{{container_selector(service.namespace, service.name)}}})",
            ),
            *_common_triage(service)[1:],
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
            f"Roll back a bad release: `kubectl -n {service.namespace} rollout undo deployment/{service.name}`.",
            "If pods are healthy but not scraped, compare the ServiceMonitor selector and port with the Service.",
        ),
        related=(PROBE_FAILING, "KubePodCrashLooping", "KubeDeploymentReplicasMismatch"),
    )
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                "every target is down while its health probe is scraped",
                (series("up", target, steady(0, 10)), series("up", probe, steady(1, 10))),
                "5m",
                _labels(service),
            ),
            Case("no target exists", (), "5m", _labels(service)),
        ),
        silent=lambda: (Case("a target is up", (series("up", target, steady(1, 10)),), "5m"),),
    )


def _probe(service: Service) -> ProvenAlert:
    probe = selector(METRIC_PROBE_SUCCESS, service_selector(service.name))
    target = {
        SERVICE_LABEL: service.name,
        "job": "probe/blackbox",
        "instance": f"http://{service.name}.{service.namespace}.svc:{service.port}{service.health_path}",
    }
    definition = AlertDefinition(
        name=PROBE_FAILING,
        group=GROUP.format(name=service.name),
        expr=f"max by ({SERVICE_LABEL}) ({probe}) == 0",
        for_="2m",
        priority=Priority.P1,
        team=service.team,
        service=service.name,
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
                f"{probe} or probe_duration_seconds{{{service_selector(service.name)}}}",
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
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                "every probe fails",
                (series(METRIC_PROBE_SUCCESS, target, steady(0, 10)),),
                "5m",
                _labels(service),
            ),
        ),
        silent=lambda: (
            Case(
                "the probe succeeds", (series(METRIC_PROBE_SUCCESS, target, steady(1, 10)),), "5m"
            ),
        ),
    )


def _error_rate(
    stack: Stack, service: Service, name: str, priority: Priority, for_: str
) -> ProvenAlert:
    threshold = (
        service.error_rate_page_percent
        if name == ERROR_RATE_CRITICAL
        else service.error_rate_ticket_percent
    )
    ratio = percent_of(
        sum_rate(_errors(service), WINDOW, _BY_SERVICE),
        sum_rate(_requests(service), WINDOW, _BY_SERVICE),
    )
    definition = AlertDefinition(
        name=name,
        group=GROUP.format(name=service.name),
        expr=f"{ratio} > {threshold:g} and {_traffic_guard(stack, _requests(service), _BY_SERVICE)}",
        for_=for_,
        priority=priority,
        team=service.team,
        service=service.name,
        summary=(
            f"{service.display_name} answers more than {threshold:g}% of requests with 5xx "
            f"(over {WINDOW}, for {for_}): "
            + ("down for its users." if name == ERROR_RATE_CRITICAL else "degraded, not yet down.")
        ),
        description=(
            f"More than {threshold:g}% of {service.name}'s requests failed with a 5xx status over "
            f"the last {WINDOW}, for {for_} (only while it serves more than "
            f"{stack.alerting.low_traffic_rps:g} req/s)."
        ),
        symptom="The share of 5xx responses is above the service's threshold.",
        impact=(
            "Users see failures on the routes listed by the first query. Above the page threshold "
            "the service counts as down for its users (P0)."
        ),
        triage=(
            TriageQuery(
                "5xx share per route (which endpoints fail)",
                percent_of(
                    sum_rate(_errors(service), WINDOW, (ROUTE_LABEL,)),
                    sum_rate(_requests(service), WINDOW, (ROUTE_LABEL,)),
                ),
            ),
            *_common_triage(service),
        ),
        causes=(
            "A recent deployment (compare the start of the errors with the rollout time).",
            "A failing dependency: check its alerts (database, cache, Kafka, partner APIs).",
            "Resource exhaustion: CPU throttling, OOM kills, connection pool exhaustion.",
        ),
        resolution=(
            f"Roll back a bad release: `kubectl -n {service.namespace} rollout undo deployment/{service.name}`.",
            "If a dependency fails, follow that dependency's runbook; shed load or scale out if saturated.",
        ),
        related=(SERVICE_DOWN, ERROR_RATE_CRITICAL if name == ERROR_RATE_HIGH else ERROR_RATE_HIGH),
    )
    fires_percent = min(100.0, max(threshold * 2, threshold + 1))
    quiet_percent = threshold / 2
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                f"{fires_percent:g}% of requests fail",
                _traffic(service, fires_percent, _PER_MINUTE),
                "20m",
                _labels(service),
            ),
        ),
        silent=lambda: (
            Case(
                f"{quiet_percent:g}% of requests fail",
                _traffic(service, quiet_percent, _PER_MINUTE),
                "20m",
            ),
            Case(
                "every request fails but traffic is below the floor",
                _traffic(service, 100, stack.alerting.low_traffic_rps * 60 / 2),
                "20m",
            ),
        ),
    )


def _traffic(service: Service, error_percent: float, per_minute: float) -> tuple[Series, ...]:
    errors = per_minute * error_percent / 100
    ok = {SERVICE_LABEL: service.name, ROUTE_LABEL: "/", "method": "GET", HTTP_CODE_LABEL: "200"}
    failed = {**ok, HTTP_CODE_LABEL: "500"}
    return (
        series(METRIC_HTTP_REQUESTS, ok, counting(per_minute - errors, 30)),
        series(METRIC_HTTP_REQUESTS, failed, counting(errors, 30)),
    )


def _latency(
    stack: Stack, service: Service, name: str, q: float, priority: Priority
) -> ProvenAlert:
    threshold = service.latency_p99_seconds if q == 0.99 else service.latency_p95_seconds
    buckets = selector(f"{METRIC_HTTP_DURATION}_bucket", service_selector(service.name))
    count = selector(f"{METRIC_HTTP_DURATION}_count", service_selector(service.name))
    label = f"p{q * 100:g}"
    containers = container_selector(service.namespace, service.name)
    definition = AlertDefinition(
        name=name,
        group=GROUP.format(name=service.name),
        expr=f"{quantile(q, buckets, WINDOW, _BY_SERVICE)} > {threshold:g} and {_traffic_guard(stack, count, _BY_SERVICE)}",
        for_="5m",
        priority=priority,
        team=service.team,
        service=service.name,
        summary=f"{service.display_name} {label} latency is above {threshold:g}s.",
        description=(
            f"The {label} of {service.name}'s request duration over {WINDOW} has been above "
            f"{threshold:g}s for 5 minutes."
        ),
        symptom=f"Requests are slow: the service-wide {label} latency is above its budget.",
        impact="Users wait; clients may time out and retry, which adds more load.",
        triage=(
            TriageQuery(
                f"{label} latency per route (which endpoints are slow)",
                quantile(q, buckets, WINDOW, (ROUTE_LABEL,)),
            ),
            TriageQuery(
                "CPU throttling of the service's containers",
                f"sum by (pod) (rate(container_cpu_cfs_throttled_periods_total{{{containers}}}[{WINDOW}])) "
                f"/ sum by (pod) (rate(container_cpu_cfs_periods_total{{{containers}}}[{WINDOW}]))",
            ),
            *_common_triage(service),
            TriageQuery(
                "Slow traces of the service (Tempo)",
                f'{{ resource.service.name = "{service.name}" && duration > {threshold:g}s }}',
                "traceql",
            ),
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
        related=(LATENCY_P99_HIGH if q == 0.95 else LATENCY_P95_HIGH, ENDPOINT_BUDGET),
    )
    route = {SERVICE_LABEL: service.name, ROUTE_LABEL: "/"}
    per_minute = _PER_MINUTE
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                "every request is slower than the budget",
                histogram(
                    METRIC_HTTP_DURATION,
                    route,
                    service.latency_buckets,
                    slow_bucket(service.latency_buckets, threshold),
                    per_minute,
                    30,
                ),
                "20m",
                _labels(service),
            ),
        ),
        silent=lambda: (
            Case(
                "every request is within the budget",
                histogram(
                    METRIC_HTTP_DURATION,
                    route,
                    service.latency_buckets,
                    fast_bucket(service.latency_buckets, threshold),
                    per_minute,
                    30,
                ),
                "20m",
            ),
            Case(
                "slow requests but traffic is below the floor",
                histogram(
                    METRIC_HTTP_DURATION,
                    route,
                    service.latency_buckets,
                    slow_bucket(service.latency_buckets, threshold),
                    stack.alerting.low_traffic_rps * 60 / 2,
                    30,
                ),
                "20m",
            ),
        ),
    )


def _request_rate_drop(stack: Stack, service: Service) -> ProvenAlert:
    now = sum_rate(_requests(service), WINDOW, _BY_SERVICE)
    before = f"sum by ({SERVICE_LABEL}) (rate({_requests(service)}[{DROP_BASELINE}] offset {DROP_BASELINE_OFFSET}))"
    definition = AlertDefinition(
        name=REQUEST_RATE_DROP,
        group=GROUP.format(name=service.name),
        expr=f"{now} < {DROP_FACTOR:g} * {before} and {before} > {stack.alerting.low_traffic_rps:g}",
        for_="2m",
        priority=Priority.P1,
        team=service.team,
        service=service.name,
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
            TriageQuery("Request rate now and an hour ago", f"{now} or {before}"),
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
    labels = {
        SERVICE_LABEL: service.name,
        ROUTE_LABEL: "/",
        "method": "GET",
        HTTP_CODE_LABEL: "200",
    }
    dropped = f"{counting(_PER_MINUTE, 70)} {counting(_PER_MINUTE / 5, 14, 70 * _PER_MINUTE + _PER_MINUTE / 5)}"
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                "traffic falls to a fifth",
                (series(METRIC_HTTP_REQUESTS, labels, dropped),),
                "80m",
                _labels(service),
            ),
        ),
        silent=lambda: (
            Case(
                "traffic is steady",
                (series(METRIC_HTTP_REQUESTS, labels, counting(_PER_MINUTE, 85)),),
                "80m",
            ),
            Case(
                "traffic was below the floor before it dropped",
                (series(METRIC_HTTP_REQUESTS, labels, f"{counting(1, 70)} {counting(0, 14, 70)}"),),
                "80m",
            ),
        ),
    )


def _endpoint_budget(
    stack: Stack, service: Service, endpoint: EndpointBudget, label: str, q: float, budget: float
) -> ProvenAlert:
    # The duration histogram carries `route` but not `method` (docs/CONTRACT.md): a route's
    # budget is judged on all its methods; `method` is kept as a label for the reader.
    matchers = (service_selector(service.name), route_selector(endpoint.route))
    buckets = selector(f"{METRIC_HTTP_DURATION}_bucket", *matchers)
    count = selector(f"{METRIC_HTTP_DURATION}_count", *matchers)
    definition = AlertDefinition(
        name=ENDPOINT_BUDGET,
        group=GROUP.format(name=service.name),
        expr=f"{quantile(q, buckets, WINDOW, _BY_ROUTE)} > {budget:g} and {_traffic_guard(stack, count, _BY_ROUTE)}",
        for_=BUDGET_FOR,
        priority=Priority.P2,
        team=service.team,
        service=service.name,
        labels={ROUTE_LABEL: endpoint.route, "method": endpoint.method, "quantile": label},
        summary=f"{endpoint.method} {endpoint.route} {label} latency is above its {budget:g}s budget.",
        description=(
            f"The {label} latency of {service.name} {endpoint.method} {endpoint.route} over {WINDOW} "
            f"has been above its performance budget of {budget:g}s for {BUDGET_FOR}."
        ),
        symptom="One endpoint breaks its performance budget (p50/p95/p99 from the catalog).",
        impact="That endpoint is slower than promised; the budget is the product's latency contract.",
        triage=(
            TriageQuery(
                "p50/p95/p99 per route of the service",
                f"{quantile(0.5, selector(f'{METRIC_HTTP_DURATION}_bucket', service_selector(service.name)), WINDOW, (ROUTE_LABEL,))} "
                f"or {quantile(0.99, selector(f'{METRIC_HTTP_DURATION}_bucket', service_selector(service.name)), WINDOW, (ROUTE_LABEL,))}",
            ),
            TriageQuery(
                "Slow traces of the service (Tempo)",
                f'{{ resource.service.name = "{service.name}" && duration > {budget:g}s }}',
                "traceql",
            ),
            *_common_triage(service)[1:2],
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
    route = {SERVICE_LABEL: service.name, ROUTE_LABEL: endpoint.route}
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                f"the route's {label} is over budget",
                histogram(
                    METRIC_HTTP_DURATION,
                    route,
                    service.latency_buckets,
                    slow_bucket(service.latency_buckets, budget),
                    _PER_MINUTE,
                    30,
                ),
                "25m",
                {**_labels(service), ROUTE_LABEL: endpoint.route},
            ),
        ),
        silent=lambda: (
            Case(
                f"the route's {label} is within budget",
                histogram(
                    METRIC_HTTP_DURATION,
                    route,
                    service.latency_buckets,
                    fast_bucket(service.latency_buckets, budget),
                    _PER_MINUTE,
                    30,
                ),
                "25m",
            ),
            Case(
                "another route is slow",
                histogram(
                    METRIC_HTTP_DURATION,
                    {**route, ROUTE_LABEL: "/other"},
                    service.latency_buckets,
                    slow_bucket(service.latency_buckets, budget),
                    _PER_MINUTE,
                    30,
                ),
                "25m",
            ),
        ),
    )


def _cardinality(stack: Stack, service: Service) -> ProvenAlert:
    limit = stack.alerting.max_series_per_service
    samples = selector("scrape_samples_post_metric_relabeling", service_selector(service.name))
    target = {SERVICE_LABEL: service.name, "job": service.name, "instance": "10.0.0.1:8080"}
    definition = AlertDefinition(
        name=CARDINALITY_HIGH,
        group=GROUP.format(name=service.name),
        expr=f"sum by ({SERVICE_LABEL}) ({samples}) > {limit}",
        for_="30m",
        priority=Priority.P3,
        team=service.team,
        service=service.name,
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
                f"topk(10, count by (__name__) ({{{service_selector(service.name)}}}))",
            ),
            TriageQuery(
                "Series added per scrape (churn)",
                f"sum by (instance) (scrape_series_added{{{service_selector(service.name)}}})",
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
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                "the service exposes too many series",
                (series("scrape_samples_post_metric_relabeling", target, steady(limit + 1, 40)),),
                "35m",
                _labels(service),
            ),
        ),
        silent=lambda: (
            Case(
                "the service is within the limit",
                (series("scrape_samples_post_metric_relabeling", target, steady(limit, 40)),),
                "35m",
            ),
        ),
    )
