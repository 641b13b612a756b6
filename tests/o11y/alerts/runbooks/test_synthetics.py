"""The synthetic flow runbooks name their flow, read only its results and point at the CronJob that runs it."""

import pytest

from o11y.alertdef import AlertDefinition
from o11y.alerts.areas import SYNTHETIC_FLOWS, SYNTHETIC_RUNNERS
from o11y.alerts.runbooks.synthetics import RUNBOOKS, RUNNER_RUNBOOKS
from o11y.alerts.synthetics import FAILING, NOT_RUNNING, SLA_BREACHED
from o11y.model.stack import Stack
from o11y.synthetics import cron_job, step_errors_expr
from tests.o11y.alerts.runbooks.checks import assert_complete, queries, selectors, stream_selector
from tests.o11y.synthetic_fixtures import ITEM_FLOW, SERVICE_CHECK, flow_stack, with_flows
from tests.trees import as_list, dig, text


@pytest.fixture(scope="module")
def stack() -> Stack:
    """A one-request probe flow and a multi-step CronJob flow with an SLA."""
    return with_flows(flow_stack(), SERVICE_CHECK, ITEM_FLOW)


def _of(stack: Stack, name: str, flow: str) -> AlertDefinition:
    (definition,) = [
        d
        for area in (SYNTHETIC_FLOWS, SYNTHETIC_RUNNERS)
        for d in area(stack)
        if d.name == name and d.labels["flow"] == flow
    ]
    return definition


def test_every_runbook_names_its_flow(stack: Stack) -> None:
    flows = {flow.name: flow for flow in stack.synthetic_flows}
    definitions = [*SYNTHETIC_FLOWS(stack), *SYNTHETIC_RUNNERS(stack)]
    assert {d.name for d in definitions} == set(RUNBOOKS) | set(RUNNER_RUNBOOKS)
    for definition in definitions:
        flow = flows[definition.labels["flow"]]
        assert definition.summary.startswith(f"Synthetic flow {flow.title} "), definition.summary
        assert f" {flow.name} " in definition.description
        assert_complete(definition)


def test_failing_and_sla_queries_read_only_the_flows_results(stack: Stack) -> None:
    for definition in SYNTHETIC_FLOWS(stack):
        flow = definition.labels["flow"]
        for query in queries(definition, "promql"):
            found = selectors(query)
            assert found, query
            assert all(m["flow"] == ("=", flow) for m in found), query


def test_a_probe_and_a_runner_flow_get_the_same_failing_page(stack: Stack) -> None:
    """One runbook page for both kinds of flow: the queries differ only by the flow's name."""
    probe, runner = _of(stack, FAILING, "ping-query"), _of(stack, FAILING, "item-flow")
    assert [q.title for q in probe.triage] == [q.title for q in runner.triage]
    assert [q.query.replace("ping-query", "<flow>") for q in probe.triage] == [
        q.query.replace("item-flow", "<flow>") for q in runner.triage
    ]


def test_the_runner_logs_are_the_cronjobs_container_filtered_by_flow(stack: Stack) -> None:
    (item_flow,) = [f for f in stack.synthetic_flows if f.name == "item-flow"]
    job = cron_job(stack, item_flow)
    containers = dig(job, "spec", "jobTemplate", "spec", "template", "spec", "containers")
    (container,) = as_list(containers)
    (logs,) = queries(_of(stack, FAILING, "item-flow"), "logql")
    assert stream_selector(logs) == {"service": ("=", text(dig(container, "name")))}
    assert '| flow="item-flow" |' in logs


def test_the_not_running_runbook_names_the_cronjob_and_its_labels(stack: Stack) -> None:
    (item_flow,) = [f for f in stack.synthetic_flows if f.name == "item-flow"]
    metadata = cron_job(stack, item_flow)["metadata"]
    not_running = _of(stack, NOT_RUNNING, "item-flow")
    assert dig(metadata, "labels", "flow") == "item-flow"
    namespace, name = text(dig(metadata, "namespace")), text(dig(metadata, "name"))
    assert not_running.resolution[0].startswith(
        f"`kubectl -n {namespace} get cronjob,job,pod -l flow=item-flow`"
    )
    assert f"--from=cronjob/{name} " in not_running.resolution[1]
    assert "for more than two runs (20m)" in not_running.description
    assert not_running.triage[0].query == (
        'time() - push_time_seconds{job="synthetic",flow="item-flow"}'
    )


def test_the_sla_runbook_states_the_flows_targets_and_its_step_errors(stack: Stack) -> None:
    flows = {flow.name: flow for flow in stack.synthetic_flows}
    item = _of(stack, SLA_BREACHED, "item-flow")
    assert item.description.startswith(f"Over {flows['item-flow'].sla.period} the flow item-flow")
    assert "passing runs under 99%, failed steps over 2%" in item.description
    assert "slowest step over 0.5s" in item.description
    for name in ("ping-query", "item-flow"):
        now = _of(stack, SLA_BREACHED, name).triage[-1].query
        assert now == step_errors_expr(flows[name])
    assert _of(stack, SLA_BREACHED, "ping-query").triage[-1].query != (
        _of(stack, SLA_BREACHED, "item-flow").triage[-1].query.replace("item-flow", "ping-query")
    )
