"""OpenTelemetry Collector values: the trace gateway (tail sampling), its load-balancing
tier, and the log agent (a DaemonSet shipping every pod's JSON stdout to Loki, P3).

Trace path: apps -> `otel-gateway` Service (OTLP, Jaeger) -> [load-balancing tier, only when
more than one sampler runs: spans routed by trace id so one sampler sees a whole trace] ->
tail-sampling gateway -> Tempo. The first tier also derives RED metrics with exemplars from
every span (spanmetrics connector) before sampling and remote-writes them, labelled with the
collector pod that counted them: to Mimir when it runs (prod), else to the single Prometheus.
"""

import math
import re

from o11y.conventions import (
    RELEASE_OTEL_AGENT,
    RELEASE_OTEL_GATEWAY,
    RELEASE_OTEL_SAMPLER,
    loki_url,
    mimir_push_url,
    prometheus_url,
    tempo_otlp_endpoint,
)
from o11y.helm.pods import (
    INSTANCE_LABEL,
    TENANT_HEADER,
    Json,
    Values,
    is_ha,
    resources,
    spread,
    tenant,
)
from o11y.model.stack import Stack

# The contrib distribution has tail_sampling, loadbalancing, spanmetrics and transform.
IMAGE = "otel/opentelemetry-collector-contrib"
# The sampler waits at least this long for a trace's spans before deciding.
MIN_DECISION_WAIT_SECONDS = 10
# Histogram buckets of the span metrics (seconds), aligned with the services' HTTP buckets.
SPAN_BUCKETS = (
    "5ms",
    "10ms",
    "25ms",
    "50ms",
    "100ms",
    "250ms",
    "500ms",
    "1s",
    "2500ms",
    "5s",
    "10s",
    "30s",
)


# Every span-metric series carries the name of the gateway pod that counted it: each replica
# sees a different share of the spans, so without it their counters would be one series that
# seems to reset whenever another replica writes.
COLLECTOR_POD_LABEL = "collector_pod"
# The pod's own name from the downward API (the chart only sets MY_POD_IP).
POD_NAME_ENV = "MY_POD_NAME"
_POD_NAME_FROM_DOWNWARD_API: Json = {
    "name": POD_NAME_ENV,
    "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}},
}


def sampler_tier_name(stack: Stack) -> str:
    """The release that runs the tail sampler: behind the load balancer when there is one."""
    return RELEASE_OTEL_SAMPLER if has_load_balancer(stack) else RELEASE_OTEL_GATEWAY


def has_load_balancer(stack: Stack) -> bool:
    """A load-balancing tier runs when more than one tail-sampling gateway does."""
    return stack.platform.replicas.otel_gateway > 1


# The loadbalancing exporter's k8s resolver watches the samplers' endpoints (collector-contrib
# loadbalancingexporter README); the chart offers a ClusterRole for it.
_RESOLVER_ROLE: Values = {
    "create": True,
    "rules": [
        {"apiGroups": [""], "resources": ["endpoints"], "verbs": ["get", "list", "watch"]},
        {
            "apiGroups": ["discovery.k8s.io"],
            "resources": ["endpointslices"],
            "verbs": ["get", "list", "watch"],
        },
    ],
}


def samples(stack: Stack) -> bool:
    """Tail sampling runs below 100% (dev keeps every trace)."""
    return stack.platform.tracing.sampling_percent < 100


def gateway_values(stack: Stack) -> Values:
    """The release apps send to (`otel-gateway`): the sampler itself, or the load balancer."""
    if has_load_balancer(stack):
        return _collector(
            stack,
            "deployment",
            _load_balancer_config(stack),
            {
                **_deployment_extras(stack, RELEASE_OTEL_GATEWAY),
                "clusterRole": _RESOLVER_ROLE,
                "extraEnvs": [_POD_NAME_FROM_DOWNWARD_API],
            },
        )
    return _collector(
        stack,
        "deployment",
        _sampler_config(stack, first_tier=True),
        {
            **_deployment_extras(stack, RELEASE_OTEL_GATEWAY),
            "extraEnvs": [_POD_NAME_FROM_DOWNWARD_API],
        },
    )


def sampler_values(stack: Stack) -> Values:
    """The tail-sampling tier behind the load balancer (only when `has_load_balancer`)."""
    return _collector(
        stack,
        "deployment",
        _sampler_config(stack, first_tier=False),
        _deployment_extras(stack, RELEASE_OTEL_SAMPLER),
    )


def agent_values(stack: Stack) -> Values:
    """The log agent: a DaemonSet reading /var/log/pods (the chart's logsCollection preset)."""
    return {
        "fullnameOverride": RELEASE_OTEL_AGENT,
        "mode": "daemonset",
        "image": {"repository": IMAGE},
        "presets": {
            "logsCollection": {"enabled": True, "includeCollectorLogs": False},
            "kubernetesAttributes": {"enabled": True},
        },
        "resources": resources(stack, "otel_agent"),
        "config": without_unused_chart_defaults(_agent_config(stack)),
        # A DaemonSet has no Service for a ServiceMonitor to select: its pods are scraped
        # directly, so log shipping failures (otelcol_exporter_*) reach Prometheus.
        "podMonitor": {"enabled": True, "metricsEndpoints": [{"port": "metrics"}]},
        # The agent only reads files: no receiver ports (no hostPorts taken on the nodes).
        "ports": _ports({}),
    }


# The chart's default configuration (values.yaml `config:`), which Helm merges under ours:
# its pipelines and receivers we do not use are removed by setting them to null.
_CHART_PIPELINES = ("logs", "metrics", "traces")
_CHART_RECEIVERS = ("jaeger", "otlp", "prometheus", "zipkin")


def without_unused_chart_defaults(config: Values) -> Values:
    """`config` plus nulls that delete the chart's default pipelines and receivers it does not use."""
    service = config["service"]
    assert isinstance(service, dict)
    pipelines = service["pipelines"]
    assert isinstance(pipelines, dict)
    used: set[str] = set()
    for pipeline in pipelines.values():
        assert isinstance(pipeline, dict)
        names = pipeline["receivers"]
        assert isinstance(names, list)
        used.update(str(name) for name in names)
    receivers = config.get("receivers") or {}
    assert isinstance(receivers, dict)
    return {
        **config,
        "receivers": {**{r: None for r in _CHART_RECEIVERS if r not in used}, **receivers},
        "service": {
            **service,
            "pipelines": {**{p: None for p in _CHART_PIPELINES if p not in pipelines}, **pipelines},
        },
    }


def _collector(stack: Stack, mode: str, config: Values, extras: Values) -> Values:
    return {
        "mode": mode,
        "image": {"repository": IMAGE},
        "resources": resources(stack, "otel_gateway"),
        "config": without_unused_chart_defaults(config),
        "serviceMonitor": {"enabled": True, "metricsEndpoints": [{"port": "metrics"}]},
        "ports": _ports(config),
        **extras,
    }


# The chart's default container ports, by the receiver that listens on them.
_PORTS_OF_RECEIVER = {
    "otlp": ("otlp", "otlp-http"),
    "jaeger": ("jaeger-compact", "jaeger-grpc", "jaeger-thrift"),
    "zipkin": ("zipkin",),
}


def _ports(config: Values) -> Values:
    """The collector's metrics port on, and only the ports of receivers it runs."""
    receivers = config.get("receivers") or {}
    assert isinstance(receivers, dict)
    ports: Values = {"metrics": {"enabled": True}}
    for receiver, names in _PORTS_OF_RECEIVER.items():
        for name in names:
            ports[name] = {"enabled": receiver in receivers}
    return ports


def _deployment_extras(stack: Stack, release: str) -> Values:
    extras: Values = {
        "fullnameOverride": release,
        "replicaCount": stack.platform.replicas.otel_gateway,
        "affinity": spread(stack, {INSTANCE_LABEL: release}),
    }
    if is_ha(stack) and stack.platform.replicas.otel_gateway > 1:
        extras["podDisruptionBudget"] = {"enabled": True, "minAvailable": 1}
    return extras


def _receivers() -> Values:
    return {
        "otlp": {
            "protocols": {
                "grpc": {"endpoint": "${env:MY_POD_IP}:4317"},
                "http": {"endpoint": "${env:MY_POD_IP}:4318"},
            }
        },
        "jaeger": {
            "protocols": {
                "grpc": {"endpoint": "${env:MY_POD_IP}:14250"},
                "thrift_http": {"endpoint": "${env:MY_POD_IP}:14268"},
                "thrift_compact": {"endpoint": "${env:MY_POD_IP}:6831"},
            }
        },
    }


# Where span and service-graph metrics are remote-written (span_metrics_remote_write).
METRICS_EXPORTER = "prometheusremotewrite/spanmetrics"
# traces_service_graph_request_total, ..._failed_total and ..._server_seconds (Tempo's service
# map and node graph in Grafana). A client span waits up to 10s for its server span.
SERVICE_GRAPH: Values = {
    "latency_histogram_buckets": list[Json](SPAN_BUCKETS),
    "store": {"ttl": "10s", "max_items": 10000},
}


def _span_metrics(stack: Stack) -> tuple[Values, Values]:
    """(connectors, exporters) that turn every span into RED metrics with exemplars."""
    connectors: Values = {
        "spanmetrics": {
            "histogram": {"explicit": {"buckets": list[Json](SPAN_BUCKETS)}},
            "exemplars": {"enabled": True},
            "namespace": "traces.span.metrics",
            "dimensions": [{"name": "http.route"}, {"name": "http.request.method"}],
        }
    }
    exporters: Values = {METRICS_EXPORTER: span_metrics_remote_write(stack)}
    return connectors, exporters


def span_metrics_remote_write(stack: Stack) -> Values:
    """Where the span metrics go: straight to Mimir when it runs, since the Prometheus Service
    would hand each write to one replica of the HA pair and Mimir keeps only one replica's
    samples; else to the one Prometheus (its remote-write receiver)."""
    namespace = stack.kubernetes.namespace
    target: Values = (
        {"endpoint": mimir_push_url(namespace), "headers": {TENANT_HEADER: tenant(stack)}}
        if stack.platform.mimir
        else {"endpoint": f"{prometheus_url(namespace)}/api/v1/write"}
    )
    return {
        **target,
        "external_labels": {COLLECTOR_POD_LABEL: f"${{env:{POD_NAME_ENV}}}"},
        # Off: resource attributes (host, process, pod ip) would become unbounded labels;
        # service.name becomes `job` and the connector's `service_name` dimension.
        "resource_to_telemetry_conversion": {"enabled": False},
    }


def _tempo_exporter(stack: Stack) -> Values:
    distributed = stack.platform.tempo_mode == "distributed"
    return {
        "otlp/tempo": {
            "endpoint": tempo_otlp_endpoint(stack.kubernetes.namespace, distributed),
            "tls": {"insecure": True},
            "headers": {TENANT_HEADER: tenant(stack)},
        }
    }


def _processors() -> Values:
    return {
        # 80%/25% of the container limit (collector docs' recommended memory_limiter setup).
        "memory_limiter": {
            "check_interval": "1s",
            "limit_percentage": 80,
            "spike_limit_percentage": 25,
        },
        "batch": {},
    }


def operation_pattern(glob: str) -> str:
    """A span-name glob (`billing.*`) as an anchored RE2 pattern, dots matched literally."""
    return "^" + ".*".join(re.escape(part).replace("\\.", "[.]") for part in glob.split("*")) + "$"


def tail_sampling(stack: Stack) -> Values:
    """Keep every error, every slow trace and every critical operation; sample the rest."""
    tracing = stack.platform.tracing
    policies: list[Json] = [
        {"name": "errors", "type": "status_code", "status_code": {"status_codes": ["ERROR"]}},
        {"name": "slow", "type": "latency", "latency": {"threshold_ms": tracing.slow_threshold_ms}},
    ]
    if tracing.keep_operations:
        policies.append(
            {
                "name": "critical-operations",
                "type": "ottl_condition",
                "ottl_condition": {
                    "error_mode": "ignore",
                    "span": [
                        f'IsMatch(name, "{operation_pattern(glob)}")'
                        for glob in tracing.keep_operations
                    ],
                },
            }
        )
    policies.append(
        {
            "name": "everything-else",
            "type": "probabilistic",
            "probabilistic": {"sampling_percentage": tracing.sampling_percent},
        }
    )
    return {"decision_wait": decision_wait(stack), "policies": policies}


def decision_wait(stack: Stack) -> str:
    """Long enough for the slowest catalog service's p99 request (llm-orchestrator: 30s), so a
    trace is complete when the sampler decides; never under 10s."""
    slowest = max(service.latency_p99_seconds for service in stack.services)
    return f"{max(MIN_DECISION_WAIT_SECONDS, math.ceil(slowest))}s"


def _sampler_config(stack: Stack, *, first_tier: bool) -> Values:
    processors = _processors()
    trace_processors: list[Json] = ["memory_limiter"]
    if samples(stack):
        processors["tail_sampling"] = tail_sampling(stack)
        trace_processors.append("tail_sampling")
    trace_processors.append("batch")
    exporters = _tempo_exporter(stack)
    pipelines: Values = {
        "traces": {
            "receivers": ["otlp", "jaeger"] if first_tier else ["otlp"],
            "processors": trace_processors,
            "exporters": ["otlp/tempo"],
        },
    }
    config: Values = {
        "receivers": _receivers() if first_tier else {"otlp": _receivers()["otlp"]},
        "processors": processors,
        "exporters": exporters,
        "service": {"pipelines": pipelines},
    }
    # This tier sees whole traces (the only tier, or the sampler behind the trace-ID load
    # balancer): the service graph pairs client and server spans here, before sampling.
    receivers: list[Json] = ["otlp", "jaeger"] if first_tier else ["otlp"]
    exporters[METRICS_EXPORTER] = span_metrics_remote_write(stack)
    config["connectors"] = {"servicegraph": SERVICE_GRAPH}
    pipelines["traces/servicegraph"] = {
        "receivers": receivers,
        "processors": ["memory_limiter"],
        "exporters": ["servicegraph"],
    }
    pipelines["metrics/servicegraph"] = {
        "receivers": ["servicegraph"],
        "processors": ["batch"],
        "exporters": [METRICS_EXPORTER],
    }
    if first_tier:
        connectors, metric_exporters = _span_metrics(stack)
        exporters.update(metric_exporters)
        config["connectors"] = {**connectors, "servicegraph": SERVICE_GRAPH}
        pipelines["traces/spanmetrics"] = {
            "receivers": ["otlp", "jaeger"],
            "processors": ["memory_limiter"],
            "exporters": ["spanmetrics"],
        }
        pipelines["metrics/spanmetrics"] = {
            "receivers": ["spanmetrics"],
            "processors": ["batch"],
            "exporters": [METRICS_EXPORTER],
        }
    return config


def _load_balancer_config(stack: Stack) -> Values:
    connectors, metric_exporters = _span_metrics(stack)
    sampler = f"{sampler_tier_name(stack)}.{stack.kubernetes.namespace}"
    return {
        "receivers": _receivers(),
        "processors": _processors(),
        "connectors": connectors,
        "exporters": {
            # Every span of a trace goes to the same sampler (routing key traceID).
            "loadbalancing": {
                "routing_key": "traceID",
                "protocol": {"otlp": {"tls": {"insecure": True}}},
                "resolver": {"k8s": {"service": sampler, "ports": [4317]}},
            },
            **metric_exporters,
        },
        "service": {
            "pipelines": {
                "traces": {
                    "receivers": ["otlp", "jaeger"],
                    "processors": ["memory_limiter"],
                    "exporters": ["loadbalancing", "spanmetrics"],
                },
                "metrics/spanmetrics": {
                    "receivers": ["spanmetrics"],
                    "processors": ["batch"],
                    "exporters": [METRICS_EXPORTER],
                },
            }
        },
    }


def _agent_config(stack: Stack) -> Values:
    """JSON stdout -> attributes; `service`/`namespace`/`level` as resource attributes (Loki
    index labels); trace_id onto the log record (structured metadata in Loki, never a label)."""
    return {
        "processors": {
            **_processors(),
            "transform/json": {
                "error_mode": "ignore",
                "log_statements": [
                    {
                        "context": "log",
                        "conditions": ['IsMatch(log.body, "^\\\\s*\\\\{")'],
                        "statements": [
                            'merge_maps(log.attributes, ParseJSON(log.body), "upsert")',
                            'set(log.severity_text, log.attributes["level"]) where log.attributes["level"] != nil',
                            'set(log.trace_id.string, log.attributes["trace_id"]) where log.attributes["trace_id"] != nil',
                        ],
                    },
                    {
                        "context": "log",
                        "statements": [
                            'set(log.attributes["level"], "info") where log.attributes["level"] == nil',
                            'set(resource.attributes["namespace"], resource.attributes["k8s.namespace.name"])',
                            'set(resource.attributes["service"], resource.attributes["k8s.container.name"]) where resource.attributes["service"] == nil',
                            'set(resource.attributes["service"], log.attributes["service"]) where log.attributes["service"] != nil',
                        ],
                    },
                ],
            },
            # One resource per level, so `level` can be a resource attribute (an index label).
            "groupbyattrs/level": {"keys": ["level"]},
        },
        "exporters": {
            "otlphttp/loki": {
                "endpoint": f"{loki_url(stack.kubernetes.namespace)}/otlp",
                "headers": {TENANT_HEADER: tenant(stack)},
            }
        },
        "service": {
            "pipelines": {
                "logs": {
                    # The presets' receiver and processor, under the names the chart
                    # rewrites the old ones to (`filelog`, `k8sattributes` are deprecated).
                    "receivers": ["file_log"],
                    "processors": [
                        "memory_limiter",
                        "k8s_attributes",
                        "transform/json",
                        "groupbyattrs/level",
                        "batch",
                    ],
                    "exporters": ["otlphttp/loki"],
                }
            }
        },
    }
