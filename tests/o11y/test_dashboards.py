"""Dashboards as code, on a small catalog of this file's own: built with the foundation SDK and
accepted by its models, every service and dependency covered, queries selecting through the one
selector source, panels that display what is true (tables, decimals, 0 instead of no data),
datasource variables, empty variables that filter nothing, heavy log panels collapsed, and
every PromQL expression parsed and the zero-filled shares evaluated by promtool."""

import json
import os
import re
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
import yaml
from grafana_foundation_sdk.models import dashboard as sdk_dashboard
from grafana_foundation_sdk.models import stat as sdk_stat
from grafana_foundation_sdk.models import table as sdk_table
from grafana_foundation_sdk.models import timeseries as sdk_timeseries

from o11y.config import parse_stack, read_stack_file
from o11y.conventions import dashboard_uid
from o11y.dashboards import Dashboard, dashboard_files, dashboards, unread_by_the_sdk
from o11y.dashboards.logs import saved_queries
from o11y.dashboards.promql import error_ratio
from o11y.dashboards.queries import panel_queries
from o11y.dashboards.slo import sli_decimals
from o11y.helm.grafana import datasources
from o11y.model.stack import Stack
from tests.conftest import ROOT
from tests.trees import as_dict, as_list, dicts, dig, integer, text

CATALOG: Mapping[str, object] = {
    "teams": [
        {
            "name": "platform",
            "display_name": "Shop",
            "slack_channel": "#shop",
            "email": "shop@example.org",
            "rotation": [
                {"name": "A", "email": "a@example.org"},
                {"name": "B", "email": "b@example.org"},
                {"name": "C", "email": "c@example.org"},
            ],
            "lead": {"name": "L", "email": "l@example.org", "role": "manager"},
        }
    ],
    "dependencies": [
        {"kind": "postgres", "name": "orders-db", "host": "pg.data.svc", "database": "orders"},
        {"kind": "redis", "name": "sessions", "host": "redis.data.svc"},
        {"kind": "kafka", "name": "bus", "brokers": ["k:9092"], "consumer_groups": ["mailer"]},
        {"kind": "partner_api", "name": "bank", "partner_label": "bank"},
    ],
    "services": [
        {
            "name": "checkout",
            "display_name": "Checkout",
            "team": "platform",
            "namespace": "store",
            "port": 8080,
            "error_rate_page_percent": 2,
            "latency_p95_seconds": 0.25,
            "slos": [
                {"name": "availability", "objective": 99.95},
                {"name": "fast", "kind": "latency", "objective": 99, "threshold_seconds": 0.5},
            ],
            "endpoints": [
                {
                    "route": "/api/billing/pay",
                    "method": "POST",
                    "p50_seconds": 0.1,
                    "p95_seconds": 0.5,
                    "p99_seconds": 1,
                }
            ],
            "metrics": [{"name": "payments_usd_total", "title": "Paid", "unit": "currencyUSD"}],
        },
        {
            "name": "search",
            "display_name": "Search",
            "team": "platform",
            "namespace": "store",
            "port": 8081,
        },
    ],
    "business_rules": [
        {
            "name": "pay-failures",
            "title": "Payment failures",
            "service": "checkout",
            "total_metric": "billing_pay_attempts_total",
            "failed_metric": "billing_pay_failures_total",
        }
    ],
    "business_domains": [
        {
            "name": "billing",
            "title": "Billing",
            "route_prefix": "/api/billing",
            "kpis": [
                {
                    "name": "billing_revenue_usd_total",
                    "title": "Revenue",
                    "service": "checkout",
                    "unit": "currencyUSD",
                    "read_as": "increase",
                    "by": "plan",
                }
            ],
            "funnels": [
                {
                    "title": "Checkout",
                    "service": "checkout",
                    "stages": [
                        {"title": "Cart", "metric": "cart_views_total"},
                        {"title": "Paid", "metric": "payments_total"},
                    ],
                }
            ],
        },
        {
            "name": "messaging",
            "title": "Messaging",
            "kpis": [
                {
                    "name": "messaging_sent_total",
                    "title": "Messages sent",
                    "service": "search",
                    "by": "channel",
                },
                {
                    "name": "messaging_delivery_seconds",
                    "title": "Delivery",
                    "service": "search",
                    "unit": "s",
                    "read_as": "p95",
                },
            ],
        },
    ],
    "cost_labels": ["plan"],
}


@pytest.fixture(scope="module")
def shop() -> Stack:
    """The dev stack's platform with this file's catalog, three tenants and a 15s scrape."""
    stack = parse_stack(read_stack_file(ROOT / "Pulumi.prod.yaml"), CATALOG, "prod")
    platform = stack.platform.model_copy(
        update={"tenants": ["shop", "partners"], "scrape_interval": "15s"}
    )
    return stack.model_copy(update={"platform": platform})


def model(dashboard: Dashboard) -> dict[str, object]:
    """The dashboard as Grafana reads it (parsed JSON)."""
    return as_dict(json.loads(dashboard.json()))


def rows_and_panels(dashboard: Dashboard) -> Iterator[tuple[dict[str, object], bool]]:
    """Every panel with whether it sits in a collapsed row (rows included)."""
    collapsed = False
    for panel in dicts(model(dashboard)["panels"]):
        if panel["type"] == "row":
            collapsed = panel["collapsed"] is True
            yield panel, False
            for inner in dicts(panel.get("panels", [])):
                yield inner, True
        else:
            yield panel, collapsed


def panels(dashboard: Dashboard) -> Iterator[dict[str, object]]:
    for panel, _ in rows_and_panels(dashboard):
        yield panel


def targets(dashboard: Dashboard) -> Iterator[tuple[dict[str, object], dict[str, object]]]:
    for panel in panels(dashboard):
        for target in dicts(panel.get("targets", [])):
            yield panel, target


def by_uid(stack: Stack) -> dict[str, Dashboard]:
    return {d.uid: d for d in dashboards(stack)}


def exprs(dashboard: Dashboard, datasource_type: str) -> list[str]:
    return [
        text(t["expr"])
        for p, t in targets(dashboard)
        if dig(p, "datasource", "type") == datasource_type
    ]


def titled(dashboard: Dashboard) -> dict[str, dict[str, object]]:
    return {text(p["title"]): p for p in panels(dashboard)}


# The SDK and the grid -------------------------------------------------------------------------


def test_the_sdk_models_read_every_dashboard_back_unchanged(shop: Stack) -> None:
    for board in dashboards(shop):
        assert unread_by_the_sdk(json.loads(board.json())) == [], board.uid
    # Panel options are read into the panel kinds' own typed models, not left as raw maps.
    overview = sdk_dashboard.Dashboard.from_json(model(by_uid(shop)["o11y-overview"]))
    kinds = {
        type(p.options)
        for p in overview.panels or []
        if isinstance(p, sdk_dashboard.Panel) and p.options is not None
    }
    assert {sdk_stat.Options, sdk_table.Options, sdk_timeseries.Options} <= kinds


def test_what_the_sdk_schema_does_not_know_is_named_by_its_path(shop: Stack) -> None:
    board = model(by_uid(shop)["o11y-overview"])
    first = dicts(board["panels"])[1]
    first["colour"] = "red"
    as_dict(dig(first, "options", "reduceOptions"))["calc"] = ["last"]
    assert unread_by_the_sdk(board) == [
        ".panels[1].colour: dropped by the schema",
        ".panels[1].options.reduceOptions.calc: dropped by the schema",
    ]


def test_files_are_sorted_json_deterministic_and_the_same_for_both_environments(
    shop: Stack,
) -> None:
    files = dashboard_files(shop)
    assert files == dashboard_files(shop)
    for path, content in files.items():
        parsed = as_dict(json.loads(content))
        assert content == json.dumps(parsed, indent=2, sort_keys=True) + "\n"
        assert path == f"grafana/dashboards/{parsed['uid']}.json"
        assert parsed["editable"] is False
    dev = parse_stack(read_stack_file(ROOT / "Pulumi.dev.yaml"), CATALOG, "dev")
    # The same dashboards in both, but for the backends that only prod runs in pieces.
    backends = "grafana/dashboards/o11y-backends.json"
    assert backends in files and backends not in dashboard_files(dev)
    assert dashboard_files(dev) == {p: c for p, c in files.items() if p != backends}


def test_panels_sit_on_the_grid_without_overlapping_and_ids_are_unique(shop: Stack) -> None:
    for board in dashboards(shop):
        cells: set[tuple[int, int]] = set()
        ids = [p["id"] for p in panels(board)]
        assert len(ids) == len(set(ids)) and 0 not in ids, board.uid
        for panel, _ in rows_and_panels(board):
            left, top, width, height = (
                integer(dig(panel, "gridPos", k)) for k in ("x", "y", "w", "h")
            )
            assert left + width <= 24, (board.uid, panel["title"])
            for x in range(left, left + width):
                for y in range(top, top + height):
                    assert (x, y) not in cells, (board.uid, panel["title"])
                    cells.add((x, y))


def test_no_dashboard_has_two_panels_or_rows_with_the_same_title(shop: Stack) -> None:
    for board in dashboards(shop):
        names = [text(p["title"]) for p in panels(board)]
        assert len(names) == len(set(names)), (
            board.uid,
            sorted(n for n in names if names.count(n) > 1),
        )


def test_uids_are_unique_stable_and_fit_grafana(shop: Stack) -> None:
    boards = dashboards(shop)
    uids = [d.uid for d in boards]
    assert uids == [
        "o11y-overview",
        "o11y-slo",
        "o11y-logs",
        "o11y-service-checkout",
        "o11y-service-search",
        "o11y-infrastructure",
        "o11y-backends",
        "o11y-cost",
        "o11y-business-billing",
        "o11y-business-messaging",
    ]
    first = dashboard_uid("service-" + "a" * 50)
    second = dashboard_uid("service-" + "a" * 49 + "b")
    assert len(first) == len(second) == 40 and first != second


# Datasources and tenants ---------------------------------------------------------------------


def test_every_panel_reads_the_datasource_variable_of_its_kind_defaulting_to_the_platform_tenant(
    shop: Stack,
) -> None:
    provisioned = {text(s["uid"]): text(s["type"]) for s in dicts(datasources(shop))}
    for board in dashboards(shop):
        variables = {
            text(v["name"]): v
            for v in dicts(dig(model(board), "templating", "list"))
            if v["type"] == "datasource"
        }
        for panel in panels(board):
            if panel["type"] in ("row", "text"):
                continue
            source = as_dict(panel["datasource"])
            name = text(source["uid"]).removeprefix("${").removesuffix("}")
            variable = variables[name]
            assert variable["query"] == source["type"], (board.uid, panel["title"])
            default = text(dig(variable, "current", "value"))
            assert provisioned[default] == source["type"]
        # A tenant's viewers can pick their tenant's datasource: every kind has one per tenant.
        for variable in variables.values():
            kind = variable["query"]
            assert sum(1 for t in provisioned.values() if t == kind) >= 3, kind


# Service dashboards -------------------------------------------------------------------------


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
        'sum by (route) (rate(http_requests_total{service="checkout", code=~"5.."}'
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
        'sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{namespace="store", '
        'container!="", container!="POD"}[$__rate_interval])) / sum by (namespace, pod) '
        '(kube_pod_container_resource_limits{namespace="store", container!="", '
        'container!="POD", resource="cpu"}) and on (namespace, pod) '
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


# Displaying the truth -----------------------------------------------------------------------


def test_shares_and_slis_show_enough_decimals(shop: Stack) -> None:
    for board in dashboards(shop):
        for panel in panels(board):
            defaults = (
                as_dict(dig(panel, "fieldConfig", "defaults")) if "fieldConfig" in panel else {}
            )
            if defaults.get("unit") == "percentunit":
                assert integer(defaults.get("decimals")) >= 2, (board.uid, panel["title"])
    sli = titled(by_uid(shop)["o11y-slo"])["Checkout availability: SLI over 30d"]
    assert dig(sli, "fieldConfig", "defaults", "decimals") == 3


@pytest.mark.parametrize(
    ("objective", "decimals"), [(99.9, 2), (99.95, 3), (99, 2), (99.999, 4), (95, 2)]
)
def test_an_sli_shows_one_decimal_more_than_its_objective(objective: float, decimals: int) -> None:
    assert sli_decimals(objective) == decimals


def test_tables_show_every_series_at_once(shop: Stack) -> None:
    tables = [
        (board.uid, panel)
        for board in dashboards(shop)
        for panel in panels(board)
        if panel["type"] == "table" and dig(panel, "datasource", "type") != "tempo"
    ]
    assert len(tables) >= 5
    for uid, panel in tables:
        steps = [t["id"] for t in dicts(panel["transformations"])]
        assert steps[:2] == ["labelsToFields", "merge"], (uid, panel["title"])
        for target in dicts(panel["targets"]):
            if dig(panel, "datasource", "type") == "prometheus":
                assert target["format"] == "table" and target["instant"] is True, panel["title"]
            else:
                assert target["queryType"] == "instant", panel["title"]


def test_the_trace_id_click_through_matches_a_column_of_the_table(shop: Stack) -> None:
    table = titled(by_uid(shop)["o11y-logs"])["Trace ids of error lines"]
    expr = text(dig(table, "targets", 0, "expr"))
    grouped = re.match(r"sum by \((\w+)\)", expr)
    assert grouped is not None
    # labelsToFields turns the grouping label into a column; the link matches that column.
    override = dig(table, "fieldConfig", "overrides", 0)
    assert dig(override, "matcher") == {"id": "byName", "options": grouped.group(1)}
    url = text(dig(override, "properties", 0, "value", 0, "url"))
    assert url.startswith("/d/o11y-logs?var-trace_id=${__value.raw}&var-service=${service}")


def test_empty_variables_match_nothing_instead_of_becoming_filters(shop: Stack) -> None:
    board = by_uid(shop)["o11y-logs"]
    textboxes = [
        text(v["name"])
        for v in dicts(dig(model(board), "templating", "list"))
        if v["type"] == "textbox"
    ]
    assert textboxes == ["trace_id", "user_id", "event_id", "route"]
    for query in exprs(board, "loki"):
        for name in textboxes:
            if f'"${name}"' in query:
                assert f'{name} != "" | {name} = "${name}"' in query, query
    # A Tempo query of an empty trace id is not sent (Grafana skips an empty trace id).
    trace = dig(titled(board)["Trace"], "targets", 0)
    assert (dig(trace, "queryType"), dig(trace, "query")) == ("traceql", "$trace_id")


def test_log_queries_over_every_service_or_many_lines_wait_in_collapsed_rows(shop: Stack) -> None:
    board = by_uid(shop)["o11y-logs"]
    queries = saved_queries(shop)
    assert len(queries) >= 10
    assert all(q.expr in exprs(board, "loki") for q in queries)
    running: list[str] = []
    for panel, collapsed in rows_and_panels(board):
        if "datasource" in panel and dig(panel, "datasource", "type") == "loki" and not collapsed:
            running.append(text(panel["title"]))
    assert running == ["Trace ids of error lines"]


def test_logql_keeps_trace_id_out_of_stream_selectors(shop: Stack) -> None:
    for board in dashboards(shop):
        for query in exprs(board, "loki"):
            assert query.count("{") == query.count("}"), query
            assert query.count("(") == query.count(")"), query
            selectors = re.findall(r"\{([^}]*)\}", query)
            assert selectors and all(re.search(r'=~?"[^"]*[^"*]', s) for s in selectors), query
            assert not re.search(r"\{[^}]*trace_id", query), query


# Overview and coverage ----------------------------------------------------------------------


def test_the_overview_opens_with_a_status_tile_per_service_linking_to_its_dashboard(
    shop: Stack,
) -> None:
    board = by_uid(shop)["o11y-overview"]
    rows = [p["title"] for p in panels(board) if p["type"] == "row"]
    assert rows == ["Status of every service", "SLOs and dependencies", "Alerts", "All services"]
    first = dicts(model(board)["panels"])[1]
    assert first["title"] == "Health probe" and integer(dig(first, "gridPos", "y")) == 1
    errors = titled(board)["5xx share"]
    for override in dicts(dig(errors, "fieldConfig", "overrides")):
        name = dig(override, "matcher", "options")
        service = next(s for s in shop.services if s.display_name == name)
        properties = {p["id"]: p["value"] for p in dicts(override["properties"])}
        assert dig(properties["links"], 0, "url") == (
            f"/d/o11y-service-{service.name}?${{__url_time_range}}"
        )
        assert dig(properties["thresholds"], "steps", 1, "value") == (
            service.error_rate_page_percent / 100
        )
    firing = text(dig(titled(board)["Firing alerts"], "targets", 0, "expr"))
    assert 'alertname!="Watchdog"' in firing


def test_infrastructure_covers_each_dependency_and_filters_by_namespace(shop: Stack) -> None:
    board = by_uid(shop)["o11y-infrastructure"]
    rows = [p["title"] for p in panels(board) if p["type"] == "row"]
    assert rows == [
        "Kubernetes cluster",
        "Nodes",
        "PostgreSQL orders-db",
        "Redis sessions",
        "Kafka bus",
        "Partner API bank",
    ]
    pending = text(dig(titled(board)["Pods pending or failed"], "targets", 0, "expr"))
    assert 'namespace=~"${namespace}"' in pending
    namespace = next(
        v for v in dicts(dig(model(board), "templating", "list")) if v["name"] == "namespace"
    )
    assert namespace["includeAll"] is True and namespace["allValue"] == ".+"
    assert (
        'sum by (consumergroup, topic) (kafka_consumergroup_lag{dependency="bus", '
        'consumergroup=~"mailer"})'
    ) in exprs(board, "prometheus")


def test_business_dashboard_has_a_funnel_failure_reasons_and_route_latency(shop: Stack) -> None:
    board = titled(by_uid(shop)["o11y-business-billing"])
    funnel = board["Payment failures: attempted and succeeded over the range"]
    attempted = 'sum(increase(billing_pay_attempts_total{service="checkout"}[$__range]))'
    failed = 'sum(increase(billing_pay_failures_total{service="checkout"}[$__range]))'
    assert [t["expr"] for t in dicts(funnel["targets"])] == [
        attempted,
        f"{attempted} - ({failed} or {attempted} * 0)",
    ]
    assert "Payment failures: failure reasons" in board
    assert "p95 latency POST /api/billing/pay" in board
    revenue = board["Revenue by plan"]
    assert revenue["type"] == "piechart"
    assert dig(revenue, "targets", 0, "expr") == (
        'sum by (plan) (increase(billing_revenue_usd_total{service="checkout"}[$__range]))'
    )
    assert dig(revenue, "fieldConfig", "defaults", "unit") == "currencyUSD"
    cart = 'sum(increase(cart_views_total{service="checkout"}[$__range]))'
    paid = 'sum(increase(payments_total{service="checkout"}[$__range]))'
    steps = board["Checkout: reached each step"]
    assert [(t["legendFormat"], t["expr"]) for t in dicts(steps["targets"])] == [
        ("Cart", f"({cart} or {cart} * 0) / {cart}"),
        ("Paid", f"({paid} or {cart} * 0) / {cart}"),
    ]
    assert dig(board["Checkout: conversion"], "targets", 0, "expr") == (
        f"({paid} or {cart} * 0) / {cart}"
    )


def test_a_domain_declared_in_the_catalog_gets_a_dashboard_of_its_kpis(shop: Stack) -> None:
    board = by_uid(shop)["o11y-business-messaging"]
    assert [p["title"] for p in panels(board)] == [
        "KPIs",
        "Messages sent per second by channel",
        "Delivery p95",
    ]
    assert exprs(board, "prometheus") == [
        'sum by (channel) (rate(messaging_sent_total{service="search"}[$__rate_interval]))',
        "histogram_quantile(0.95, sum by (le) (rate("
        'messaging_delivery_seconds_bucket{service="search"}[$__rate_interval])))',
    ]
    # A rule of no declared domain is not left out: it gets the "Other" dashboard.
    stray = shop.business_rules[0].model_copy(
        update={"total_metric": "orders_total", "failed_metric": "orders_failed_total"}
    )
    found = by_uid(shop.model_copy(update={"business_rules": [stray]}))
    assert "Payment failures: failure share" in titled(found["o11y-business-other"])


def test_cost_splits_by_each_cost_label_and_currency_metric(shop: Stack) -> None:
    queries = exprs(by_uid(shop)["o11y-cost"], "prometheus")
    assert 'sum by (plan) (increase(http_requests_total{plan!=""}[$__range]))' in queries
    assert (
        'sum by (plan) (increase(payments_usd_total{service="checkout", plan!=""}[$__range]))'
    ) in queries


# Real tools ---------------------------------------------------------------------------------


def test_every_query_reaches_its_datasource_with_no_variable_left(shop: Stack) -> None:
    queries = panel_queries(shop)
    targets_count = sum(
        max(1, len(as_list(t.get("serviceMapQuery", []))))
        for board in dashboards(shop)
        for _, t in targets(board)
    )
    assert len(queries) == targets_count
    assert all("$" not in q.text for q in queries), [q for q in queries if "$" in q.text]
    checkout_rate = next(
        q for q in queries if q.panel == "Request rate by route" and "checkout" in q.dashboard
    )
    # Four scrape intervals of the stack (15s): Grafana's smallest $__rate_interval.
    assert "[60s]" in checkout_rate.text
    assert [q.text for q in queries if q.language == "trace-id"] == [
        "4bf92f3577b34da6a3ce929d0e0e4736"
    ]


@pytest.mark.tools
def test_every_promql_expression_parses_with_promtool(
    shop: Stack, promtool: str, tmp_path: Path
) -> None:
    expressions = sorted({q.text for q in panel_queries(shop) if q.language == "promql"})
    rules = [
        {"record": f"dashboard:check_{i}:expr", "expr": expr} for i, expr in enumerate(expressions)
    ]
    path = tmp_path / "dashboards.yaml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}))
    done = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"SUCCESS: {len(expressions)} rules found" in done.stdout


@pytest.mark.tools
def test_a_service_without_5xx_has_a_share_of_0_and_one_without_traffic_has_none(
    promtool: str, tmp_path: Path
) -> None:
    share = error_ratio('service="quiet"').replace("$__rate_interval", "5m")
    idle = error_ratio('service="idle"').replace("$__rate_interval", "5m")
    bad = error_ratio('service="bad"').replace("$__rate_interval", "5m")
    rules = tmp_path / "rules.yaml"
    rules.write_text(yaml.safe_dump({"groups": []}))
    tests = tmp_path / "test.yaml"
    tests.write_text(
        yaml.safe_dump(
            {
                "rule_files": [str(rules)],
                "evaluation_interval": "1m",
                "tests": [
                    {
                        "interval": "1m",
                        "input_series": [
                            {
                                "series": 'http_requests_total{service="quiet", code="200"}',
                                "values": "0+60x10",
                            },
                            {
                                "series": 'http_requests_total{service="bad", code="200"}',
                                "values": "0+45x10",
                            },
                            {
                                "series": 'http_requests_total{service="bad", code="503"}',
                                "values": "0+15x10",
                            },
                        ],
                        "promql_expr_test": [
                            {
                                "expr": share,
                                "eval_time": "10m",
                                "exp_samples": [{"labels": "{}", "value": 0}],
                            },
                            {
                                "expr": bad,
                                "eval_time": "10m",
                                "exp_samples": [{"labels": "{}", "value": 0.25}],
                            },
                            {"expr": idle, "eval_time": "10m", "exp_samples": []},
                        ],
                    }
                ],
            }
        )
    )
    done = subprocess.run(
        [promtool, "test", "rules", str(tests)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


LEZER = ROOT / ".tools" / "lezer"


@pytest.fixture(scope="module")
def lezer() -> Path:
    if not (LEZER / "node_modules" / "@grafana" / "lezer-logql").is_dir():
        if os.environ.get("CI"):
            pytest.fail("Grafana's LogQL/TraceQL grammars are missing; CI must run `make lezer`")
        pytest.skip("Grafana's LogQL/TraceQL grammars not installed (`make lezer`)")
    return LEZER


@pytest.mark.tools
def test_every_logql_and_traceql_query_parses_with_grafanas_grammars(
    shop: Stack, lezer: Path
) -> None:
    parsed = [
        {"language": q.language, "query": q.text}
        for q in panel_queries(shop)
        if q.language in ("logql", "traceql")
    ]
    assert {q["language"] for q in parsed} == {"logql", "traceql"}
    done = subprocess.run(
        ["node", str(Path(__file__).with_name("lezer_parse.cjs"))],
        input=json.dumps(parsed),
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "NODE_PATH": str(lezer / "node_modules")},
    )
    assert json.loads(done.stdout) == []


@pytest.mark.tools
def test_the_grammars_reject_a_broken_query(lezer: Path) -> None:
    broken = [
        {"language": "logql", "query": '{service="checkout" | json'},
        {"language": "traceql", "query": '{resource.service.name="checkout" &&}'},
    ]
    done = subprocess.run(
        ["node", str(Path(__file__).with_name("lezer_parse.cjs"))],
        input=json.dumps(broken),
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "NODE_PATH": str(lezer / "node_modules")},
    )
    # Offsets of the first error: the pipe inside the selector, the brace after `&&`.
    assert [p["at"] for p in json.loads(done.stdout)] == [20, 36]
