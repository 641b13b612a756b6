"""Synthetic flows in the cluster: blackbox modules and Probes for one-request checks, and for
multi-step flows the runner's ConfigMap, one CronJob per flow and the Pushgateway that holds
their results; plus the per-flow series every rule and panel reads.

Why a Pushgateway: a CronJob's pod lives for seconds, so nothing can scrape it, and its result
must stay readable until the next run (30 minutes for the checkout flow). The Pushgateway keeps
each flow's last result and stamps it with `push_time_seconds`, which tells a failing flow from
one that stopped running. The OTel gateway would turn the same gauges into remote-written
samples that go stale five minutes after the pod is gone, and need an OTLP client in the
runner, which has to stay standard-library only.
"""

import re
from pathlib import Path

import yaml

from o11y.conventions import (
    FLOW_LABEL,
    MANAGED_BY,
    PUSHGATEWAY,
    PUSHGATEWAY_PORT,
    SYNTHETIC_JOB,
    SYNTHETIC_RUNNER_CONFIG,
    TEAM_LABEL,
    blackbox_address,
    flow_selector,
    pushgateway_url,
    synthetic_flow_secret,
)
from o11y.jsontext import json_text
from o11y.model.stack import Stack
from o11y.model.synthetics import FlowStep, SyntheticFlow
from o11y.promrules import Rule, RuleGroup

Json = str | int | float | bool | list["Json"] | dict[str, "Json"] | None
Manifest = dict[str, Json]

# Official images, pinned: the runner needs nothing but the standard library.
RUNNER_IMAGE = "python:3.12.11-slim-bookworm"
PUSHGATEWAY_IMAGE = "quay.io/prometheus/pushgateway:v1.11.2"
RUNNER_SOURCE = Path(__file__).with_name("synthetic_runner.py")
RUNNER_FILE = "synthetic_runner.py"
RUNNER_MOUNT = "/opt/synthetic"
# Also the `service` of its logs (the log agent names logs outside the catalog by container).
RUNNER_CONTAINER = "synthetic-runner"
CREDENTIAL_ENV_PREFIX = "FLOW_"
# Blackbox modules of one-request flows are named after the flow.
MODULE_PREFIX = "synthetic_"

# Pods and Service of the Pushgateway.
PUSHGATEWAY_SELECTOR = {"app.kubernetes.io/name": PUSHGATEWAY}
PUSHGATEWAY_PORT_NAME = "http"

# Per-flow series (level:metric:operations), recorded from probes or pushed runs alike.
SUCCESS = "flow:synthetic_success:last"
STEP_ERRORS = "flow:synthetic_step_errors:ratio"
RESPONSE = "flow:synthetic_response_seconds:max"
RECORDING_GROUP = "synthetic-flow-records"
SLA_GROUP = "synthetic-flow-sla"
# The SLA's response target holds for this quantile of the period's samples.
RESPONSE_QUANTILE = 0.95


def sla_success(flow: SyntheticFlow) -> str:
    return f"flow:synthetic_success:avg{flow.sla.period}"


def sla_step_errors(flow: SyntheticFlow) -> str:
    return f"flow:synthetic_step_errors:avg{flow.sla.period}"


def sla_response(flow: SyntheticFlow) -> str:
    return f"flow:synthetic_response_seconds:p95_{flow.sla.period}"


# What runs where ---------------------------------------------------------------------------


def step_url(stack: Stack, step: FlowStep) -> str:
    """Absolute URL of a step: a catalog service is called through its in-cluster Service."""
    if step.url is not None:
        return step.url
    assert step.service is not None, "a step names a service or a URL"
    service = stack.service(step.service)
    return f"http://{service.name}.{service.namespace}.svc:{service.port}{step.path}"


def cron_schedule(flow: SyntheticFlow) -> str:
    minutes = flow.every_minutes
    if minutes == 1:
        return "* * * * *"
    if minutes < 60:
        return f"*/{minutes} * * * *"
    hours = minutes // 60
    return "0 * * * *" if hours == 1 else f"0 */{hours} * * *"


def credential_env(variable: str) -> str:
    """The environment variable the runner reads a credential from (`password` -> FLOW_PASSWORD)."""
    return CREDENTIAL_ENV_PREFIX + variable.upper()


def runner_spec(stack: Stack, flow: SyntheticFlow) -> str:
    """The flow as the runner reads it (o11y/synthetic_runner.py `parse_flow`)."""
    steps: list[Json] = [
        {
            "name": step.name,
            "method": step.method,
            "url": step_url(stack, step),
            "headers": dict[str, Json](step.headers),
            "body": step.body,
            "expect_status": list[Json](step.expect_status),
            "expect_json": list[Json](step.expect_json),
            "capture": dict[str, Json](step.capture),
            "always": step.always,
            "timeout_seconds": step.timeout_seconds,
        }
        for step in flow.steps
    ]
    return json_text({"flow": flow.name, "steps": steps})


def blackbox_flows(stack: Stack) -> list[SyntheticFlow]:
    return [f for f in stack.synthetic_flows if f.runner == "blackbox"]


def cronjob_flows(stack: Stack) -> list[SyntheticFlow]:
    return [f for f in stack.synthetic_flows if f.runner == "cronjob"]


def module_name(flow: SyntheticFlow) -> str:
    return MODULE_PREFIX + flow.name


def blackbox_modules(stack: Stack) -> dict[str, Json]:
    """One blackbox module per one-request flow. The exporter checks JSON fields by regular
    expression on the body: each expected field's last key must appear as a JSON key."""
    modules: dict[str, Json] = {}
    for flow in blackbox_flows(stack):
        (step,) = flow.steps
        http: dict[str, Json] = {
            "method": step.method,
            "valid_status_codes": list[Json](step.expect_status),
            "preferred_ip_protocol": "ip4",
            "follow_redirects": False,
        }
        if step.headers:
            http["headers"] = dict[str, Json](step.headers)
        if step.body is not None:
            http["body"] = step.body
        if step.expect_json:
            http["fail_if_body_not_matches_regexp"] = [
                f'"{re.escape(path.split(".")[-1])}"\\s*:' for path in step.expect_json
            ]
        modules[module_name(flow)] = {
            "prober": "http",
            "timeout": f"{step.timeout_seconds:g}s",
            "http": http,
        }
    return modules


def _labels(flow: SyntheticFlow) -> dict[str, str]:
    return {FLOW_LABEL: flow.name, TEAM_LABEL: flow.team}


def _metadata(stack: Stack, name: str, labels: dict[str, str]) -> Manifest:
    return {
        "name": name,
        "namespace": stack.kubernetes.namespace,
        "labels": {**MANAGED_BY, **labels},
    }


def synthetic_monitors(stack: Stack) -> list[Manifest]:
    """A Probe per one-request flow, and the Pushgateway's ServiceMonitor when a flow runs as
    a CronJob (honorLabels: the pushed `job` and `flow` are kept)."""
    monitors: list[Manifest] = []
    for flow in blackbox_flows(stack):
        (step,) = flow.steps
        monitors.append(
            {
                "apiVersion": "monitoring.coreos.com/v1",
                "kind": "Probe",
                "metadata": _metadata(stack, f"synthetic-{flow.name}", _labels(flow)),
                "spec": {
                    "jobName": SYNTHETIC_JOB,
                    "prober": {"url": blackbox_address(stack.kubernetes.namespace)},
                    "module": module_name(flow),
                    "interval": f"{flow.every_minutes}m",
                    "scrapeTimeout": f"{int(step.timeout_seconds) + 5}s",
                    "targets": {
                        "staticConfig": {
                            "static": [step_url(stack, step)],
                            "labels": dict[str, Json](_labels(flow)),
                        }
                    },
                },
            }
        )
    if cronjob_flows(stack):
        monitors.append(
            {
                "apiVersion": "monitoring.coreos.com/v1",
                "kind": "ServiceMonitor",
                "metadata": _metadata(stack, PUSHGATEWAY, {}),
                "spec": {
                    "selector": {"matchLabels": dict[str, Json](PUSHGATEWAY_SELECTOR)},
                    "namespaceSelector": {"matchNames": [stack.kubernetes.namespace]},
                    "endpoints": [
                        {
                            "port": PUSHGATEWAY_PORT_NAME,
                            "honorLabels": True,
                            "interval": "30s",
                            "path": "/metrics",
                        }
                    ],
                },
            }
        )
    return monitors


_RESTRICTED: dict[str, Json] = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "capabilities": {"drop": ["ALL"]},
}
_POD_SECURITY: dict[str, Json] = {
    "runAsNonRoot": True,
    "runAsUser": 65534,
    "runAsGroup": 65534,
    "seccompProfile": {"type": "RuntimeDefault"},
}


def runner_files(stack: Stack) -> dict[str, str]:
    """The runner and each flow's spec: the ConfigMap every flow's CronJob mounts."""
    files = {RUNNER_FILE: RUNNER_SOURCE.read_text(encoding="utf-8")}
    for flow in cronjob_flows(stack):
        files[f"{flow.name}.json"] = runner_spec(stack, flow)
    return files


def runner_config(stack: Stack) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _metadata(stack, SYNTHETIC_RUNNER_CONFIG, {}),
        "data": dict[str, Json](runner_files(stack)),
    }


def cron_job(stack: Stack, flow: SyntheticFlow) -> Manifest:
    env: list[Json] = [
        {
            "name": credential_env(variable),
            "valueFrom": {
                "secretKeyRef": {"name": synthetic_flow_secret(flow.name), "key": variable}
            },
        }
        for variable in sorted(flow.credentials)
    ]
    env.append({"name": "PYTHONDONTWRITEBYTECODE", "value": "1"})
    # Every step may take its whole timeout; the Job never outlives the next run.
    deadline = min(int(sum(s.timeout_seconds for s in flow.steps)) + 60, flow.every_minutes * 60)
    container: dict[str, Json] = {
        "name": RUNNER_CONTAINER,
        "image": RUNNER_IMAGE,
        "command": [
            "python",
            f"{RUNNER_MOUNT}/{RUNNER_FILE}",
            f"{RUNNER_MOUNT}/{flow.name}.json",
            pushgateway_url(stack.kubernetes.namespace),
        ],
        "env": env,
        "resources": {
            "requests": {"cpu": "10m", "memory": "32Mi"},
            "limits": {"memory": "64Mi"},
        },
        "securityContext": dict(_RESTRICTED),
        "volumeMounts": [{"name": "runner", "mountPath": RUNNER_MOUNT, "readOnly": True}],
    }
    pod_labels = {"app.kubernetes.io/name": "synthetic-runner", **_labels(flow)}
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": _metadata(stack, f"synthetic-{flow.name}", _labels(flow)),
        "spec": {
            "schedule": cron_schedule(flow),
            "timeZone": "Etc/UTC",
            "concurrencyPolicy": "Forbid",
            "startingDeadlineSeconds": 60,
            "successfulJobsHistoryLimit": 1,
            "failedJobsHistoryLimit": 3,
            "jobTemplate": {
                "spec": {
                    # A failed run is reported through its metrics; retrying would hide it.
                    "backoffLimit": 0,
                    "activeDeadlineSeconds": deadline,
                    "ttlSecondsAfterFinished": 3600,
                    "template": {
                        "metadata": {"labels": dict[str, Json](pod_labels)},
                        "spec": {
                            "restartPolicy": "Never",
                            "automountServiceAccountToken": False,
                            "securityContext": dict(_POD_SECURITY),
                            "containers": [container],
                            "volumes": [
                                {"name": "runner", "configMap": {"name": SYNTHETIC_RUNNER_CONFIG}}
                            ],
                        },
                    },
                }
            },
        },
    }


def pushgateway(stack: Stack) -> list[Manifest]:
    """A single Pushgateway (Deployment + Service). Its state is the last result of each flow;
    it survives container restarts in the persistence file."""
    labels = PUSHGATEWAY_SELECTOR
    container: dict[str, Json] = {
        "name": "pushgateway",
        "image": PUSHGATEWAY_IMAGE,
        "args": ["--persistence.file=/data/metrics", "--persistence.interval=1m"],
        "ports": [{"name": PUSHGATEWAY_PORT_NAME, "containerPort": PUSHGATEWAY_PORT}],
        "readinessProbe": {"httpGet": {"path": "/-/ready", "port": PUSHGATEWAY_PORT_NAME}},
        "livenessProbe": {"httpGet": {"path": "/-/healthy", "port": PUSHGATEWAY_PORT_NAME}},
        "resources": {
            "requests": {"cpu": "10m", "memory": "32Mi"},
            "limits": {"memory": "128Mi"},
        },
        "securityContext": dict(_RESTRICTED),
        "volumeMounts": [{"name": "data", "mountPath": "/data"}],
    }
    return [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": _metadata(stack, PUSHGATEWAY, labels),
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": dict[str, Json](labels)},
                "template": {
                    "metadata": {"labels": dict[str, Json](labels)},
                    "spec": {
                        "automountServiceAccountToken": False,
                        "securityContext": dict(_POD_SECURITY),
                        "containers": [container],
                        "volumes": [{"name": "data", "emptyDir": {}}],
                    },
                },
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _metadata(stack, PUSHGATEWAY, labels),
            "spec": {
                "selector": dict[str, Json](labels),
                "ports": [
                    {
                        "name": PUSHGATEWAY_PORT_NAME,
                        "port": PUSHGATEWAY_PORT,
                        "targetPort": PUSHGATEWAY_PORT_NAME,
                    }
                ],
            },
        },
    ]


def workloads(stack: Stack) -> list[Manifest]:
    """Everything the CronJob flows need, but their credential Secrets (see `credential_secrets`)."""
    flows = cronjob_flows(stack)
    if not flows:
        return []
    return [*pushgateway(stack), runner_config(stack), *(cron_job(stack, f) for f in flows)]


def credential_secrets(stack: Stack) -> dict[str, dict[str, str]]:
    """Kubernetes Secret name -> {key: the `o11y:secrets` value that fills it}, per flow."""
    return {
        synthetic_flow_secret(flow.name): dict(sorted(flow.credentials.items()))
        for flow in cronjob_flows(stack)
        if flow.credentials
    }


class _ReviewDumper(yaml.SafeDumper):
    """Multi-line strings (the runner's source, each flow's spec) as literal blocks."""


def _literal_blocks(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    return dumper.represent_scalar(
        "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None
    )


_ReviewDumper.add_representer(str, _literal_blocks)


def synthetic_files(stack: Stack) -> dict[str, str]:
    """`kubernetes/synthetics.yaml`: the runner's objects, for review (no Secret values)."""
    documents = workloads(stack)
    if not documents:
        return {}
    text = yaml.dump_all(
        documents, Dumper=_ReviewDumper, sort_keys=True, width=1000, allow_unicode=True
    )
    return {"kubernetes/synthetics.yaml": text}


# Per-flow series ----------------------------------------------------------------------------


def _fresh(flow: SyntheticFlow) -> str:
    """A probe is scraped once per run: read its last result within two runs."""
    return f"{2 * flow.every_minutes}m"


def success_expr(flow: SyntheticFlow) -> str:
    """1 while the flow's last run passed, 0 while it failed."""
    selector = flow_selector(flow.name)
    if flow.runner == "blackbox":
        return (
            f"max by ({FLOW_LABEL}) (last_over_time(probe_success{{{selector}}}[{_fresh(flow)}]))"
        )
    return f"max by ({FLOW_LABEL}) (synthetic_flow_success{{{selector}}})"


def step_errors_expr(flow: SyntheticFlow) -> str:
    """The share of the last run's steps that failed."""
    selector = flow_selector(flow.name)
    if flow.runner == "blackbox":
        return f"1 - {success_expr(flow)}"
    return f"1 - avg by ({FLOW_LABEL}) (synthetic_step_success{{{selector}}})"


def response_expr(flow: SyntheticFlow) -> str:
    """The response time of the last run's slowest step, in seconds."""
    selector = flow_selector(flow.name)
    if flow.runner == "blackbox":
        return (
            f"max by ({FLOW_LABEL}) "
            f"(last_over_time(probe_duration_seconds{{{selector}}}[{_fresh(flow)}]))"
        )
    return f"max by ({FLOW_LABEL}) (synthetic_step_duration_seconds{{{selector}}})"


def recorded(name: str, flow: SyntheticFlow) -> str:
    return f'{name}{{{FLOW_LABEL}="{flow.name}"}}'


def sla_exprs(flow: SyntheticFlow) -> dict[str, str]:
    """SLA record name -> its expression over the flow's period."""
    period = flow.sla.period
    return {
        sla_success(flow): f"avg_over_time({recorded(SUCCESS, flow)}[{period}])",
        sla_step_errors(flow): f"avg_over_time({recorded(STEP_ERRORS, flow)}[{period}])",
        sla_response(flow): (
            f"quantile_over_time({RESPONSE_QUANTILE:g}, {recorded(RESPONSE, flow)}[{period}])"
        ),
    }


def recording_groups(stack: Stack) -> list[RuleGroup]:
    """The per-flow series, then each flow's SLA indicators over its period."""
    if not stack.synthetic_flows:
        return []
    current: list[Rule] = []
    sla: list[Rule] = []
    for flow in stack.synthetic_flows:
        # The flow in the static labels too: promtool rejects identical record definitions.
        labels = {FLOW_LABEL: flow.name, TEAM_LABEL: flow.team}
        for name, expr in (
            (SUCCESS, success_expr(flow)),
            (STEP_ERRORS, step_errors_expr(flow)),
            (RESPONSE, response_expr(flow)),
        ):
            current.append({"record": name, "expr": expr, "labels": dict(labels)})
        for name, expr in sla_exprs(flow).items():
            sla.append({"record": name, "expr": expr, "labels": dict(labels)})
    # Long-window averages change slowly; evaluating them every 5 minutes is plenty.
    return [
        {"name": RECORDING_GROUP, "rules": current},
        {"name": SLA_GROUP, "interval": "5m", "rules": sla},
    ]
