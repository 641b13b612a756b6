"""Grafana values: its state (SQLite on a volume, or an external PostgreSQL with two or more
replicas), admin from a Kubernetes Secret, provisioned datasources.

With `platform.grafana_database`, users, sessions, dashboards and annotations live in
PostgreSQL: any replica serves any request, so replicas roll one at a time behind a
PodDisruptionBudget, spread over nodes (and zones), with no volume. The password reaches
Grafana as GF_DATABASE_PASSWORD from its Kubernetes Secret, never through values.
Grafana's own alerting is off: every alert is a Prometheus rule routed by Alertmanager, so
unified alerting would only evaluate nothing and, with replicas, need a gossip cluster.

Datasources are chart values (provisioned on start), so Grafana works right after `pulumi up`.
Their uids come from o11y.conventions; every panel refers to them. Dashboards are provisioned
by the Grafana provider (another component), so no dashboard sidecar or provider is enabled.
Loki, Tempo and Mimir run multi-tenant: the default datasources read the platform tenant,
and each configured tenant gets its own datasource with its X-Scope-OrgID header.
"""

from dataclasses import dataclass

from o11y.conventions import (
    DATASOURCE_ALERTMANAGER,
    DATASOURCE_LOKI,
    DATASOURCE_PROMETHEUS,
    DATASOURCE_TEMPO,
    METRIC_SPAN_CALLS,
    METRIC_SPAN_DURATION,
    RELEASE_GRAFANA,
    SECRET_GRAFANA_ADMIN,
    SECRET_GRAFANA_DATABASE,
    SPAN_SERVICE_LABEL,
    SPAN_STATUS_ERROR,
    alertmanager_url,
    grafana_host,
    loki_url,
    mimir_url,
    prometheus_url,
    tempo_url,
)
from o11y.helm.network_policies import GRAFANA_POD_LABELS
from o11y.helm.pods import (
    TENANT_HEADER,
    Json,
    Values,
    resources,
    spread_placement,
    storage_class,
    tenant,
)
from o11y.model.platform import GrafanaDatabase
from o11y.model.stack import Stack

# Keys of the admin Secret (the chart's defaults, spelled here because the component writes them).
ADMIN_USER_KEY = "admin-user"
ADMIN_PASSWORD_KEY = "admin-password"
ADMIN_USER = "admin"
# Key of the database password in its Secret, and the variable Grafana reads it from (any
# grafana.ini key can be set as GF_<SECTION>_<KEY>, Grafana docs "Configure Grafana").
DATABASE_PASSWORD_KEY = "password"
DATABASE_PASSWORD_ENV = "GF_DATABASE_PASSWORD"
# Grafana's database (SQLite) lives on one volume that one node mounts at a time.
PERSISTENCE_ACCESS_MODES = ("ReadWriteOnce",)
# The uid of the hot (local, short retention) Prometheus when Mimir serves `prometheus`.
DATASOURCE_PROMETHEUS_HOT = "prometheus-hot"
# The label that carries the trace id on exemplars (spanmetrics connector) and in logs
# (structured metadata set by the log agent).
TRACE_ID = "trace_id"
# The queries a span links to (traces -> metrics), over the span's service's span metrics.
TRACE_METRIC_QUERIES: tuple[dict[str, str], ...] = (
    {
        "name": "Request rate",
        "query": f"sum by (span_name) (rate({METRIC_SPAN_CALLS}{{$$__tags}}[5m]))",
    },
    {
        "name": "Error rate",
        "query": f"sum by (span_name) (rate({METRIC_SPAN_CALLS}{{$$__tags, {SPAN_STATUS_ERROR}}}[5m]))",
    },
    {
        "name": "p95 latency (ms)",
        "query": "histogram_quantile(0.95, sum by (le, span_name) "
        f"(rate({METRIC_SPAN_DURATION}_bucket{{$$__tags}}[5m])))",
    },
)


def values(stack: Stack) -> Values:
    platform = stack.platform
    grafana: Values = {
        "replicas": platform.replicas.grafana,
        "admin": {
            "existingSecret": SECRET_GRAFANA_ADMIN,
            "userKey": ADMIN_USER_KEY,
            "passwordKey": ADMIN_PASSWORD_KEY,
        },
        "resources": resources(stack, "grafana"),
        "datasources": {"datasources.yaml": {"apiVersion": 1, "datasources": datasources(stack)}},
        "grafana.ini": _settings(stack),
        "serviceMonitor": {"enabled": True},
    }
    if platform.grafana_database is None:
        grafana["persistence"] = {
            "enabled": True,
            "type": "pvc",
            "accessModes": list(PERSISTENCE_ACCESS_MODES),
            "size": platform.storage.grafana,
            **storage_class(stack),
        }
        grafana["deploymentStrategy"] = deployment_strategy(PERSISTENCE_ACCESS_MODES)
    else:
        grafana.update(_replicated(stack))
    if platform.ingress is not None:
        host = grafana_host(platform.ingress.domain)
        grafana["ingress"] = {
            "enabled": True,
            "ingressClassName": platform.ingress.class_name,
            "annotations": {"cert-manager.io/cluster-issuer": platform.ingress.cluster_issuer},
            "hosts": [host],
            "tls": [{"secretName": f"{RELEASE_GRAFANA}-tls", "hosts": [host]}],
        }
    return grafana


def _replicated(stack: Stack) -> Values:
    """Replicas on the external database: no volume, one replica down at a time (rollouts and
    node drains), spread over nodes and zones."""
    placement = spread_placement(
        stack.platform.zones, GRAFANA_POD_LABELS, required=stack.production
    )
    return {
        "persistence": {"enabled": False},
        # maxUnavailable 0: a rollout starts the new pod before stopping an old one.
        "deploymentStrategy": {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0},
        },
        "podDisruptionBudget": {"maxUnavailable": 1},
        "affinity": placement.affinity,
        "topologySpreadConstraints": placement.topology_spread_constraints,
        "envValueFrom": {
            DATABASE_PASSWORD_ENV: {
                "secretKeyRef": {"name": SECRET_GRAFANA_DATABASE, "key": DATABASE_PASSWORD_KEY}
            }
        },
    }


def database_settings(database: GrafanaDatabase) -> Values:
    """grafana.ini's [database] section, password excepted (it comes from the environment)."""
    return {
        "type": "postgres",
        "host": f"{database.host}:{database.port}",
        "name": database.name,
        "user": database.user,
        "ssl_mode": database.sslmode,
    }


def deployment_strategy(access_modes: tuple[str, ...]) -> Values:
    """Recreate while the volume is ReadWriteOnce: a rolling update starts the new pod before
    the old one stops, and on another node it would wait forever for the volume (multi-attach)."""
    if "ReadWriteOnce" in access_modes or "ReadWriteOncePod" in access_modes:
        return {"type": "Recreate"}
    return {"type": "RollingUpdate"}


def _settings(stack: Stack) -> Values:
    settings: Values = {"analytics": {"reporting_enabled": False, "check_for_updates": False}}
    if stack.platform.ingress is not None:
        settings["server"] = {"root_url": f"https://{grafana_host(stack.platform.ingress.domain)}"}
    database = stack.platform.grafana_database
    if database is not None:
        settings["database"] = database_settings(database)
        # Sessions live in the database's user_auth_token table, so a user stays signed in
        # whichever replica answers. Alerting is Prometheus' and Alertmanager's (module
        # docstring): off, so replicas run no rule evaluation and need no ha_peers cluster.
        settings["unified_alerting"] = {"enabled": False}
    return settings


@dataclass(frozen=True)
class _Siblings:
    """The uids a datasource links to: metrics (exemplars, span and service-graph metrics),
    logs and traces of the same tenant."""

    metrics: str = DATASOURCE_PROMETHEUS
    logs: str = DATASOURCE_LOKI
    traces: str = DATASOURCE_TEMPO


def datasources(stack: Stack) -> list[Json]:
    """Every provisioned datasource, defaults first, then one per tenant for each backend."""
    namespace = stack.kubernetes.namespace
    default_tenant = tenant(stack)
    scrape = stack.platform.scrape_interval
    sources: list[Json] = []
    if stack.platform.mimir:
        sources.append(
            _prometheus(
                DATASOURCE_PROMETHEUS, "Metrics", mimir_url(namespace), default_tenant, scrape
            )
        )
        sources.append(
            _prometheus(
                DATASOURCE_PROMETHEUS_HOT,
                "Prometheus (hot)",
                prometheus_url(namespace),
                None,
                scrape,
            )
        )
    else:
        sources.append(
            _prometheus(DATASOURCE_PROMETHEUS, "Metrics", prometheus_url(namespace), None, scrape)
        )
    sources.append(_loki(DATASOURCE_LOKI, "Logs", loki_url(namespace), default_tenant))
    traces_url = tempo_url(namespace, stack.platform.tempo_mode == "distributed")
    sources.append(_tempo(DATASOURCE_TEMPO, "Traces", traces_url, default_tenant))
    sources.append(
        {
            "name": "Alertmanager",
            "uid": DATASOURCE_ALERTMANAGER,
            "type": "alertmanager",
            "access": "proxy",
            "url": alertmanager_url(namespace),
            "jsonData": {"implementation": "prometheus", "handleGrafanaManagedAlerts": False},
        }
    )
    for name in stack.platform.tenants:
        # A tenant's datasources link to each other, never to another tenant's data.
        siblings = _Siblings(
            metrics=f"{DATASOURCE_PROMETHEUS}-{name}"
            if stack.platform.mimir
            else DATASOURCE_PROMETHEUS,
            logs=f"{DATASOURCE_LOKI}-{name}",
            traces=f"{DATASOURCE_TEMPO}-{name}",
        )
        if stack.platform.mimir:
            sources.append(
                _prometheus(
                    siblings.metrics,
                    f"Metrics ({name})",
                    mimir_url(namespace),
                    name,
                    scrape,
                    siblings,
                )
            )
        sources.append(_loki(siblings.logs, f"Logs ({name})", loki_url(namespace), name, siblings))
        sources.append(_tempo(siblings.traces, f"Traces ({name})", traces_url, name, siblings))
    return sources


def _tenant_header(tenant_name: str | None) -> tuple[Values, Values]:
    """(jsonData, secureJsonData) that send X-Scope-OrgID; the tenant name is not a secret,
    but Grafana only takes custom header values from secureJsonData."""
    if tenant_name is None:
        return {}, {}
    return {"httpHeaderName1": TENANT_HEADER}, {"httpHeaderValue1": tenant_name}


def _source(
    uid: str, name: str, kind: str, url: str, tenant_name: str | None, json_data: Values
) -> Values:
    header, secure = _tenant_header(tenant_name)
    source: Values = {
        "name": name,
        "uid": uid,
        "type": kind,
        "access": "proxy",
        "url": url,
        "isDefault": uid == DATASOURCE_PROMETHEUS,
        "jsonData": {**json_data, **header},
    }
    if secure:
        source["secureJsonData"] = secure
    return source


def _prometheus(
    uid: str,
    name: str,
    url: str,
    tenant_name: str | None,
    scrape_interval: str,
    siblings: _Siblings | None = None,
) -> Values:
    siblings = siblings or _Siblings()
    return _source(
        uid,
        name,
        "prometheus",
        url,
        tenant_name,
        {
            "httpMethod": "POST",
            # The scrape interval: `$__rate_interval` is at least four of it, so every rate
            # window holds enough samples.
            "timeInterval": scrape_interval,
            # Exemplars (span metrics) link a latency point to its trace.
            "exemplarTraceIdDestinations": [{"name": TRACE_ID, "datasourceUid": siblings.traces}],
        },
    )


def _loki(
    uid: str, name: str, url: str, tenant_name: str | None, siblings: _Siblings | None = None
) -> Values:
    siblings = siblings or _Siblings()
    return _source(
        uid,
        name,
        "loki",
        url,
        tenant_name,
        {
            # trace_id is structured metadata (not a label); matcherType "label" reads it.
            # `$$` because Grafana expands environment variables in provisioning files.
            "derivedFields": [
                {
                    "name": "TraceID",
                    "matcherType": "label",
                    "matcherRegex": TRACE_ID,
                    "datasourceUid": siblings.traces,
                    "url": "$${__value.raw}",
                    "urlDisplayLabel": "View trace",
                }
            ],
        },
    )


def _tempo(
    uid: str, name: str, url: str, tenant_name: str | None, siblings: _Siblings | None = None
) -> Values:
    siblings = siblings or _Siblings()
    return _source(
        uid,
        name,
        "tempo",
        url,
        tenant_name,
        {
            "tracesToLogsV2": {
                "datasourceUid": siblings.logs,
                "spanStartTimeShift": "-5m",
                "spanEndTimeShift": "5m",
                "filterByTraceID": True,
                "tags": [{"key": "service.name", "value": "service"}],
            },
            # A span opens its service's span metrics (rate, errors, p95) around it; `$$`
            # escapes Grafana's environment expansion, leaving `$__tags` for Grafana.
            "tracesToMetrics": {
                "datasourceUid": siblings.metrics,
                "spanStartTimeShift": "-30m",
                "spanEndTimeShift": "30m",
                "tags": [{"key": "service.name", "value": SPAN_SERVICE_LABEL}],
                # Copies: values files are written without YAML anchors.
                "queries": [dict(query) for query in TRACE_METRIC_QUERIES],
            },
            # traces_service_graph_* from the collectors' servicegraph connector.
            "serviceMap": {"datasourceUid": siblings.metrics},
            "lokiSearch": {"datasourceUid": siblings.logs},
            "nodeGraph": {"enabled": True},
        },
    )
