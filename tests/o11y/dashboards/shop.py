"""A small shop catalog of the dashboard tests' own (two services, one of each dependency, a
business domain with a funnel and KPIs, a cost label), and how to read a built dashboard back
as Grafana does: its panels, their targets and expressions."""

import json
from collections.abc import Iterator, Mapping

from o11y.config import parse_stack, read_stack_file
from o11y.dashboards import Dashboard, dashboards
from o11y.model.stack import Stack
from tests.conftest import ROOT
from tests.trees import as_dict, dicts, dig, text

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


def shop_stack() -> Stack:
    """The prod stack's platform with the shop catalog, three tenants and a 15s scrape."""
    stack = parse_stack(read_stack_file(ROOT / "Pulumi.prod.yaml"), CATALOG, "prod")
    platform = stack.platform.model_copy(
        update={"tenants": ["shop", "partners"], "scrape_interval": "15s"}
    )
    return stack.model_copy(update={"platform": platform})


def model(dashboard: Dashboard) -> dict[str, object]:
    """The dashboard as Grafana reads it (parsed JSON)."""
    return as_dict(json.loads(dashboard.json))


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
