"""Does every name the stack refers to exist in what gets deployed?

The cross-check between our artifacts and the objects the pinned charts render: workloads, pods,
containers and scrape jobs named by our rules and runbook queries; ServiceMonitors and
PodMonitors that select something; collectors whose own metrics are scraped; in-cluster URLs
that are a Service and one of its ports; volumes of the size the stack asks; and a Prometheus
whose selectors pick up our rules and monitors. Only our namespace is checked: what lives in
the applications' namespaces is not rendered here.
"""

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property

from o11y.helm.loki import STREAM_LABELS
from o11y.manifestcheck import describe
from o11y.manifests import Manifest

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet")
# kube-state-metrics labels a series with its workload under the lower-cased kind.
WORKLOAD_LABELS = {kind.lower(): kind for kind in WORKLOAD_KINDS}
MONITOR_KINDS = ("ServiceMonitor", "PodMonitor")
# The label every OpenTelemetry Collector pod of the chart carries.
COLLECTOR_LABELS = {"app.kubernetes.io/name": "opentelemetry-collector"}

_SELECTOR = re.compile(r"\{([^{}$]*)\}")
_MATCHER = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"')
_CODE_BLOCK = re.compile(r"```(promql|logql)\n(.*?)```", re.DOTALL)


def _map(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _labels(value: object) -> dict[str, str]:
    return {str(k): str(v) for k, v in _map(value).items()}


def selects(selector: object, labels: Mapping[str, str]) -> bool:
    """A Kubernetes label selector (matchLabels and matchExpressions) against a label set."""
    selector = _map(selector)
    if any(labels.get(k) != v for k, v in _labels(selector.get("matchLabels")).items()):
        return False
    for expression in _list(selector.get("matchExpressions")):
        expression = _map(expression)
        key, operator = str(expression.get("key")), expression.get("operator")
        values = [str(v) for v in _list(expression.get("values"))]
        present = key in labels
        if (
            (operator == "In" and labels.get(key) not in values)
            or (operator == "NotIn" and present and labels[key] in values)
            or (operator == "Exists" and not present)
            or (operator == "DoesNotExist" and present)
        ):
            return False
    return True


@dataclass(frozen=True)
class PodTemplate:
    workload: Manifest
    labels: dict[str, str]
    spec: Mapping[str, object]

    @property
    def kind(self) -> str:
        return str(self.workload["kind"])

    @property
    def name(self) -> str:
        return str(_map(self.workload["metadata"])["name"])

    def example_pod_name(self) -> str:
        """What its pods are called: StatefulSets number them, the others add random suffixes."""
        suffix = {"StatefulSet": "0", "Deployment": "7c9d8f6b5d-x2x4q"}.get(self.kind, "x2x4q")
        return f"{self.name}-{suffix}"

    def containers(self) -> list[Mapping[str, object]]:
        return [
            _map(c) for key in ("containers", "initContainers") for c in _list(self.spec.get(key))
        ]


@dataclass(frozen=True)
class Deployed:
    """Every object one stack deploys in its namespace: the charts' and ours."""

    namespace: str
    objects: tuple[Manifest, ...]

    def of_kind(self, *kinds: str) -> list[Manifest]:
        return [
            o
            for o in self.objects
            if o.get("kind") in kinds
            and _map(o.get("metadata")).get("namespace", self.namespace) == self.namespace
        ]

    @cached_property
    def services(self) -> dict[str, Manifest]:
        return {str(_map(s["metadata"])["name"]): s for s in self.of_kind("Service")}

    @cached_property
    def pods(self) -> list[PodTemplate]:
        templates = []
        for workload in self.of_kind(*WORKLOAD_KINDS):
            template = _map(_map(workload.get("spec")).get("template"))
            templates.append(
                PodTemplate(
                    workload,
                    _labels(_map(template.get("metadata")).get("labels")),
                    _map(template.get("spec")),
                )
            )
        return templates

    @cached_property
    def containers(self) -> set[str]:
        return {str(c.get("name")) for pod in self.pods for c in pod.containers()}

    def monitor_namespaces(self, monitor: Manifest) -> list[str] | None:
        """The namespaces a monitor looks in; None for any."""
        spec = _map(monitor.get("spec"))
        namespaces = _map(spec.get("namespaceSelector"))
        if namespaces.get("any"):
            return None
        names = [str(n) for n in _list(namespaces.get("matchNames"))]
        own = str(_map(monitor.get("metadata")).get("namespace", self.namespace))
        return names or [own]

    def is_local(self, monitor: Manifest) -> bool:
        """Whether every target of the monitor lives in our namespace (so is rendered here)."""
        return self.monitor_namespaces(monitor) == [self.namespace]

    def selected_services(self, monitor: Manifest) -> list[Manifest]:
        selector = _map(monitor.get("spec")).get("selector")
        return [
            s
            for s in self.services.values()
            if selects(selector, _labels(_map(s["metadata"]).get("labels")))
        ]

    def selected_pods(self, monitor: Manifest) -> list[PodTemplate]:
        """The pods a ServiceMonitor (through its Services) or a PodMonitor scrapes."""
        if monitor.get("kind") == "PodMonitor":
            selector = _map(monitor.get("spec")).get("selector")
            return [pod for pod in self.pods if selects(selector, pod.labels)]
        return [
            pod
            for service in self.selected_services(monitor)
            for pod in self.pods
            if _service_selects(service, pod)
        ]

    @cached_property
    def jobs(self) -> set[str]:
        """Every `job` label value Prometheus gives the targets of the monitors and probes."""
        jobs: set[str] = set()
        for monitor in self.of_kind(*MONITOR_KINDS, "Probe"):
            jobs.update(self._jobs(monitor))
        return jobs

    def _jobs(self, monitor: Manifest) -> Iterator[str]:
        # As prometheus-operator builds scrape configs: ServiceMonitor targets get the Service's
        # name (or its `jobLabel` label's value), PodMonitors `namespace/name` (or jobLabel),
        # Probes `probe/namespace/name` (or jobName); endpoint relabelings may rewrite it.
        spec = _map(monitor.get("spec"))
        metadata = _map(monitor.get("metadata"))
        name, namespace = metadata.get("name"), metadata.get("namespace", self.namespace)
        kind = monitor.get("kind")
        if kind == "Probe":
            yield str(spec.get("jobName") or f"probe/{namespace}/{name}")
            return
        job_label = spec.get("jobLabel")
        defaults: list[str] = []
        if kind == "PodMonitor":
            defaults = [f"{namespace}/{name}"]
        elif self.is_local(monitor):
            for service in self.selected_services(monitor):
                labels = _labels(_map(service["metadata"]).get("labels"))
                fallback = str(_map(service["metadata"])["name"])
                defaults.append(labels.get(str(job_label), fallback) if job_label else fallback)
        else:
            # Services elsewhere (the kubelet's, the API server's): the selector's own label.
            wanted = _labels(_map(spec.get("selector")).get("matchLabels"))
            if job_label and str(job_label) in wanted:
                defaults = [wanted[str(job_label)]]
        endpoints = _list(spec.get("endpoints") or spec.get("podMetricsEndpoints"))
        rewrites = [
            relabel
            for endpoint in endpoints
            for relabel in map(_map, _list(_map(endpoint).get("relabelings")))
            if relabel.get("targetLabel") == "job" and "replacement" in relabel
        ]
        if not rewrites:
            yield from defaults
        for relabel in rewrites:
            if "$" not in str(relabel["replacement"]):
                yield str(relabel["replacement"])
            else:
                yield from (_relabel(relabel, job) for job in defaults)


def _relabel(relabel: Mapping[str, object], job: str) -> str:
    pattern = str(relabel.get("regex", "(.*)"))
    replacement = str(relabel["replacement"])
    match = re.fullmatch(pattern, job)
    if match is None:
        return job
    return re.sub(r"\$\{?(\d+)\}?", lambda m: match.group(int(m.group(1))) or "", replacement)


def _service_selects(service: Manifest, pod: PodTemplate) -> bool:
    selector = _labels(_map(service.get("spec")).get("selector"))
    return bool(selector) and all(pod.labels.get(k) == v for k, v in selector.items())


def _service_ports(service: Manifest) -> list[Mapping[str, object]]:
    return [_map(p) for p in _list(_map(service.get("spec")).get("ports"))]


# ---------------------------------------------------------------------------------------------
# The checks. Each returns problems as `what: why`.


def monitor_problems(deployed: Deployed) -> list[str]:
    """Every monitor in our namespace selects a target, on a port that exists."""
    problems = []
    for monitor in deployed.of_kind(*MONITOR_KINDS):
        if not deployed.is_local(monitor):
            continue
        spec = _map(monitor.get("spec"))
        if monitor.get("kind") == "PodMonitor":
            pods = deployed.selected_pods(monitor)
            if not pods:
                problems.append(f"{describe(monitor)}: selects no pod")
                continue
            ports = {
                str(_map(p).get("name"))
                for pod in pods
                for c in pod.containers()
                for p in _list(c.get("ports"))
            }
            endpoints = spec.get("podMetricsEndpoints")
        else:
            services = deployed.selected_services(monitor)
            if not services:
                problems.append(f"{describe(monitor)}: selects no Service")
                continue
            ports = {str(p.get("name")) for s in services for p in _service_ports(s)}
            endpoints = spec.get("endpoints")
        for endpoint in _list(endpoints):
            port = _map(endpoint).get("port")
            if port is not None and str(port) not in ports:
                problems.append(f"{describe(monitor)}: no port named {port} on what it selects")
    return problems


def collector_problems(deployed: Deployed) -> list[str]:
    """Every OpenTelemetry Collector's own metrics are scraped."""
    scraped = {
        id(pod.workload)
        for monitor in deployed.of_kind(*MONITOR_KINDS)
        if deployed.is_local(monitor)
        for pod in deployed.selected_pods(monitor)
    }
    return [
        f"{pod.kind}/{pod.name}: no ServiceMonitor or PodMonitor scrapes this collector"
        for pod in deployed.pods
        if selects({"matchLabels": COLLECTOR_LABELS}, pod.labels)
        and id(pod.workload) not in scraped
    ]


def url_problems(deployed: Deployed, texts: Mapping[str, str]) -> list[str]:
    """Every `<service>.<namespace>.svc[:port]` in our files is a Service with that port."""
    pattern = re.compile(
        rf"(https?://)?\b([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.{re.escape(deployed.namespace)}"
        r"\.svc(?:\.cluster\.local)?(?::(\d+))?"
    )
    problems = set()
    for source, text in texts.items():
        for match in pattern.finditer(text):
            scheme, name, port = match.groups()
            service = deployed.services.get(name)
            if service is None:
                problems.add(f"{source}: {match.group(0)}: no Service {name} is deployed")
                continue
            wanted = int(port) if port else {"http://": 80, "https://": 443}.get(scheme or "")
            if wanted is not None and wanted not in {
                p.get("port") for p in _service_ports(service)
            }:
                problems.add(f"{source}: {match.group(0)}: Service {name} has no port {wanted}")
    return sorted(problems)


def claimed_sizes(manifests: Iterable[Manifest]) -> Iterator[tuple[str, str]]:
    """(object, size) for every volume claim: PVCs, StatefulSet claim templates, and the
    storage templates of Prometheus and Alertmanager."""
    for manifest in manifests:
        spec = _map(manifest.get("spec"))
        claims: list[Mapping[str, object]] = []
        if manifest.get("kind") == "PersistentVolumeClaim":
            claims = [manifest]
        elif manifest.get("kind") == "StatefulSet":
            claims = [_map(c) for c in _list(spec.get("volumeClaimTemplates"))]
        elif manifest.get("kind") in ("Prometheus", "Alertmanager"):
            template = _map(_map(spec.get("storage")).get("volumeClaimTemplate"))
            claims = [template] if template else []
        for claim in claims:
            requests = _map(_map(_map(claim.get("spec")).get("resources")).get("requests"))
            if "storage" in requests:
                yield describe(manifest), str(requests["storage"])


def asked_sizes(values: object, under_volume: bool = False) -> set[str]:
    """Every volume size a values document asks: `size`/`storage` under a persistence or
    volume-claim key."""
    found: set[str] = set()
    if isinstance(values, Mapping):
        for key, value in values.items():
            volume = under_volume or bool(re.search("persistence|claim|storage", str(key), re.I))
            if volume and key in ("size", "storage") and isinstance(value, str):
                found.add(value)
            found |= asked_sizes(value, volume)
    elif isinstance(values, list):
        for item in values:
            found |= asked_sizes(item, under_volume)
    return found


def volume_problems(release: str, values: object, manifests: Iterable[Manifest]) -> list[str]:
    """Every volume the release claims has a size the stack asked for."""
    asked = asked_sizes(values)
    if not asked:
        return []
    return [
        f"{release}: {what} claims {size}; the stack asks {' or '.join(sorted(asked))}"
        for what, size in claimed_sizes(manifests)
        if size not in asked
    ]


_PROMETHEUS_SELECTORS = {
    "PrometheusRule": ("ruleSelector", "ruleNamespaceSelector"),
    "ServiceMonitor": ("serviceMonitorSelector", "serviceMonitorNamespaceSelector"),
    "PodMonitor": ("podMonitorSelector", "podMonitorNamespaceSelector"),
    "Probe": ("probeSelector", "probeNamespaceSelector"),
}


def prometheus_selector_problems(deployed: Deployed) -> list[str]:
    """The Prometheus in our namespace picks up every rule and monitor we deploy there."""
    servers = deployed.of_kind("Prometheus")
    if not servers:
        return ["no Prometheus is deployed in the namespace"]
    problems = []
    for server in servers:
        spec = _map(server.get("spec"))
        for kind, (selector, namespaces) in _PROMETHEUS_SELECTORS.items():
            for item in deployed.of_kind(kind):
                labels = _labels(_map(item.get("metadata")).get("labels"))
                # A null selector selects nothing; a null namespace selector means "its own".
                if spec.get(selector) is None or not selects(spec.get(selector), labels):
                    problems.append(f"{describe(server)} does not select {describe(item)}")
                elif spec.get(namespaces) is not None and not selects(
                    spec.get(namespaces), {"kubernetes.io/metadata.name": deployed.namespace}
                ):
                    problems.append(f"{describe(server)} does not look in {deployed.namespace}")
    return sorted(set(problems))


def query_problems(deployed: Deployed, source: str, promql: str) -> list[str]:
    """Names a PromQL query uses in our namespace that no deployed object has."""
    problems = []
    for matchers in _selectors(promql):
        ours = matchers.get("namespace", ("=", deployed.namespace)) == ("=", deployed.namespace)
        for label, (operator, value) in matchers.items():
            if operator not in ("=", "=~") or _PLACEHOLDER.fullmatch(value):
                continue
            if label == "job":
                candidates = deployed.jobs
            elif ours and label in WORKLOAD_LABELS:
                candidates = {
                    pod.name for pod in deployed.pods if pod.kind == WORKLOAD_LABELS[label]
                }
            elif ours and label == "pod" and "namespace" in matchers:
                candidates = {pod.example_pod_name() for pod in deployed.pods}
            elif ours and label == "container" and "namespace" in matchers:
                candidates = deployed.containers
            else:
                continue
            if not _matches_any(operator, value, candidates):
                problems.append(f'{source}: {label}{operator}"{value}" matches nothing deployed')
    return problems


def logql_problems(deployed: Deployed, source: str, logql: str) -> list[str]:
    """Stream selectors on labels Loki indexes, naming services that log in our namespace."""
    problems = []
    for matchers in _selectors(logql):
        for label in sorted(set(matchers) - set(STREAM_LABELS)):
            problems.append(
                f"{source}: {label} is not a Loki index label ({', '.join(STREAM_LABELS)})"
            )
        # The log agent names platform logs after their container.
        if matchers.get("namespace") == ("=", deployed.namespace) and "service" in matchers:
            operator, value = matchers["service"]
            if operator in ("=", "=~") and not _matches_any(operator, value, deployed.containers):
                problems.append(f'{source}: service{operator}"{value}" is no deployed container')
    return problems


# A runbook page of an alert templated per service or dependency writes the values that vary
# as `<label>`: the responder puts in the value from the alert.
_PLACEHOLDER = re.compile(r"<[a-z_]+>")


def runbook_queries(text: str) -> Iterator[tuple[str, str]]:
    """(language, query) for every promql/logql block of a runbook."""
    for match in _CODE_BLOCK.finditer(text):
        yield match.group(1), match.group(2)


def _selectors(query: str) -> Iterator[dict[str, tuple[str, str]]]:
    for group in _SELECTOR.finditer(query):
        yield {
            label: (operator, value.replace("\\\\", "\\"))
            for label, operator, value in _MATCHER.findall(group.group(1))
        }


def _matches_any(operator: str, value: str, candidates: Iterable[str]) -> bool:
    if operator == "=":
        return value in candidates
    try:
        pattern = re.compile(value)
    except re.error:
        return True  # promtool reports a bad regular expression
    return any(pattern.fullmatch(candidate) for candidate in candidates)


def webhook_problems(deployed: Deployed) -> list[str]:
    """The API server can reach every admission webhook served from our namespace: a
    NetworkPolicy that isolates the webhook's pods must admit any source on its port (the API
    server's address is no pod's)."""
    problems = []
    for configuration in deployed.of_kind(
        "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"
    ):
        for webhook in map(_map, _list(_map(configuration).get("webhooks"))):
            target = _map(_map(webhook.get("clientConfig")).get("service"))
            if target.get("namespace") != deployed.namespace:
                continue
            service = deployed.services.get(str(target.get("name")))
            if service is None:
                problems.append(
                    f"{describe(configuration)}: webhook {webhook.get('name')} calls Service "
                    f"{target.get('name')}, which is not deployed"
                )
                continue
            port = int(str(target.get("port", 443)))
            target_ports = {
                str(p.get("targetPort", p.get("port")))
                for p in _service_ports(service)
                if p.get("port") == port
            }
            pods = [pod for pod in deployed.pods if _service_selects(service, pod)]
            for policy in deployed.of_kind("NetworkPolicy"):
                spec = _map(policy.get("spec"))
                if "Ingress" not in map(str, _list(spec.get("policyTypes") or ["Ingress"])):
                    continue
                isolated = [p for p in pods if selects(spec.get("podSelector"), p.labels)]
                if isolated and not any(
                    _admits_anyone(_map(rule), target_ports) for rule in _list(spec.get("ingress"))
                ):
                    problems.append(
                        f"{describe(policy)} blocks the API server from webhook "
                        f"{webhook.get('name')} ({describe(service)} port {port})"
                    )
    return sorted(set(problems))


def _admits_anyone(rule: Mapping[str, object], target_ports: set[str]) -> bool:
    sources = _list(rule.get("from"))
    from_anywhere = not sources or any(
        _map(_map(source).get("ipBlock")).get("cidr") in ("0.0.0.0/0", "::/0") for source in sources
    )
    ports = _list(rule.get("ports"))
    on_port = not ports or any(str(_map(p).get("port")) in target_ports for p in ports)
    return from_anywhere and on_port
