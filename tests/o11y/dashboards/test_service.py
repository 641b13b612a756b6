"""The service dashboards: one per catalog service, every query selecting that service only,
RED per route with zero-filled shares and exemplars, saturation against the pods' limits,
traces and logs loaded only when opened."""

import re

from o11y.model.stack import Stack
from tests.o11y.dashboards.shop import (
    by_uid,
    model,
    rows_and_panels,
    targets,
    titled,
)
from tests.trees import as_list, dicts, dig, text


def test_every_catalog_service_has_its_dashboard_and_a_new_entry_gets_one(shop: Stack) -> None:
    found = by_uid(shop)
    for service in shop.services:
        board = found[f"o11y-service-{service.name}"]
        assert board.title == f"Service: {service.display_name}"
        assert board.folder.title == "Services"
        assert model(board)["tags"] == sorted(["o11y", "services", service.name, "team-platform"])
    newcomer = shop.service("search").model_copy(update={"name": "cart", "display_name": "Cart"})
    stack = shop.model_copy(update={"services": [*shop.services, newcomer]})
    assert "o11y-service-cart" in by_uid(stack)


def test_every_service_query_selects_that_service_only(shop: Stack) -> None:
    own = re.compile(
        r'(?<![\w])(?:slo_service|service|service_name|server|client|resource\.service\.name)="([^"]*)"'
    )
    for service in shop.services:
        board = by_uid(shop)[f"o11y-service-{service.name}"]
        queries = [
            text(
                t.get("expr") or t.get("query") or " ".join(map(str, as_list(t["serviceMapQuery"])))
            )
            for _, t in targets(board)
        ]
        assert len(queries) >= 20
        for query in queries:
            assert set(own.findall(query)) == {service.name}, query


def test_red_per_route_with_zero_filled_error_shares_and_exemplars(shop: Stack) -> None:
    board = titled(by_uid(shop)["o11y-service-checkout"])
    rate = 'sum by (route) (rate(http_requests_total{service="checkout"}[$__rate_interval]))'
    assert dig(board["Request rate by route"], "targets", 0, "expr") == rate
    server = (
        'sum by (route) (rate(http_requests_total{code=~"5..",service="checkout"}'
        "[$__rate_interval]))"
    )
    assert dig(board["Errors by route (4xx / 5xx share)"], "targets", 0, "expr") == (
        f"({server} or {rate} * 0) / {rate}"
    )
    latency = board["Latency by route p95 / p99"]
    assert all(t["exemplar"] is True for t in dicts(latency["targets"]))
    # The service's own p95 threshold (catalog: 0.25s) is drawn on the latency panel.
    assert dig(latency, "fieldConfig", "defaults", "thresholds", "steps", 1, "value") == 0.25
    spans = board["Span latency p95 by operation"]
    assert dig(spans, "targets", 0, "exemplar") is True
    assert "traces_span_metrics_duration_milliseconds_bucket" in text(
        dig(spans, "targets", 0, "expr")
    )


def test_saturation_is_measured_against_the_limits_of_the_services_own_pods(shop: Stack) -> None:
    board = titled(by_uid(shop)["o11y-service-checkout"])
    cpu = text(dig(board["CPU against limit"], "targets", 0, "expr"))
    assert cpu == (
        'sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{namespace="store",'
        'container!="",container!="POD"}[$__rate_interval])) / sum by (namespace, pod) '
        '(kube_pod_container_resource_limits{namespace="store",container!="",'
        'container!="POD",resource="cpu"}) and on (namespace, pod) '
        'up{service="checkout",job="checkout"}'
    )
    assert "container_cpu_cfs_throttled_periods_total" in text(
        dig(board["CPU throttling"], "targets", 0, "expr")
    )
    assert 'resource="memory"' in text(dig(board["Memory against limit"], "targets", 0, "expr"))


def test_traces_and_logs_of_a_service_load_only_when_opened(shop: Stack) -> None:
    board = by_uid(shop)["o11y-service-checkout"]
    for panel, collapsed in rows_and_panels(board):
        if (
            dig(panel, "datasource", "type") in ("loki", "tempo")
            if "datasource" in panel
            else False
        ):
            assert collapsed, panel["title"]
    service_map = titled(board)["Service map"]
    assert [t["serviceMapQuery"] for t in dicts(service_map["targets"])] == [
        ['{server="checkout"}', '{client="checkout"}']
    ]
