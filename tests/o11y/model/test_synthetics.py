"""Synthetic flows as declared: schedules cron can keep, variables captured before use, one
target per step, and which runner a flow needs."""

import re

import pytest
from pydantic import ValidationError

from o11y.model.stack import Stack
from o11y.model.synthetics import SyntheticFlow
from tests.o11y.synthetic_fixtures import ITEM_FLOW, SERVICE_CHECK, flow_stack, with_flows


@pytest.fixture(scope="module")
def stack() -> Stack:
    return with_flows(flow_stack(), SERVICE_CHECK, ITEM_FLOW)


def _flow(**changes: object) -> SyntheticFlow:
    return SyntheticFlow.model_validate({**ITEM_FLOW, **changes})


def test_a_single_self_contained_request_is_a_blackbox_check(stack: Stack) -> None:
    runners = {f.name: f.runner for f in stack.synthetic_flows}
    assert runners == {"ping-query": "blackbox", "item-flow": "cronjob"}


def test_a_schedule_cron_cannot_keep_is_refused() -> None:
    with pytest.raises(ValidationError, match="every_minutes: 7 is not a divisor of 60"):
        _flow(every_minutes=7)


def test_a_variable_nobody_captured_is_refused() -> None:
    steps = [{"name": "get", "url": "http://x/items/${item}"}]
    with pytest.raises(ValidationError, match=re.escape("steps[0]: ${item} is neither captured")):
        _flow(steps=steps, credentials={})


def test_a_variable_is_usable_only_after_the_step_that_captures_it() -> None:
    steps = [
        {"name": "get", "url": "http://x/items/${item}"},
        {"name": "create", "url": "http://x/items", "capture": {"item": "id"}},
    ]
    with pytest.raises(ValidationError, match=re.escape("steps[0]: ${item}")):
        _flow(steps=steps, credentials={})


def test_a_step_names_a_service_or_a_url_not_both() -> None:
    steps = [{"name": "get", "url": "http://x/", "service": "api-gateway"}]
    with pytest.raises(ValidationError, match="either `service`"):
        _flow(steps=steps, credentials={})
