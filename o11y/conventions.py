"""Every generated name, spelled once: releases, secrets, labels, selectors.

Rule and alert names of the SLO engine live in o11y/slo.py's table, next to the windows.
"""

import hashlib
import json
from collections.abc import Sequence

# Labels every service metric carries (the contract in docs/CONTRACT.md). ServiceMonitors
# set `service` to the catalog name, so every query selects on it.
SERVICE_LABEL = "service"
TEAM_LABEL = "team"
SEVERITY_LABEL = "severity"
PRIORITY_LABEL = "priority"

# Labels that must never be on a metric (unbounded values). ServiceMonitors drop them
# with metricRelabelings; the cardinality audit looks for them.
UNBOUNDED_LABELS = ("user_id", "event_id", "request_id", "session_id", "trace_id")

# Helm release names (also the prefix of the objects each chart creates).
RELEASE_OPERATOR_CRDS = "prometheus-operator-crds"
RELEASE_PROMETHEUS = "kube-prometheus-stack"
RELEASE_LOKI = "loki"
# The containers of Loki's write path: the single binary, or the distributed components.
LOKI_WRITE_CONTAINERS = ("loki", "distributor", "ingester")
RELEASE_TEMPO = "tempo"
# tempo-distributed's components (`app.kubernetes.io/component`, container and workload suffix).
TEMPO_DISTRIBUTOR = "distributor"
TEMPO_QUERY_FRONTEND = "query-frontend"
TEMPO_INGEST_CONSUMERS = ("block-builder", "live-store")
TEMPO_COMPONENTS = (
    TEMPO_DISTRIBUTOR,
    *TEMPO_INGEST_CONSUMERS,
    "querier",
    TEMPO_QUERY_FRONTEND,
    "backend-scheduler",
    "backend-worker",
)
RELEASE_GRAFANA = "grafana"
# The Strimzi operator and the Kafka cluster it runs for Tempo's ingest path (when the stack
# names no external Kafka). Strimzi names the bootstrap Service `<cluster>-kafka-bootstrap`.
RELEASE_STRIMZI = "strimzi"
KAFKA_CLUSTER = "tempo-kafka"
KAFKA_NODE_POOL = "broker"
KAFKA_TOPIC_TRACES = "tempo-traces"
# `job` of the Strimzi Kafka exporter's metrics (its PodMonitor sets it).
KAFKA_EXPORTER_JOB = f"{KAFKA_CLUSTER}-exporter"
# The plain listener inside the cluster (Strimzi's convention for an internal listener).
KAFKA_PORT = 9092


def grafana_host(domain: str) -> str:
    """The host of the Grafana ingress under the stack's ingress domain."""
    return f"{RELEASE_GRAFANA}.{domain}"


def grafana_health_url(namespace: str) -> str:
    """Grafana's health endpoint inside the cluster (the chart's Service, port 80)."""
    return f"http://{RELEASE_GRAFANA}.{namespace}.svc/api/health"


# `job` of the blackbox probe of Grafana's health (its database included).
GRAFANA_HEALTH_JOB = "grafana-health"
# Node labels Kubernetes sets on every node (well-known labels).
ZONE_LABEL = "topology.kubernetes.io/zone"
HOST_LABEL = "kubernetes.io/hostname"


def rollout_zone(index: int) -> str:
    """The name Loki's and Mimir's charts give their index-th zone (zone-a, zone-b, ...): the
    StatefulSet suffix and the ring's zone. A stack's zones map onto these in order, so a zone
    renamed in the cloud does not rename StatefulSets or move ring tokens."""
    return f"zone-{chr(ord('a') + index)}"


RELEASE_MIMIR = "mimir"
RELEASE_OTEL_GATEWAY = "otel-gateway"
RELEASE_OTEL_AGENT = "otel-agent"
# The opentelemetry-collector chart names its DaemonSet `<fullname>-agent`.
OTEL_AGENT_DAEMONSET = f"{RELEASE_OTEL_AGENT}-agent"
# The container every opentelemetry-collector chart pod runs.
OTEL_COLLECTOR_CONTAINER = "opentelemetry-collector"
RELEASE_BLACKBOX = "blackbox-exporter"
# The tail-sampling tier behind `otel-gateway` when more than one sampler runs; the gateway
# then only load-balances spans by trace id, so each trace reaches one sampler whole.
RELEASE_OTEL_SAMPLER = "otel-sampler"


def exporter_release(dependency: str) -> str:
    """The Helm release of the exporter for one catalog dependency (postgres, redis, kafka)."""
    return f"{dependency}-exporter"


# In-cluster URLs of the backends (service names follow each chart's fullname rule; every
# release sets fullnameOverride to its release name where the chart allows it).
def prometheus_url(namespace: str) -> str:
    return f"http://{RELEASE_PROMETHEUS}-prometheus.{namespace}.svc:9090"


def alertmanager_url(namespace: str) -> str:
    return f"http://{RELEASE_PROMETHEUS}-alertmanager.{namespace}.svc:9093"


def loki_url(namespace: str) -> str:
    """Loki's gateway (nginx in front of every Loki mode); push and query APIs live under it."""
    return f"http://{RELEASE_LOKI}-gateway.{namespace}.svc:80"


def tempo_url(namespace: str, distributed: bool = False) -> str:
    """Tempo's HTTP query API: the monolith's Service, or the query-frontend's."""
    host = f"{RELEASE_TEMPO}-{TEMPO_QUERY_FRONTEND}" if distributed else RELEASE_TEMPO
    return f"http://{host}.{namespace}.svc:3200"


def tempo_otlp_endpoint(namespace: str, distributed: bool = False) -> str:
    """host:port of Tempo's OTLP/gRPC receiver: the monolith's Service, or the distributor's."""
    host = f"{RELEASE_TEMPO}-{TEMPO_DISTRIBUTOR}" if distributed else RELEASE_TEMPO
    return f"{host}.{namespace}.svc:4317"


def kafka_bootstrap(namespace: str) -> str:
    """host:port of the Strimzi Kafka's bootstrap Service (Tempo's ingest path)."""
    return f"{KAFKA_CLUSTER}-kafka-bootstrap.{namespace}.svc:{KAFKA_PORT}"


def mimir_url(namespace: str) -> str:
    """Mimir's Prometheus-compatible query API (prod)."""
    return f"http://{RELEASE_MIMIR}-gateway.{namespace}.svc:80/prometheus"


def mimir_push_url(namespace: str) -> str:
    """Mimir's remote-write endpoint (prod), where Prometheus ships every sample."""
    return f"http://{RELEASE_MIMIR}-gateway.{namespace}.svc:80/api/v1/push"


def otlp_endpoint(namespace: str) -> str:
    """Where applications send OTLP/gRPC traces: the first tier of the trace pipeline."""
    return f"http://{RELEASE_OTEL_GATEWAY}.{namespace}.svc:4317"


def blackbox_address(namespace: str) -> str:
    """host:port of the blackbox exporter (the chart names its Service <release>-<chart>)."""
    return f"{RELEASE_BLACKBOX}-prometheus-blackbox-exporter.{namespace}.svc:9115"


# Kubernetes Secrets the program creates; Helm values and Alertmanager refer to them by name.
SECRET_ALERTMANAGER_CONFIG = "alertmanager-o11y-config"
SECRET_ALERTMANAGER_KEYS = "alertmanager-o11y-keys"
SECRET_GRAFANA_ADMIN = "grafana-admin"
# Grafana's database login (key `password`), created only with platform.grafana_database.
SECRET_GRAFANA_DATABASE = "grafana-database"
SECRET_OBJECT_STORAGE = "object-storage"
# The SASL password Tempo presents to an external Kafka (key `password`).
SECRET_TEMPO_KAFKA = "tempo-kafka-sasl"
# Exporter credentials (key `password`), created only when the stack has the secret.
SECRET_POSTGRES_EXPORTER = "postgres-exporter"
SECRET_REDIS_EXPORTER = "redis-exporter"

# Label that makes a PrometheusRule/ServiceMonitor/Probe one of ours.
MANAGED_BY = {"app.kubernetes.io/managed-by": "o11y"}


# `job` of the blackbox probe series (health of each service, TLS of each public endpoint).
HEALTH_JOB = "health"
TLS_JOB = "tls"


def service_selector(service: str) -> str:
    """The PromQL label matcher that selects one catalog service's series."""
    return f'{SERVICE_LABEL}="{service}"'


def service_scrape_selector(service: str) -> str:
    """The service's own scrape targets only: its ServiceMonitor sets `job` to the catalog name,
    while the blackbox Probes of the same service carry `service` too (with job `health`)."""
    return f'{service_selector(service)},job="{service}"'


# Grafana datasource uids, provisioned by the Grafana chart values and referenced by every
# dashboard panel. In prod the "prometheus" uid points at Mimir's query frontend (long-term,
# same PromQL API), so dashboards are identical in every environment and never name Mimir.
DATASOURCE_PROMETHEUS = "prometheus"
DATASOURCE_LOKI = "loki"
DATASOURCE_TEMPO = "tempo"
DATASOURCE_ALERTMANAGER = "alertmanager"

# Exporter targets (postgres, redis, kafka) carry the catalog dependency's name in this label,
# as services carry `service`; dashboards and alerts select a dependency's series with it.
DEPENDENCY_LABEL = "dependency"


def dependency_selector(dependency: str) -> str:
    """The PromQL label matcher that selects one catalog dependency's exporter series."""
    return f'{DEPENDENCY_LABEL}="{dependency}"'


# The HTTP metric contract every service follows (docs/CONTRACT.md) and the blackbox probe result.
METRIC_HTTP_REQUESTS = "http_requests_total"  # labels: service, route, method, code
METRIC_HTTP_DURATION = "http_request_duration_seconds"  # histogram; labels: service, route, le
METRIC_PROBE_SUCCESS = "probe_success"

# Grafana allows at most 40 characters in a dashboard or folder uid.
_GRAFANA_UID_MAX = 40


def dashboard_uid(key: str) -> str:
    """The stable Grafana uid of the dashboard generated under `key` (e.g. `service-frontend`)."""
    uid = f"o11y-{key}"
    if len(uid) <= _GRAFANA_UID_MAX:
        return uid
    # Long service names: keep a readable prefix and make it unique with a digest of the key.
    digest = hashlib.sha256(key.encode()).hexdigest()[:8]
    return f"{uid[: _GRAFANA_UID_MAX - 9]}-{digest}"


def folder_uid(key: str) -> str:
    """The stable Grafana uid of the dashboard folder `key` (e.g. `services`)."""
    return f"o11y-{key}"


# Alert selectors beyond `service` and `dependency` (o11y/alerts/*): one place for each label.
ROUTE_LABEL = "route"
HTTP_CODE_LABEL = "code"
# The answers that spend an availability SLO's budget and page: 5xx, never 4xx.
SERVER_ERRORS = f'{HTTP_CODE_LABEL}=~"5.."'
CLIENT_ERRORS = f'{HTTP_CODE_LABEL}=~"4.."'
# The dead man's switch: always firing, routed to the heartbeat receiver only.
WATCHDOG_ALERT = "Watchdog"
# Outgoing calls to a partner API (docs/CONTRACT.md): one counter per call and its outcome.
METRIC_PARTNER_REQUESTS = "partner_requests_total"  # labels: service, partner, outcome
PARTNER_LABEL = "partner"
OUTCOME_LABEL = "outcome"
OUTCOME_ERROR = "error"
# Blackbox probes of `tls_endpoints` carry the endpoint's catalog name in this label (a static
# Probe target label; on ServiceMonitor targets the operator uses `endpoint` for the port name).
TLS_ENDPOINT_LABEL = "endpoint"
# Loki stream labels set by the log agent on every container's stdout (structured JSON logs).
LOG_LEVEL_LABEL = "level"


def route_selector(route: str) -> str:
    """The matcher for one HTTP route (a PromQL string, quoted and escaped as JSON)."""
    return f"{ROUTE_LABEL}={json.dumps(route)}"


def partner_selector(partner: str) -> str:
    return f'{PARTNER_LABEL}="{partner}"'


def tls_endpoint_selector(endpoint: str) -> str:
    return f'{TLS_ENDPOINT_LABEL}="{endpoint}"'


def release_job_selector(release: str) -> str:
    """Every scrape job of a Helm release: ServiceMonitor jobs are named after the Kubernetes
    Service (`<release>-<chart>`), PodMonitor jobs `<namespace>/<release>-<chart>`."""
    return f'job=~"(.+/)?{release}(-.+)?"'


def platform_logs(namespace: str, containers: Sequence[str], pods: str) -> str:
    """LogQL for the logs of a platform workload. The log agent names logs without a catalog
    service after their container (the `service` index label); the pod name is structured
    metadata, filtered after the stream selector."""
    services = "|".join(containers)
    return f'{{namespace="{namespace}", service=~"{services}"}} | k8s_pod_name=~"{pods}"'


def log_stream_selector(service: str) -> str:
    """The LogQL stream selector of one catalog service's logs."""
    return "{" + service_selector(service) + "}"


def services_log_stream_selector(services: Sequence[str]) -> str:
    """The LogQL stream selector of the logs of several catalog services."""
    if len(services) == 1:
        return log_stream_selector(services[0])
    return "{" + f'{SERVICE_LABEL}=~"{"|".join(sorted(services))}"' + "}"


def container_selector(namespace: str, service: str) -> str:
    """The PromQL matchers of one catalog service's containers in kube-state-metrics and
    cAdvisor series: the contract names the service's container like its catalog entry
    (docs/CONTRACT.md), as its logs' `service` label does."""
    return f'namespace="{namespace}",container="{service}"'


def pagerduty_team_wide_service_name(team_display_name: str) -> str:
    """The PagerDuty service for a team's pages that name no service (per-service layout)."""
    return f"{team_display_name} (team-wide)"


# Span metrics (the collectors' spanmetrics connector, namespace `traces.span.metrics`, unit ms)
# and service-graph metrics (servicegraph connector), as Prometheus names them.
METRIC_SPAN_CALLS = "traces_span_metrics_calls_total"
METRIC_SPAN_DURATION = "traces_span_metrics_duration_milliseconds"  # histogram, carries exemplars
SPAN_SERVICE_LABEL = "service_name"  # the span's service.name
SPAN_STATUS_ERROR = 'status_code="STATUS_CODE_ERROR"'
METRIC_SERVICE_GRAPH_REQUESTS = "traces_service_graph_request_total"  # labels: client, server
METRIC_SERVICE_GRAPH_FAILED = "traces_service_graph_request_failed_total"


def span_service_selector(service: str) -> str:
    """The matcher for one catalog service's span metrics (its OTel `service.name`)."""
    return f'{SPAN_SERVICE_LABEL}="{service}"'


# Synthetic flows (o11y/synthetics.py): every probe and pushed result carries `job="synthetic"`
# and the flow's name in `flow`; the runner's results go through this Pushgateway.
SYNTHETIC_JOB = "synthetic"
FLOW_LABEL = "flow"
STEP_LABEL = "step"
PUSHGATEWAY = "synthetic-pushgateway"
PUSHGATEWAY_PORT = 9091
SYNTHETIC_RUNNER_CONFIG = "synthetic-runner"


def pushgateway_url(namespace: str) -> str:
    return f"http://{PUSHGATEWAY}.{namespace}.svc:{PUSHGATEWAY_PORT}"


def synthetic_flow_secret(flow: str) -> str:
    """The Kubernetes Secret holding one flow's credentials."""
    return f"synthetic-{flow}"


def flow_selector(flow: str) -> str:
    """The PromQL matcher of one synthetic flow's series (probes and pushed results)."""
    return f'job="{SYNTHETIC_JOB}",{FLOW_LABEL}="{flow}"'
