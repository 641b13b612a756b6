"""Names we refer to, looked up among deployed objects: each check on a small hand-made world."""

import pytest

from o11y.manifests import Manifest
from o11y.references import (
    Deployed,
    asked_sizes,
    collector_problems,
    logql_problems,
    monitor_problems,
    prometheus_selector_problems,
    query_problems,
    runbook_queries,
    selects,
    url_problems,
    volume_problems,
    webhook_problems,
)

NS = "observability"


def _meta(name: str, labels: dict[str, str] | None = None, namespace: str = NS) -> Manifest:
    return {"name": name, "namespace": namespace, "labels": labels or {}}


def workload(kind: str, name: str, labels: dict[str, str], container: str = "app") -> Manifest:
    return {
        "kind": kind,
        "metadata": _meta(name),
        "spec": {
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": container, "ports": [{"name": "metrics"}]}]},
            }
        },
    }


def service(
    name: str, selector: dict[str, str], port: int = 8080, labels: dict[str, str] | None = None
) -> Manifest:
    return {
        "kind": "Service",
        "metadata": _meta(name, {**selector, **(labels or {})}),
        "spec": {"selector": selector, "ports": [{"name": "metrics", "port": port}]},
    }


def service_monitor(
    name: str, match: dict[str, str], port: str = "metrics", **spec: object
) -> Manifest:
    return {
        "kind": "ServiceMonitor",
        "metadata": _meta(name, {"release": "kps"}),
        "spec": {"selector": {"matchLabels": match}, "endpoints": [{"port": port}], **spec},
    }


def pod_monitor(name: str, match: dict[str, str]) -> Manifest:
    return {
        "kind": "PodMonitor",
        "metadata": _meta(name, {"release": "kps"}),
        "spec": {"selector": {"matchLabels": match}, "podMetricsEndpoints": [{"port": "metrics"}]},
    }


def deployed(*objects: Manifest) -> Deployed:
    return Deployed(NS, objects)


GATEWAY = workload("Deployment", "gateway", {"app": "gateway"})
GATEWAY_SERVICE = service("gateway", {"app": "gateway"})


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ({}, {"a": "1"}, True),
        ({"matchLabels": {"a": "1"}}, {"a": "1", "b": "2"}, True),
        ({"matchLabels": {"a": "1"}}, {"a": "2"}, False),
        ({"matchExpressions": [{"key": "a", "operator": "In", "values": ["1"]}]}, {"a": "1"}, True),
        (
            {"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]},
            {"a": "1"},
            False,
        ),
        ({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]}, {}, True),
        ({"matchExpressions": [{"key": "a", "operator": "Exists"}]}, {}, False),
        ({"matchExpressions": [{"key": "a", "operator": "DoesNotExist"}]}, {}, True),
    ],
)
def test_label_selectors_match_as_kubernetes_does(
    selector: dict[str, object], labels: dict[str, str], expected: bool
) -> None:
    assert selects(selector, labels) is expected


def test_scrape_jobs_are_named_as_prometheus_operator_names_them() -> None:
    world = deployed(
        GATEWAY,
        GATEWAY_SERVICE,
        service("state", {"app": "state"}, labels={"app.kubernetes.io/name": "kube-state-metrics"}),
        workload("Deployment", "state", {"app": "state"}),
        service_monitor("plain", {"app": "gateway"}),
        service_monitor(
            "by-label",
            {"app.kubernetes.io/name": "kube-state-metrics"},
            jobLabel="app.kubernetes.io/name",
        ),
        service_monitor(
            "kubelet",
            {"k8s-app": "kubelet"},
            jobLabel="k8s-app",
            namespaceSelector={"matchNames": ["kube-system"]},
        ),
        service_monitor(
            "prefixed",
            {"app": "gateway"},
            endpoints=[
                {
                    "port": "metrics",
                    "relabelings": [
                        {
                            "sourceLabels": ["job"],
                            "targetLabel": "job",
                            "replacement": "observability/$1",
                        }
                    ],
                }
            ],
        ),
        service_monitor(
            "apps",
            {"app": "checkout"},
            namespaceSelector={"matchNames": ["apps"]},
            endpoints=[
                {"port": "http", "relabelings": [{"targetLabel": "job", "replacement": "checkout"}]}
            ],
        ),
        pod_monitor("agent", {"app": "agent"}),
        {"kind": "Probe", "metadata": _meta("health"), "spec": {"jobName": "health"}},
        {"kind": "Probe", "metadata": _meta("tls"), "spec": {}},
    )
    assert world.jobs == {
        "gateway",
        "kube-state-metrics",
        "kubelet",
        "observability/gateway",
        "checkout",
        "observability/agent",
        "health",
        "probe/observability/tls",
    }


def test_a_monitor_that_selects_nothing_or_a_missing_port_is_reported() -> None:
    world = deployed(
        GATEWAY,
        GATEWAY_SERVICE,
        service_monitor("ok", {"app": "gateway"}),
        service_monitor("nothing", {"app": "agent"}),
        service_monitor("wrong-port", {"app": "gateway"}, port="http"),
        pod_monitor("no-pods", {"app": "agent"}),
        service_monitor("elsewhere", {"app": "x"}, namespaceSelector={"matchNames": ["apps"]}),
    )
    assert monitor_problems(world) == [
        "ServiceMonitor/nothing: selects no Service",
        "ServiceMonitor/wrong-port: no port named http on what it selects",
        "PodMonitor/no-pods: selects no pod",
    ]


def test_a_collector_nobody_scrapes_is_reported() -> None:
    collector = {"app.kubernetes.io/name": "opentelemetry-collector", "app": "agent"}
    agent = workload("DaemonSet", "agent", collector)
    assert collector_problems(deployed(agent)) == [
        "DaemonSet/agent: no ServiceMonitor or PodMonitor scrapes this collector"
    ]
    assert collector_problems(deployed(agent, pod_monitor("agent", {"app": "agent"}))) == []
    # Through a Service: the ServiceMonitor selects the Service, the Service the pods.
    through_service = deployed(
        agent, service("agent", {"app": "agent"}), service_monitor("agent", {"app": "agent"})
    )
    assert collector_problems(through_service) == []


def test_in_cluster_urls_must_name_a_service_and_one_of_its_ports() -> None:
    world = deployed(GATEWAY_SERVICE, service("web", {"app": "web"}, port=80))
    texts = {
        "ok.yaml": "url: http://gateway.observability.svc:8080/x and http://web.observability.svc/y",
        "bad.yaml": "a: http://gone.observability.svc:80 b: gateway.observability.svc.cluster.local:9999",
        "default-port.yaml": "url: http://gateway.observability.svc/api",
        "other.yaml": "url: http://checkout.apps.svc:80",
    }
    assert url_problems(world, texts) == [
        "bad.yaml: gateway.observability.svc.cluster.local:9999: Service gateway has no port 9999",
        "bad.yaml: http://gone.observability.svc:80: no Service gone is deployed",
        "default-port.yaml: http://gateway.observability.svc: Service gateway has no port 80",
    ]


def _stateful_set(size: str) -> Manifest:
    return {
        "kind": "StatefulSet",
        "metadata": _meta("loki-compactor"),
        "spec": {
            "volumeClaimTemplates": [{"spec": {"resources": {"requests": {"storage": size}}}}]
        },
    }


def test_a_volume_of_another_size_than_asked_is_reported() -> None:
    values = {"compactor": {"persistence": {"size": "50Gi", "claims": []}}, "replicas": 3}
    assert asked_sizes(values) == {"50Gi"}
    assert volume_problems("loki", values, [_stateful_set("50Gi")]) == []
    assert volume_problems("loki", values, [_stateful_set("10Gi")]) == [
        "loki: StatefulSet/loki-compactor claims 10Gi; the stack asks 50Gi"
    ]
    # Nothing asked: the chart decides.
    assert volume_problems("loki", {"replicas": 3}, [_stateful_set("10Gi")]) == []


def test_prometheus_must_select_every_rule_and_monitor() -> None:
    rule: Manifest = {"kind": "PrometheusRule", "metadata": _meta("ours", {"app": "o11y"})}
    monitor = service_monitor("gateway", {"app": "gateway"})

    def prometheus(**spec: object) -> Manifest:
        return {"kind": "Prometheus", "metadata": _meta("prom"), "spec": spec}

    everything = prometheus(ruleSelector={}, serviceMonitorSelector={}, ruleNamespaceSelector={})
    assert prometheus_selector_problems(deployed(everything, rule, monitor)) == []
    only_release = prometheus(
        ruleSelector={"matchLabels": {"release": "kps"}}, serviceMonitorSelector={}
    )
    assert prometheus_selector_problems(deployed(only_release, rule, monitor)) == [
        "Prometheus/prom does not select PrometheusRule/ours"
    ]
    no_monitors = prometheus(ruleSelector={})
    assert prometheus_selector_problems(deployed(no_monitors, monitor)) == [
        "Prometheus/prom does not select ServiceMonitor/gateway"
    ]
    assert prometheus_selector_problems(deployed(rule)) == [
        "no Prometheus is deployed in the namespace"
    ]


WORLD = deployed(
    workload(
        "DaemonSet", "otel-agent-agent", {"app": "agent"}, container="opentelemetry-collector"
    ),
    workload("StatefulSet", "loki-ingester", {"app": "ingester"}, container="ingester"),
    GATEWAY,
    GATEWAY_SERVICE,
    service_monitor("gateway", {"app": "gateway"}),
)


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        (
            'kube_daemonset_status_number_unavailable{daemonset="otel-agent-agent", namespace="observability"}',
            None,
        ),
        (
            'kube_daemonset_status_number_unavailable{daemonset="otel-agent", namespace="observability"}',
            'daemonset="otel-agent" matches nothing deployed',
        ),
        ('kube_statefulset_replicas{statefulset="loki-ingester"}', None),
        ('kube_pod_status_ready{namespace="observability", pod=~"otel-agent-agent-.*"}', None),
        ('kube_pod_status_ready{namespace="observability", pod=~"loki-ingester-[0-9]+"}', None),
        (
            'kube_pod_status_ready{namespace="observability", pod=~"tempo-.*"}',
            'pod=~"tempo-.*" matches nothing deployed',
        ),
        (
            'container_memory_working_set_bytes{namespace="observability", container="ingester"}',
            None,
        ),
        (
            'container_memory_working_set_bytes{namespace="observability", container="nginx"}',
            'container="nginx" matches nothing deployed',
        ),
        ('up{job="gateway"}', None),
        ('up{job=~"(.+/)?gateway(-.+)?"}', None),
        ('up{job="kubelet"}', 'job="kubelet" matches nothing deployed'),
        # A runbook's placeholder for the value the alert carries.
        ('up{service="<service>",job="<service>"}', None),
        ('up{job="<service"}', 'job="<service" matches nothing deployed'),
        # Other namespaces are not rendered here.
        ('kube_deployment_status_replicas{namespace="apps", deployment="checkout"}', None),
        ('up{job!="gateway"}', None),
    ],
)
def test_rule_and_runbook_queries_name_only_what_is_deployed(
    query: str, problem: str | None
) -> None:
    problems = query_problems(WORLD, "r", query)
    assert problems == ([] if problem is None else [f"r: {problem}"])


@pytest.mark.parametrize(
    ("query", "problems"),
    [
        ('{service="checkout", level=~"error|fatal"} |= "timeout"', []),
        (
            '{namespace="observability", service=~"opentelemetry-collector"} | k8s_pod_name=~"otel-.*"',
            [],
        ),
        (
            '{namespace="observability", pod=~"loki.*"} |= "error"',
            ["pod is not a Loki index label (service, namespace, level)"],
        ),
        (
            '{consumer_group="games"} | json',
            ["consumer_group is not a Loki index label (service, namespace, level)"],
        ),
        (
            '{namespace="observability", service="loki"}',
            ['service="loki" is no deployed container'],
        ),
    ],
)
def test_log_queries_use_index_labels_and_deployed_containers(
    query: str, problems: list[str]
) -> None:
    assert logql_problems(WORLD, "r", query) == [f"r: {p}" for p in problems]


def test_runbook_queries_are_read_from_their_code_blocks() -> None:
    text = '# A\n\n```promql\nup == 0\n```\n\ntext {x}\n\n```logql\n{service="a"}\n```\n\n```sh\nkubectl\n```\n'
    assert list(runbook_queries(text)) == [("promql", "up == 0\n"), ("logql", '{service="a"}\n')]


def _webhook_world(*policies: Manifest) -> Deployed:
    webhook: Manifest = {
        "kind": "ValidatingWebhookConfiguration",
        "metadata": {"name": "zpdb"},
        "webhooks": [
            {
                "name": "zpdb.example.com",
                "clientConfig": {"service": {"namespace": NS, "name": "rollout", "port": 443}},
            }
        ],
    }
    rollout = service("rollout", {"app": "rollout"})
    rollout["spec"] = {"selector": {"app": "rollout"}, "ports": [{"port": 443, "targetPort": 8443}]}
    return deployed(
        webhook, rollout, workload("Deployment", "rollout", {"app": "rollout"}), *policies
    )


def _policy(name: str, match: dict[str, str], *rules: Manifest) -> Manifest:
    return {
        "kind": "NetworkPolicy",
        "metadata": _meta(name),
        "spec": {
            "podSelector": {"matchLabels": match},
            "policyTypes": ["Ingress"],
            "ingress": list(rules),
        },
    }


SAME_NAMESPACE: Manifest = {
    "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": NS}}}]
}


def test_a_policy_that_isolates_a_webhook_must_admit_the_api_server() -> None:
    assert webhook_problems(_webhook_world()) == []
    assert webhook_problems(_webhook_world(_policy("other", {"app": "loki"}, SAME_NAMESPACE))) == []
    assert webhook_problems(_webhook_world(_policy("same-ns", {}, SAME_NAMESPACE))) == [
        "NetworkPolicy/same-ns blocks the API server from webhook zpdb.example.com "
        "(Service/rollout port 443)"
    ]
    webhook_port: Manifest = {"ports": [{"port": 8443}]}
    assert (
        webhook_problems(_webhook_world(_policy("admits", {}, SAME_NAMESPACE, webhook_port))) == []
    )
    other_port: Manifest = {"ports": [{"port": 9090}]}
    assert webhook_problems(_webhook_world(_policy("wrong-port", {}, other_port))) != []


def test_a_webhook_whose_service_is_missing_is_reported() -> None:
    world = deployed(*(o for o in _webhook_world().objects if o["kind"] != "Service"))
    assert webhook_problems(world) == [
        "ValidatingWebhookConfiguration/zpdb: webhook zpdb.example.com calls Service rollout, "
        "which is not deployed"
    ]
