"""Runbooks of the synthetic flow alerts (o11y/alerts/synthetics.py)."""

from o11y.alertdef import Runbook, Runbooks, TriageQuery
from o11y.alerts.synthetics import (
    FAILING,
    NOT_RUNNING,
    SLA_BREACHED,
    RunnerSubject,
    last_push,
)
from o11y.conventions import FLOW_LABEL, PUSHGATEWAY, flow_selector
from o11y.model.synthetics import SyntheticFlow
from o11y.synthetics import (
    RESPONSE_QUANTILE,
    RUNNER_CONTAINER,
    SUCCESS,
    recorded,
    sla_response,
    sla_step_errors,
    sla_success,
    step_errors_expr,
)


def _step_queries(flow: SyntheticFlow) -> tuple[TriageQuery, ...]:
    """The same queries for every flow: the runbook is one page for probes and runners."""
    selector = flow_selector(flow.name)
    return (
        TriageQuery("Last result of each flow", recorded(SUCCESS, flow)),
        TriageQuery(
            "Which step failed (multi-step flows)", f"synthetic_step_success{{{selector}}} == 0"
        ),
        TriageQuery(
            "Response time per step (multi-step flows)",
            f"synthetic_step_duration_seconds{{{selector}}}",
        ),
        TriageQuery(
            "Time per HTTP phase (one-request flows)",
            f"probe_http_duration_seconds{{{selector}}}",
        ),
        TriageQuery(
            "The runner's error lines (multi-step flows)",
            f'{{service="{RUNNER_CONTAINER}"}} | json | flow="{flow.name}" | level="error"',
            "logql",
        ),
    )


def _failing(flow: SyntheticFlow) -> Runbook:
    return Runbook(
        summary=f"Synthetic flow {flow.title} is failing.",
        description=(
            f"The synthetic flow {flow.name} (every {flow.every_minutes}m) failed in two runs "
            "in a row."
        ),
        symptom=(
            "A scheduled synthetic user flow failed twice in a row: what it does (log in, create, "
            "pay, query) does not work for users either, whatever the services' own metrics say."
        ),
        impact="Users cannot complete this journey, or can only partly.",
        triage=_step_queries(flow),
        causes=(
            "The service behind the failing step is down or answers errors (see its alerts).",
            "A release changed the answer (status code, JSON field) the step expects.",
            "The flow's test user or API key expired or was changed (credential secrets).",
        ),
        resolution=(
            "Find the failing step, then follow that service's runbooks.",
            "If the API changed on purpose, change the flow in stacks/catalog.yaml.",
            "Rotate the flow's credential: `pulumi config set --secret --path 'secrets.<name>' ...`"
            " and `pulumi up`.",
        ),
        related=("ServiceDown", "ServiceErrorRateHigh", NOT_RUNNING),
    )


def _not_running(s: RunnerSubject) -> Runbook:
    flow, namespace = s.flow, s.stack.kubernetes.namespace
    pushed = last_push(flow)
    return Runbook(
        summary=f"Synthetic flow {flow.title} has stopped reporting.",
        description=(
            f"No result of the synthetic flow {flow.name} reached the Pushgateway for more than "
            f"two runs ({2 * flow.every_minutes}m): nobody is checking this journey."
        ),
        symptom=(
            "A synthetic flow's CronJob stopped delivering results: the flow's own alerts "
            "cannot fire, so the journey is unwatched."
        ),
        impact="A broken user journey would go unnoticed until users report it.",
        triage=(
            TriageQuery("Seconds since the last result", f"time() - {pushed}"),
            TriageQuery(
                "Failed runner jobs",
                'kube_job_status_failed{job_name=~"synthetic-.+"} > 0',
            ),
            TriageQuery("Pushgateway up", f'up{{job=~"{PUSHGATEWAY}.*"}}'),
        ),
        causes=(
            "The CronJob is suspended, or its pods cannot start (image pull, quota, admission).",
            "The Pushgateway is down or was rescheduled (results are pushed again on the next run).",
            "Runs exceed their deadline and are killed before pushing.",
        ),
        resolution=(
            f"`kubectl -n {namespace} get cronjob,job,pod -l {FLOW_LABEL}={flow.name}`"
            " and the last pod's logs.",
            f"`kubectl -n {namespace} create job --from=cronjob/synthetic-{flow.name}"
            f" synthetic-{flow.name}-manual` to run it now.",
        ),
        related=(FAILING, "TargetDown", "KubeContainerWaiting"),
    )


def _sla_breached(flow: SyntheticFlow) -> Runbook:
    sla = flow.sla
    response = f"p{RESPONSE_QUANTILE * 100:g}"
    return Runbook(
        summary=f"Synthetic flow {flow.title} is below its SLA.",
        description=(
            f"Over {sla.period} the flow {flow.name} is below its SLA: passing runs under "
            f"{sla.availability_percent:g}%, failed steps over {sla.max_error_percent:g}%, or "
            f"{response} of its slowest step over {sla.max_response_seconds:g}s."
        ),
        symptom=(
            "A synthetic flow missed one of its SLA targets over its period: availability, "
            "step error rate or response time."
        ),
        impact="The journey is less reliable or slower than promised to users.",
        triage=(
            TriageQuery("Availability over the period", recorded(sla_success(flow), flow)),
            TriageQuery("Failed steps over the period", recorded(sla_step_errors(flow), flow)),
            TriageQuery(f"{response} response over the period", recorded(sla_response(flow), flow)),
            TriageQuery("Failed steps now", step_errors_expr(flow)),
        ),
        causes=(
            "Repeated short outages of a service the flow calls.",
            "A slow dependency (database, partner API) behind one step.",
        ),
        resolution=(
            "Read the Synthetic flows dashboard over the period: which step fails or is slow.",
            "Open a reliability ticket for the owning service with the numbers.",
        ),
        related=(FAILING,),
    )


RUNBOOKS: Runbooks[SyntheticFlow] = {FAILING: _failing, SLA_BREACHED: _sla_breached}
RUNNER_RUNBOOKS: Runbooks[RunnerSubject] = {NOT_RUNNING: _not_running}
