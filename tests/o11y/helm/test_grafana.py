"""Grafana values: how the Deployment rolls over its volume; datasources that rate over the
scrape interval and whose correlation links (logs -> traces, traces -> logs and metrics,
exemplars, service map) stay within their tenant; pods placed as the pinned chart renders them."""

from pathlib import Path

import pytest

from o11y import conventions as names
from o11y.helm.grafana import datasources, deployment_strategy, values
from o11y.helm.pods import tenant
from o11y.model.stack import Stack
from tests.o11y.helm.placement import placement_of, pod_specs
from tests.o11y.helm.stacks import ZONES, by_name, prod
from tests.small_stacks import PROD, small_stack
from tests.trees import as_dict, as_list, dicts, dig, text


@pytest.mark.parametrize(
    ("access_modes", "strategy"),
    [
        (("ReadWriteOnce",), "Recreate"),
        (("ReadWriteOncePod",), "Recreate"),
        (("ReadWriteMany",), "RollingUpdate"),
    ],
    ids=[
        "a volume one node mounts is released before the new pod starts",
        "a volume one pod mounts is released before the new pod starts",
        "a volume every node mounts allows a rolling update",
    ],
)
def test_the_strategy_follows_the_volume_access_mode(
    access_modes: tuple[str, ...], strategy: str
) -> None:
    assert deployment_strategy(access_modes) == {"type": strategy}


def test_the_deployment_recreates_its_pod_on_its_read_write_once_volume() -> None:
    grafana = values(small_stack())
    assert dig(grafana, "persistence", "accessModes") == ["ReadWriteOnce"]
    assert dig(grafana, "deploymentStrategy") == {"type": "Recreate"}


def test_with_a_database_two_grafanas_roll_one_at_a_time_without_a_volume() -> None:
    grafana = values(small_stack("prod"))
    assert grafana["replicas"] == 2
    assert grafana["persistence"] == {"enabled": False}
    assert grafana["deploymentStrategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0},
    }
    assert grafana["podDisruptionBudget"] == {"maxUnavailable": 1}
    assert dig(
        grafana,
        "affinity",
        "podAntiAffinity",
        "requiredDuringSchedulingIgnoredDuringExecution",
        0,
        "labelSelector",
        "matchLabels",
    ) == {
        "app.kubernetes.io/name": "grafana",
        "app.kubernetes.io/instance": "grafana",
    }


def test_the_database_is_configured_in_grafana_ini_and_its_password_comes_from_a_secret() -> None:
    database = {
        "host": "pg.internal",
        "port": 6432,
        "name": "dash",
        "user": "graf",
        "sslmode": "verify-full",
    }
    grafana = values(
        small_stack(
            "prod", {"platform": {**as_dict(PROD["platform"]), "grafana_database": database}}
        )
    )
    assert dig(grafana, "grafana.ini", "database") == {
        "type": "postgres",
        "host": "pg.internal:6432",
        "name": "dash",
        "user": "graf",
        "ssl_mode": "verify-full",
    }
    assert grafana["envValueFrom"] == {
        "GF_DATABASE_PASSWORD": {"secretKeyRef": {"name": "grafana-database", "key": "password"}}
    }
    # Alerting runs in Prometheus and Alertmanager; replicas need no gossip cluster.
    assert dig(grafana, "grafana.ini", "unified_alerting") == {"enabled": False}


def test_without_a_database_one_grafana_keeps_sqlite_on_its_volume() -> None:
    grafana = values(small_stack("dev"))
    assert grafana["replicas"] == 1
    assert dig(grafana, "persistence", "enabled") is True
    assert "database" not in as_dict(grafana["grafana.ini"])
    assert "unified_alerting" not in as_dict(grafana["grafana.ini"])
    assert {"envValueFrom", "podDisruptionBudget", "affinity"}.isdisjoint(grafana)


def test_with_zones_grafanas_spread_over_them() -> None:
    zones = ["z1", "z2", "z3"]
    grafana = values(
        small_stack("prod", {"platform": {**as_dict(PROD["platform"]), "zones": zones}})
    )
    (term,) = as_list(
        dig(
            grafana,
            "affinity",
            "nodeAffinity",
            "requiredDuringSchedulingIgnoredDuringExecution",
            "nodeSelectorTerms",
        )
    )
    assert dig(term, "matchExpressions", 0, "values") == zones
    assert [dig(c, "topologyKey") for c in as_list(grafana["topologySpreadConstraints"])] == [
        "topology.kubernetes.io/zone",
        "kubernetes.io/hostname",
    ]


def stack_with(env: str) -> Stack:
    """A small stack with two tenants and a 20s scrape interval."""
    platform = PROD["platform"] if env == "prod" else {}
    assert isinstance(platform, dict)
    return small_stack(
        env,
        {"platform": {**platform, "tenants": ["acme", "globex"], "scrape_interval": "20s"}},
    )


def provisioned(env: str) -> dict[str, dict[str, object]]:
    return {text(s["uid"]): s for s in dicts(datasources(stack_with(env)))}


def tenant_of(source: dict[str, object]) -> str | None:
    secure = as_dict(source.get("secureJsonData", {}))
    value = secure.get("httpHeaderValue1")
    return None if value is None else text(value)


def links(source: dict[str, object]) -> list[str]:
    """The uids a datasource's correlation settings point at."""
    data = as_dict(source["jsonData"])
    found = [text(d["datasourceUid"]) for d in dicts(data.get("derivedFields", []))]
    found += [text(d["datasourceUid"]) for d in dicts(data.get("exemplarTraceIdDestinations", []))]
    for key in ("tracesToLogsV2", "tracesToMetrics", "serviceMap", "lokiSearch"):
        if key in data:
            found.append(text(dig(data, key, "datasourceUid")))
    return found


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_every_prometheus_datasource_rates_over_the_scrape_interval(env: str) -> None:
    metrics = [s for s in provisioned(env).values() if s["type"] == "prometheus"]
    assert metrics
    assert {dig(s, "jsonData", "timeInterval") for s in metrics} == {"20s"}


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_every_correlation_link_stays_within_its_tenant(env: str) -> None:
    sources = provisioned(env)
    platform_tenant = tenant(stack_with(env))
    followed = 0
    for source in sources.values():
        for uid in links(source):
            target = sources[uid]
            followed += 1
            # A Prometheus without a tenant header (no Mimir, or the hot one) holds the platform
            # tenant's metrics: it links to the platform tenant's traces.
            if tenant_of(source) is None:
                assert tenant_of(target) in (platform_tenant, None), (source["uid"], uid)
            # Without Mimir a tenant's traces link to the one untenanted Prometheus.
            elif target["type"] == "prometheus" and env == "dev":
                assert tenant_of(target) is None, (source["uid"], uid)
            else:
                assert tenant_of(target) == tenant_of(source), (source["uid"], uid)
    # Each tenant's Tempo links to logs (twice), metrics and its service map.
    tempos = [s for s in sources.values() if s["type"] == "tempo"]
    assert len(tempos) == 3 and all(len(links(t)) == 4 for t in tempos)
    assert followed > 4 * len(tempos)


def test_a_span_opens_its_services_span_metrics() -> None:
    tempo = provisioned("prod")["tempo-acme"]
    to_metrics = as_dict(dig(tempo, "jsonData", "tracesToMetrics"))
    assert to_metrics["datasourceUid"] == "prometheus-acme"
    assert to_metrics["tags"] == [{"key": "service.name", "value": "service_name"}]
    queries = {text(q["name"]): text(q["query"]) for q in dicts(to_metrics["queries"])}
    assert queries == {
        "Request rate": "sum by (span_name) (rate(traces_span_metrics_calls_total{$$__tags}[5m]))",
        "Error rate": "sum by (span_name) (rate(traces_span_metrics_calls_total"
        '{$$__tags, status_code="STATUS_CODE_ERROR"}[5m]))',
        "p95 latency (ms)": "histogram_quantile(0.95, sum by (le, span_name) "
        "(rate(traces_span_metrics_duration_milliseconds_bucket{$$__tags}[5m])))",
    }


def test_the_rendered_grafana_pods_are_placed_as_our_values_say(
    tmp_path: Path, pinned_charts: Path, helm: str
) -> None:
    stack = prod(ZONES)
    ours = values(stack)
    (pod,) = pod_specs(stack, "grafana", tmp_path, pinned_charts, helm).values()
    assert placement_of(pod) == (None, ours["affinity"], ours["topologySpreadConstraints"])


# The small prod stack with a second tenant.
TWO_TENANTS = {"platform": {**as_dict(PROD["platform"]), "tenants": ["default", "billing"]}}


def test_grafana_provisions_every_datasource_with_tenants_and_correlation() -> None:
    values = by_name("prod", TWO_TENANTS)["grafana"].values
    sources = {
        s["uid"]: s for s in dicts(dig(values, "datasources", "datasources.yaml", "datasources"))
    }
    assert set(sources) == {
        "prometheus",
        "prometheus-hot",
        "loki",
        "tempo",
        "alertmanager",
        "prometheus-default",
        "loki-default",
        "tempo-default",
        "prometheus-billing",
        "loki-billing",
        "tempo-billing",
    }
    assert sources["prometheus"]["url"] == "http://mimir-gateway.obs.svc:80/prometheus"
    assert sources["loki-billing"]["secureJsonData"] == {"httpHeaderValue1": "billing"}
    assert dig(sources["loki"], "jsonData", "derivedFields", 0, "datasourceUid") == "tempo"
    assert dig(sources["tempo"], "jsonData", "tracesToLogsV2", "datasourceUid") == "loki"
    assert (
        dig(sources["prometheus"], "jsonData", "exemplarTraceIdDestinations", 0, "name")
        == "trace_id"
    )
    assert dig(values, "admin", "existingSecret") == names.SECRET_GRAFANA_ADMIN
    assert dig(values, "ingress", "annotations", "cert-manager.io/cluster-issuer") == "issuer"
    assert dig(values, "ingress", "tls", 0, "hosts") == ["grafana.o11y.example.org"]
    dev_sources = dig(by_name("dev")["grafana"].values, "datasources", "datasources.yaml")
    dev_uids = {s["uid"]: s["url"] for s in dicts(dig(dev_sources, "datasources"))}
    assert dev_uids["prometheus"] == "http://kube-prometheus-stack-prometheus.obs.svc:9090"


def test_each_tenants_datasources_link_only_to_the_same_tenant() -> None:
    values = by_name("prod", TWO_TENANTS)["grafana"].values
    sources = {
        s["uid"]: s for s in dicts(dig(values, "datasources", "datasources.yaml", "datasources"))
    }
    tempo = as_dict(sources["tempo-billing"]["jsonData"])
    assert dig(tempo, "tracesToLogsV2", "datasourceUid") == "loki-billing"
    assert dig(tempo, "tracesToMetrics", "datasourceUid") == "prometheus-billing"
    assert dig(tempo, "serviceMap", "datasourceUid") == "prometheus-billing"
    assert dig(tempo, "lokiSearch", "datasourceUid") == "loki-billing"
    loki = sources["loki-billing"]
    assert dig(loki, "jsonData", "derivedFields", 0, "datasourceUid") == "tempo-billing"
    exemplars = dig(sources["prometheus-billing"], "jsonData", "exemplarTraceIdDestinations", 0)
    assert dig(exemplars, "datasourceUid") == "tempo-billing"
