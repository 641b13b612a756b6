"""Dashboards as code: every service has one, queries select through the one selector source,
datasources are the provisioned ones, uids are unique, output is valid and deterministic, and
every PromQL expression parses (promtool)."""

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from o11y.conventions import (
    DATASOURCE_LOKI,
    DATASOURCE_PROMETHEUS,
    DATASOURCE_TEMPO,
    dashboard_uid,
    service_selector,
)
from o11y.dashboards import Dashboard, dashboard_files, dashboards
from o11y.dashboards.layout import GRID_COLUMNS
from o11y.dashboards.logs import saved_queries
from o11y.helm.grafana import datasources
from o11y.model.stack import Stack
from o11y.slo import catalog_service_level
from tests.trees import as_dict, as_list, dicts, dig, integer, text


def model(dashboard: Dashboard) -> dict[str, object]:
    """The dashboard as Grafana reads it (parsed JSON)."""
    return as_dict(json.loads(dashboard.json()))


def panels(dashboard: Dashboard) -> Iterator[dict[str, object]]:
    """Every panel, including those inside collapsed rows."""
    for panel in dicts(model(dashboard)["panels"]):
        yield panel
        yield from dicts(panel.get("panels", []))


def targets(dashboard: Dashboard) -> Iterator[tuple[dict[str, object], dict[str, object]]]:
    for panel in panels(dashboard):
        for target in dicts(panel.get("targets", [])):
            yield panel, target


def by_uid(stack: Stack) -> dict[str, Dashboard]:
    return {d.uid: d for d in dashboards(stack)}


def exprs(dashboard: Dashboard, datasource_type: str) -> list[str]:
    return [
        str(t["expr"])
        for p, t in targets(dashboard)
        if dig(p, "datasource", "type") == datasource_type
    ]


def test_every_catalog_service_has_its_dashboard_in_the_services_folder(dev_stack: Stack) -> None:
    found = by_uid(dev_stack)
    for service in dev_stack.services:
        board = found[f"o11y-service-{service.name}"]
        assert board.title == f"Service: {service.display_name}"
        assert board.folder.title == "Services"
        assert model(board)["tags"] == sorted(
            ["o11y", "services", service.name, f"team-{service.team}"]
        )


def test_a_new_catalog_entry_gets_a_dashboard_with_no_other_change(dev_stack: Stack) -> None:
    template = dev_stack.service("frontend")
    newcomer = template.model_copy(update={"name": "payments", "display_name": "Payments"})
    stack = dev_stack.model_copy(update={"services": [*dev_stack.services, newcomer]})
    board = by_uid(stack)["o11y-service-payments"]
    assert exprs(board, "prometheus")
    assert all('service="payments"' in e for e in exprs(board, "prometheus"))


def test_every_service_dashboard_query_selects_that_service_through_the_selector(
    dev_stack: Stack,
) -> None:
    service_matcher = re.compile(r'(?<![\w])(?:slo_)?service="([^"]*)"')
    for service in dev_stack.services:
        board = by_uid(dev_stack)[f"o11y-service-{service.name}"]
        queries = exprs(board, "prometheus")
        assert len(queries) >= 12
        # SLO panels read the SLO engine's records through the engine's own selector.
        slo_selectors = [catalog_service_level(service, slo).selector for slo in service.slos]
        for query in queries:
            selected = "{" + service_selector(service.name) in query or any(
                s in query for s in slo_selectors
            )
            assert selected, query
            # No other service leaks in: every `service=` matcher names this service.
            assert set(service_matcher.findall(query)) == {service.name}, query


def test_the_api_gateway_dashboard_has_red_per_route_with_exact_queries(dev_stack: Stack) -> None:
    board = by_uid(dev_stack)["o11y-service-api-gateway"]
    titled = {p["title"]: p for p in panels(board)}
    rate = dig(titled["Request rate"], "targets", 0)
    assert dig(rate, "expr") == (
        'sum by (route) (rate(http_requests_total{service="api-gateway"}[$__rate_interval]))'
    )
    errors = dig(titled["Errors (4xx / 5xx share)"], "targets")
    assert dig(errors, 0, "expr") == (
        'sum by (route) (rate(http_requests_total{service="api-gateway", code=~"5.."}'
        "[$__rate_interval])) / "
        'sum by (route) (rate(http_requests_total{service="api-gateway"}[$__rate_interval]))'
    )
    assert dig(errors, 1, "legendFormat") == "4xx {{route}}"
    latency = titled["Latency p95 / p99"]
    assert [t["expr"] for t in dicts(latency["targets"])] == [
        f"histogram_quantile({q}, sum by (le, route) (rate("
        'http_request_duration_seconds_bucket{service="api-gateway"}[$__rate_interval])))'
        for q in ("0.95", "0.99")
    ]
    # The p95 alert threshold (catalog, seed 002: 500ms) is drawn on the latency panel.
    assert dig(latency, "fieldConfig", "defaults", "thresholds", "steps", 1, "value") == 0.5
    assert dig(titled["Health probe"], "targets", 0, "expr") == (
        'min(probe_success{service="api-gateway"})'
    )
    assert dig(titled["Upstream latency p95"], "targets", 0, "expr") == (
        'histogram_quantile(0.95, sum by (le) (rate(gateway_upstream_request_duration_seconds_bucket{service="api-gateway"}[$__rate_interval])))'
    )
    # Latency panels show exemplars: metrics -> traces.
    assert all(t.get("exemplar") for t in dicts(latency["targets"]))


def test_service_dashboards_show_slo_budgets_from_the_slo_engine_records(dev_stack: Stack) -> None:
    board = by_uid(dev_stack)["o11y-service-api-gateway"]
    titled = {p["title"]: p for p in panels(board)}
    remaining = dig(titled["API Gateway availability: budget remaining"], "targets", 0)
    assert dig(remaining, "expr") == (
        'slo:period_error_budget_remaining:ratio{slo_service="api-gateway", slo_name="availability"}'
    )
    burn = titled["API Gateway availability: burn rate"]
    assert [t["expr"] for t in dicts(burn["targets"])] == [
        'slo:sli_error:ratio_rate1h{slo_service="api-gateway", slo_name="availability"} / 0.001',
        'slo:sli_error:ratio_rate6h{slo_service="api-gateway", slo_name="availability"} / 0.001',
    ]
    # Page factors for a 30d period: SRE Workbook table 5-8.
    steps = dicts(dig(burn, "fieldConfig", "defaults", "thresholds", "steps"))
    assert [s["value"] for s in steps] == [None, 6, 14.4]


def test_every_datasource_is_one_grafana_provisions(dev_stack: Stack, prod_stack: Stack) -> None:
    for stack in (dev_stack, prod_stack):
        sources = dicts(json.loads(json.dumps(datasources(stack))))
        provisioned = {(s["type"], s["uid"]) for s in sources}
        used: set[tuple[object, object]] = set()
        for board in dashboards(stack):
            for panel in panels(board):
                if panel["type"] in ("row", "text"):
                    continue
                source = as_dict(panel["datasource"])
                used.add((source["type"], source["uid"]))
                for target in dicts(panel["targets"]):
                    assert "datasource" not in target  # inherited from the panel
        assert used == {
            ("prometheus", DATASOURCE_PROMETHEUS),
            ("loki", DATASOURCE_LOKI),
            ("tempo", DATASOURCE_TEMPO),
        }
        assert used <= provisioned


def test_uids_are_unique_stable_and_fit_grafana(dev_stack: Stack) -> None:
    boards = dashboards(dev_stack)
    uids = [d.uid for d in boards]
    # One per service, eight shared ones, and the synthetic flows' when the stack has flows.
    synthetics = 1 if dev_stack.synthetic_flows else 0
    assert len(uids) == len(set(uids)) == len(dev_stack.services) + 8 + synthetics
    assert all(
        len(uid) <= 40 and model(d)["uid"] == uid for uid, d in zip(uids, boards, strict=True)
    )
    assert uids[:3] == ["o11y-overview", "o11y-slo", "o11y-logs"]
    for board in boards:
        ids = [p["id"] for p in panels(board)]
        assert len(ids) == len(set(ids)), board.uid


def test_long_service_names_get_a_short_unique_uid() -> None:
    first = dashboard_uid("service-" + "a" * 50)
    second = dashboard_uid("service-" + "a" * 49 + "b")
    assert len(first) == len(second) == 40
    assert first != second
    assert first.startswith("o11y-service-aaaa")


def test_panels_sit_on_the_grid_without_overlapping(dev_stack: Stack) -> None:
    for board in dashboards(dev_stack):
        cells: set[tuple[int, int]] = set()
        for panel in dicts(model(board)["panels"]):
            left, top, width, height = (
                integer(dig(panel, "gridPos", k)) for k in ("x", "y", "w", "h")
            )
            assert left + width <= GRID_COLUMNS, (board.uid, panel["title"])
            for x in range(left, left + width):
                for y in range(top, top + height):
                    assert (x, y) not in cells, (board.uid, panel["title"])
                    cells.add((x, y))


def test_files_are_valid_sorted_json_and_deterministic(dev_stack: Stack, prod_stack: Stack) -> None:
    files = dashboard_files(dev_stack)
    assert files == dashboard_files(dev_stack)
    assert set(files) == {f"grafana/dashboards/{d.uid}.json" for d in dashboards(dev_stack)}
    for path, content in files.items():
        model = as_dict(json.loads(content))
        assert content == json.dumps(model, indent=2, sort_keys=True) + "\n"
        assert path == f"grafana/dashboards/{model['uid']}.json"
        assert model["schemaVersion"] == 39 and model["editable"] is False
    # Both example stacks share the catalog: their dashboards are the same.
    assert dashboard_files(prod_stack) == files


def test_every_dashboard_links_to_the_overview_and_the_others(dev_stack: Stack) -> None:
    for board in dashboards(dev_stack):
        links = as_list(model(board)["links"])
        assert {
            "title": "Dashboards",
            "type": "dashboards",
            "tags": ["o11y"],
            "asDropdown": True,
            "keepTime": True,
            "includeVars": False,
        } in links
        if board.uid != "o11y-overview":
            assert dig(links, 0, "url") == "/d/o11y-overview"


def test_the_overview_shows_every_service_and_opens_its_dashboard(dev_stack: Stack) -> None:
    board = by_uid(dev_stack)["o11y-overview"]
    rows = [p["title"] for p in panels(board) if p["type"] == "row"]
    assert rows == ["All services", "Alerts", *(s.display_name for s in dev_stack.services)]
    for service in dev_stack.services:
        up = next(p for p in panels(board) if p["title"] == f"{service.display_name}: up")
        assert up["links"] == [
            {
                "title": f"{service.display_name} dashboard",
                "url": f"/d/o11y-service-{service.name}?${{__url_time_range}}",
            }
        ]
    rate = next(p for p in panels(board) if p["title"] == "Request rate by service")
    assert len(as_list(rate["targets"])) == len(dev_stack.services)


def test_infrastructure_has_cluster_nodes_and_each_dependency(dev_stack: Stack) -> None:
    board = by_uid(dev_stack)["o11y-infrastructure"]
    rows = [p["title"] for p in panels(board) if p["type"] == "row"]
    assert rows == [
        "Kubernetes cluster",
        "Nodes",
        "PostgreSQL main-db",
        "Redis cache",
        "Kafka events",
        "Partner API fintech-bank",
        "Partner API airtable",
    ]
    queries = exprs(board, "prometheus")
    assert (
        'sum(pg_stat_database_numbackends{dependency="main-db"})'
        ' / max(pg_settings_max_connections{dependency="main-db"})'
    ) in queries
    assert (
        'sum by (consumergroup, topic) (kafka_consumergroup_lag{dependency="events", '
        'consumergroup=~"game-consumer"})'
    ) in queries
    lag = next(p for p in panels(board) if p["title"] == "Consumer lag")
    assert dig(lag, "fieldConfig", "defaults", "thresholds", "steps", 1, "value") == 1000
    hits = 'sum(rate(redis_keyspace_hits_total{dependency="cache"}[$__rate_interval]))'
    misses = 'sum(rate(redis_keyspace_misses_total{dependency="cache"}[$__rate_interval]))'
    assert f"{hits} / ({hits} + {misses})" in queries
    assert (
        'sum(rate(partner_requests_total{partner="fintech-bank", outcome="error"}'
        "[$__rate_interval])) / "
        'sum(rate(partner_requests_total{partner="fintech-bank"}[$__rate_interval]))'
    ) in queries


def test_slo_dashboard_tracks_every_slo_and_every_endpoint_budget(dev_stack: Stack) -> None:
    board = by_uid(dev_stack)["o11y-slo"]
    overview = next(p for p in panels(board) if p["title"] == "Error budget remaining, every SLO")
    slos = [(s.name, slo.name) for s in dev_stack.services for slo in s.slos]
    assert [t["legendFormat"] for t in dicts(overview["targets"])] == [f"{a} {b}" for a, b in slos]
    checkout = next(p for p in panels(board) if p["title"] == "POST /api/billing/checkout")
    assert [t["expr"] for t in dicts(checkout["targets"])] == [
        f"histogram_quantile({q}, sum by (le) (rate(http_request_duration_seconds_bucket"
        f'{{service="api-gateway", route="/api/billing/checkout"}}[$__rate_interval]))) / {b}'
        for q, b in (("0.5", "0.25"), ("0.95", "1"), ("0.99", "2.5"))
    ]
    budgets = [p for p in panels(board) if p["type"] == "bargauge"]
    endpoints = sum(len(s.endpoints) for s in dev_stack.services)
    assert len(budgets) == endpoints + 1


def test_business_dashboards_per_domain_from_the_business_rules(dev_stack: Stack) -> None:
    found = by_uid(dev_stack)
    assert [u for u in found if u.startswith("o11y-business-")] == [
        "o11y-business-billing",
        "o11y-business-membership",
        "o11y-business-events",
    ]
    billing = found["o11y-business-billing"]
    funnel = next(p for p in panels(billing) if p["title"] == "Checkout failure rate: funnel")
    attempts = 'sum(rate(billing_checkout_attempts_total{service="api-gateway"}[5m]))'
    failures = 'sum(rate(billing_checkout_failures_total{service="api-gateway"}[5m]))'
    assert [t["expr"] for t in dicts(funnel["targets"])] == [
        attempts,
        f"{attempts} - {failures}",
        failures,
    ]
    titles = [p["title"] for p in panels(billing)]
    assert "Checkout failure rate: failure reasons" in titles
    assert "p95 latency POST /api/billing/checkout" in titles
    events = found["o11y-business-events"]
    assert "p95 latency POST /api/events" in [p["title"] for p in panels(events)]


def test_cost_dashboard_splits_by_each_cost_label_and_audits_cardinality(dev_stack: Stack) -> None:
    board = by_uid(dev_stack)["o11y-cost"]
    rows = [p["title"] for p in panels(board) if p["type"] == "row"]
    assert rows == [
        *(f"By {label}" for label in dev_stack.cost_labels),
        "Endpoints",
        "Cardinality audit",
    ]
    queries = exprs(board, "prometheus")
    assert 'sum by (plan) (increase(http_requests_total{plan!=""}[$__range]))' in queries
    assert (
        'sum by (tenant) (increase(llm_cost_usd_total{service="llm-orchestrator", tenant!=""}'
        "[$__range]))"
    ) in queries
    assert 'topk(20, count by (__name__) ({__name__=~".+"}))' in queries
    assert 'count({user_id!=""}) or vector(0)' in queries


def test_logs_dashboard_has_ten_plus_saved_queries_and_trace_correlation(dev_stack: Stack) -> None:
    board = by_uid(dev_stack)["o11y-logs"]
    queries = saved_queries(dev_stack)
    assert len(queries) >= 10
    logql = exprs(board, "loki")
    assert all(q.expr in logql for q in queries)
    # trace_id is structured metadata: filtered after the stream selector, never a label in it.
    assert '{service=~".+"} | trace_id="$trace_id"' in logql
    assert not any(re.search(r"\{[^}]*trace_id", q) for q in logql)
    trace = next(p for p in panels(board) if p["type"] == "traces")
    assert trace["targets"] == [
        {"queryType": "traceql", "query": "$trace_id", "limit": 20, "refId": "A"}
    ]
    ids = next(p for p in panels(board) if p["title"] == "Trace ids of error lines")
    link = dig(ids, "fieldConfig", "overrides", 0, "properties", 0, "value", 0)
    assert text(dig(link, "url")).startswith("/d/o11y-logs?var-trace_id=${__value.raw}")
    names = [v["name"] for v in dicts(dig(model(board), "templating", "list"))]
    assert names == ["service", "trace_id", "user_id", "event_id", "route"]
    # Every service dashboard links to its logs here.
    api = by_uid(dev_stack)["o11y-service-api-gateway"]
    assert dig(model(api), "links", -1, "url") == "/d/o11y-logs?var-service=api-gateway"


def test_logql_queries_are_well_formed(dev_stack: Stack) -> None:
    board = by_uid(dev_stack)["o11y-logs"]
    for query in exprs(board, "loki"):
        assert query.count("{") == query.count("}"), query
        assert query.count("(") == query.count(")"), query
        selectors = re.findall(r"\{([^}]*)\}", query)
        # Loki needs a stream selector with a matcher that cannot match the empty string.
        assert selectors and all(re.search(r'=~?"[^"]*[^"*]', s) for s in selectors), query


# Grafana's template variables replaced by values PromQL accepts, so promtool can parse.
GRAFANA_VARIABLES = {
    "$__rate_interval": "5m",
    "$__range": "1h",
    "$__interval": "1m",
    "$__auto": "1m",
}


@pytest.mark.tools
def test_every_promql_expression_parses_with_promtool(
    dev_stack: Stack, promtool: str, tmp_path: Path
) -> None:
    expressions = sorted({e for d in dashboards(dev_stack) for e in exprs(d, "prometheus")})
    rules = []
    for i, expr in enumerate(expressions):
        for variable, value in GRAFANA_VARIABLES.items():
            expr = expr.replace(variable, value)
        assert "$" not in expr, expr
        rules.append({"record": f"dashboard:check_{i}:expr", "expr": expr})
    path = tmp_path / "dashboards.yaml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}))
    done = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"SUCCESS: {len(expressions)} rules found" in done.stdout
