"""The synthetic flows dashboard: only with flows; each flow's records and SLA targets."""

import json

from o11y.dashboards import OVERVIEW, finish
from o11y.dashboards.synthetics import dashboards
from o11y.model.stack import Stack
from tests.o11y.synthetic_fixtures import ITEM_FLOW, SERVICE_CHECK, flow_stack, with_flows
from tests.trees import as_dict, dicts, dig


def _panels(stack: Stack) -> list[dict[str, object]]:
    """The dashboard's rows and panels as Grafana reads them, the collapsed rows' inside."""
    (spec,) = dashboards(stack)
    board = as_dict(json.loads(finish(spec, OVERVIEW).json))
    found: list[dict[str, object]] = []
    for panel in dicts(board["panels"]):
        found.append(panel)
        found += dicts(panel.get("panels", []))
    return found


def test_no_flows_no_dashboard() -> None:
    assert dashboards(with_flows(flow_stack())) == []


def test_every_flow_shows_its_last_run_sla_and_steps() -> None:
    (spec,) = dashboards(with_flows(flow_stack(), SERVICE_CHECK, ITEM_FLOW))
    assert [row.title for row in spec.rows] == ["Last run", "SLA", "Ping query", "Item flow"]
    exprs = {
        str(t["expr"])
        for p in _panels(with_flows(flow_stack(), SERVICE_CHECK, ITEM_FLOW))
        for t in dicts(p.get("targets", []))
    }
    assert 'flow:synthetic_success:last{flow="item-flow"}' in exprs
    assert 'flow:synthetic_success:avg30d{flow="ping-query"}' in exprs
    assert 'synthetic_step_duration_seconds{job="synthetic",flow="item-flow"}' in exprs
    assert (
        'sum by (phase) (probe_http_duration_seconds{job="synthetic",flow="ping-query"})' in exprs
    )


def test_sla_panels_turn_red_at_the_flows_own_targets() -> None:
    titled = {str(p["title"]): p for p in _panels(with_flows(flow_stack(), ITEM_FLOW))}
    steps = {
        title: [
            (s["value"], s["color"])
            for s in dicts(dig(titled[title], "fieldConfig", "defaults", "thresholds", "steps"))
        ]
        for title in (
            "Item flow: availability (30d)",
            "Item flow: failed steps (30d)",
            "Item flow: p95 response (30d)",
        )
    }
    assert steps == {
        "Item flow: availability (30d)": [(None, "red"), (0.99, "green")],
        "Item flow: failed steps (30d)": [(None, "green"), (0.02, "red")],
        "Item flow: p95 response (30d)": [(None, "green"), (0.5, "red")],
    }
