"""The business dashboards: funnels, failure reasons, route latency and KPIs per domain."""

from o11y.model.stack import Stack
from tests.o11y.dashboards.shop import (
    by_uid,
    exprs,
    panels,
    titled,
)
from tests.trees import dicts, dig


def test_business_dashboard_has_a_funnel_failure_reasons_and_route_latency(shop: Stack) -> None:
    board = titled(by_uid(shop)["o11y-business-billing"])
    funnel = board["Payment failures: attempted and succeeded over the range"]
    attempted = 'sum (increase(billing_pay_attempts_total{service="checkout"}[$__range]))'
    failed = 'sum (increase(billing_pay_failures_total{service="checkout"}[$__range]))'
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
    cart = 'sum (increase(cart_views_total{service="checkout"}[$__range]))'
    paid = 'sum (increase(payments_total{service="checkout"}[$__range]))'
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
