"""The synthetic flows dashboard: only with flows; each flow's records and SLA targets."""

import json

from o11y.dashboards.synthetics import dashboards
from o11y.model.stack import Stack
from tests.o11y.synthetic_fixtures import ITEM_FLOW, SERVICE_CHECK, with_flows
from tests.trees import dig


def test_no_flows_no_dashboard(dev_stack: Stack) -> None:
    assert dashboards(with_flows(dev_stack)) == []


def test_every_flow_shows_its_last_run_sla_and_steps(dev_stack: Stack) -> None:
    (spec,) = dashboards(with_flows(dev_stack, SERVICE_CHECK, ITEM_FLOW))
    assert [row.title for row in spec.rows] == ["Last run", "SLA", "Ping query", "Item flow"]
    text = json.dumps([panel for row in spec.rows for panel in row.panels])
    assert 'flow:synthetic_success:last{flow=\\"item-flow\\"}' in text
    assert 'flow:synthetic_success:avg30d{flow=\\"ping-query\\"}' in text
    assert 'synthetic_step_duration_seconds{job=\\"synthetic\\",flow=\\"item-flow\\"}' in text
    assert 'probe_http_duration_seconds{job=\\"synthetic\\",flow=\\"ping-query\\"}' in text


def test_sla_panels_turn_red_at_the_flows_own_targets(dev_stack: Stack) -> None:
    (spec,) = dashboards(with_flows(dev_stack, ITEM_FLOW))
    availability, errors, response = spec.rows[1].panels
    steps = [
        json.dumps(dig(p, "fieldConfig", "defaults", "thresholds"))
        for p in (availability, errors, response)
    ]
    assert '"value": 0.99' in steps[0]
    assert '"value": 0.02' in steps[1]
    assert '"value": 0.5' in steps[2]
