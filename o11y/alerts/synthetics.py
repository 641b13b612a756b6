"""Synthetic flow alerts: a flow that fails twice in a row, a flow that stopped running, and a
flow below its SLA over its period."""

from o11y.alertdef import AlertDefinition, TriageQuery
from o11y.alerts.scenario import Case, ProvenAlert, Series, counting, series, steady
from o11y.conventions import (
    FLOW_LABEL,
    PUSHGATEWAY,
    SYNTHETIC_JOB,
    TEAM_LABEL,
    flow_selector,
)
from o11y.model.stack import Stack
from o11y.model.synthetics import SyntheticFlow
from o11y.severity import Priority
from o11y.synthetics import (
    RESPONSE_QUANTILE,
    RUNNER_CONTAINER,
    SUCCESS,
    recorded,
    sla_response,
    sla_step_errors,
    sla_success,
    step_errors_expr,
    success_expr,
)

GROUP = "synthetic-flows"
FAILING = "SyntheticFlowFailing"
NOT_RUNNING = "SyntheticFlowNotRunning"
SLA_BREACHED = "SyntheticFlowSlaBreached"
# A run may take up to a minute past its schedule before its result lands.
RUN_MARGIN_MINUTES = 2
# The SLA is over weeks; a breach that lasts half an hour is not noise.
SLA_FOR = "30m"


def synthetic_alerts(stack: Stack) -> list[ProvenAlert]:
    alerts: list[ProvenAlert] = []
    for flow in stack.synthetic_flows:
        alerts.append(_failing(flow))
        if flow.runner == "cronjob":
            alerts.append(_not_running(stack, flow))
        alerts.append(_sla(flow))
    return alerts


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


def _failing(flow: SyntheticFlow) -> ProvenAlert:
    every = flow.every_minutes
    for_minutes = every + RUN_MARGIN_MINUTES
    definition = AlertDefinition(
        name=FAILING,
        group=GROUP,
        expr=f"{success_expr(flow)} == 0",
        for_=f"{for_minutes}m",
        priority=Priority(flow.priority),
        team=flow.team,
        labels={FLOW_LABEL: flow.name},
        summary=f"Synthetic flow {flow.title} is failing.",
        description=(
            f"The synthetic flow {flow.name} (every {every}m) failed in two runs in a row."
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
    labels = {FLOW_LABEL: flow.name}
    raw = {FLOW_LABEL: flow.name, "job": SYNTHETIC_JOB}
    metric = "probe_success" if flow.runner == "blackbox" else "synthetic_flow_success"
    horizon = 2 * every + 10
    once = " ".join(["1"] * 3 + ["0"] * every + ["1"] * (every + 10))
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                "every run fails",
                (series(metric, raw, steady(0, horizon)),),
                f"{for_minutes + 1}m",
                labels,
            ),
        ),
        silent=lambda: (
            Case("every run passes", (series(metric, raw, steady(1, horizon)),), f"{horizon}m"),
            Case(
                "one run fails, the next passes",
                (series(metric, raw, once),),
                # The failed run's last minute: a shorter `for` would already fire here.
                f"{every + 2}m",
            ),
        ),
    )


def _not_running(stack: Stack, flow: SyntheticFlow) -> ProvenAlert:
    every = flow.every_minutes
    selector = flow_selector(flow.name)
    stale = 2 * every * 60
    pushed = f"push_time_seconds{{{selector}}}"
    for_minutes = every + 5
    definition = AlertDefinition(
        name=NOT_RUNNING,
        group=GROUP,
        expr=(
            f"time() - max by ({FLOW_LABEL}) ({pushed}) > {stale}"
            f" or max by ({FLOW_LABEL}) (absent({pushed}))"
        ),
        for_=f"{for_minutes}m",
        priority=Priority.P2,
        team=stack.alerting.platform_team,
        labels={FLOW_LABEL: flow.name},
        summary=f"Synthetic flow {flow.title} has stopped reporting.",
        description=(
            f"No result of the synthetic flow {flow.name} reached the Pushgateway for more than "
            f"two runs ({2 * every}m): nobody is checking this journey."
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
            f"`kubectl -n {stack.kubernetes.namespace} get cronjob,job,pod -l {FLOW_LABEL}={flow.name}`"
            " and the last pod's logs.",
            f"`kubectl -n {stack.kubernetes.namespace} create job --from=cronjob/synthetic-{flow.name}"
            f" synthetic-{flow.name}-manual` to run it now.",
        ),
        related=(FAILING, "TargetDown", "KubeContainerWaiting"),
    )
    labels = {FLOW_LABEL: flow.name}
    raw = {FLOW_LABEL: flow.name, "job": SYNTHETIC_JOB}
    horizon = 3 * every + 10
    other = {FLOW_LABEL: f"{flow.name}-other", "job": SYNTHETIC_JOB}
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                "the last result is older than two runs",
                (series("push_time_seconds", raw, steady(0, horizon)),),
                f"{2 * every + for_minutes + 1}m",
                labels,
            ),
            Case(
                "the flow never reported",
                (series("push_time_seconds", other, counting(60, horizon)),),
                f"{for_minutes + 1}m",
                labels,
            ),
        ),
        silent=lambda: (
            Case(
                "a result arrives every minute",
                (series("push_time_seconds", raw, counting(60, horizon)),),
                f"{horizon}m",
            ),
        ),
    )


def _sla(flow: SyntheticFlow) -> ProvenAlert:
    sla = flow.sla
    availability = sla.availability_percent / 100
    errors = sla.max_error_percent / 100
    definition = AlertDefinition(
        name=SLA_BREACHED,
        group=GROUP,
        expr=(
            f"{recorded(sla_success(flow), flow)} < {availability:g}"
            f" or {recorded(sla_step_errors(flow), flow)} > {errors:g}"
            f" or {recorded(sla_response(flow), flow)} > {sla.max_response_seconds:g}"
        ),
        for_=SLA_FOR,
        priority=Priority.P3,
        team=flow.team,
        labels={FLOW_LABEL: flow.name},
        summary=f"Synthetic flow {flow.title} is below its SLA.",
        description=(
            f"Over {sla.period} the flow {flow.name} is below its SLA: passing runs under "
            f"{sla.availability_percent:g}%, failed steps over {sla.max_error_percent:g}%, or "
            f"p{RESPONSE_QUANTILE * 100:g} of its slowest step over {sla.max_response_seconds:g}s."
        ),
        symptom=(
            "A synthetic flow missed one of its SLA targets over its period: availability, "
            "step error rate or response time."
        ),
        impact="The journey is less reliable or slower than promised to users.",
        triage=(
            TriageQuery("Availability over the period", recorded(sla_success(flow), flow)),
            TriageQuery("Failed steps over the period", recorded(sla_step_errors(flow), flow)),
            TriageQuery(
                f"p{RESPONSE_QUANTILE * 100:g} response over the period",
                recorded(sla_response(flow), flow),
            ),
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
    labels = {FLOW_LABEL: flow.name, TEAM_LABEL: flow.team}

    def indicators(success: float, step_errors: float, response: float) -> tuple[Series, ...]:
        return (
            series(sla_success(flow), labels, steady(success, 40)),
            series(sla_step_errors(flow), labels, steady(step_errors, 40)),
            series(sla_response(flow), labels, steady(response, 40)),
        )

    good = (
        min(1.0, availability + (1 - availability) / 2),
        errors / 2,
        sla.max_response_seconds / 2,
    )
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                "availability under target",
                indicators(availability - (1 - availability), good[1], good[2]),
                "35m",
                labels,
            ),
            Case(
                "too many failed steps",
                indicators(good[0], errors * 2 + 0.01, good[2]),
                "35m",
                labels,
            ),
            Case(
                "responses too slow",
                indicators(good[0], good[1], sla.max_response_seconds * 2),
                "35m",
                labels,
            ),
        ),
        silent=lambda: (Case("every target met", indicators(*good), "35m"),),
    )
