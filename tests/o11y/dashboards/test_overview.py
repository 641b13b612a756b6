"""The overview dashboard: a status tile per service linking to its dashboard, firing alerts."""

from o11y.model.stack import Stack
from tests.o11y.dashboards.shop import (
    by_uid,
    model,
    panels,
    titled,
)
from tests.trees import dicts, dig, integer, text


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
