"""Synthetic flows in the cluster: what runs where, manifests and per-flow records."""

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from o11y.manifestcheck import manifest_errors
from o11y.model.stack import Stack, required_secrets
from o11y.model.synthetics import SyntheticFlow
from o11y.rules import rule_groups
from o11y.synthetic_runner import parse_flow
from o11y.synthetics import (
    blackbox_modules,
    credential_secrets,
    cron_schedule,
    recording_groups,
    runner_spec,
    synthetic_files,
    synthetic_monitors,
    workloads,
)
from tests.o11y.synthetic_fixtures import ITEM_FLOW, SERVICE_CHECK, flow_stack, with_flows
from tests.trees import as_list, dig


@pytest.fixture(scope="module")
def stack() -> Stack:
    return with_flows(flow_stack(), SERVICE_CHECK, ITEM_FLOW)


def _flow(**changes: object) -> SyntheticFlow:
    return SyntheticFlow.model_validate({**ITEM_FLOW, **changes})


@pytest.mark.parametrize(
    ("minutes", "schedule"),
    [
        (1, "* * * * *"),
        (5, "*/5 * * * *"),
        (30, "*/30 * * * *"),
        (60, "0 * * * *"),
        (180, "0 */3 * * *"),
    ],
)
def test_the_cron_schedule_runs_the_flow_evenly(minutes: int, schedule: str) -> None:
    assert cron_schedule(_flow(every_minutes=minutes)) == schedule


def test_flows_refer_to_catalog_teams_and_services() -> None:
    bad_step = {**SERVICE_CHECK, "steps": [{"name": "q", "service": "nowhere"}]}
    with pytest.raises(ValueError, match=re.escape("synthetic_flows[0].steps[0].service: unknown")):
        with_flows(flow_stack(), bad_step)
    with pytest.raises(ValueError, match=re.escape("synthetic_flows[0].team: unknown team 'x'")):
        with_flows(flow_stack(), {**SERVICE_CHECK, "team": "x"})


def test_the_credentials_of_every_flow_are_required_secrets(stack: Stack) -> None:
    needed = required_secrets(stack)
    assert "synthetic_password" in needed
    assert "synthetic_user" in needed


def test_a_catalog_step_calls_the_service_in_cluster(stack: Stack) -> None:
    (probe,) = [m for m in synthetic_monitors(stack) if m["kind"] == "Probe"]
    assert probe["spec"] == {
        "jobName": "synthetic",
        "prober": {"url": "blackbox-exporter-prometheus-blackbox-exporter.observability.svc:9115"},
        "module": "synthetic_ping-query",
        "interval": "5m",
        "scrapeTimeout": "15s",
        "targets": {
            "staticConfig": {
                "static": ["http://api-gateway.apps.svc:7000/graphql"],
                "labels": {"flow": "ping-query", "team": "platform"},
            }
        },
    }


def test_the_blackbox_module_sends_the_request_and_checks_the_answer(stack: Stack) -> None:
    assert blackbox_modules(stack) == {
        "synthetic_ping-query": {
            "prober": "http",
            "timeout": "10s",
            "http": {
                "method": "POST",
                "valid_status_codes": [200],
                "preferred_ip_protocol": "ip4",
                "follow_redirects": False,
                "headers": {"Content-Type": "application/json"},
                "body": '{"query":"{ ping }"}',
                "fail_if_body_not_matches_regexp": ['"ping"\\s*:'],
            },
        }
    }


def test_the_pushgateway_is_scraped_with_the_pushed_labels(stack: Stack) -> None:
    (monitor,) = [m for m in synthetic_monitors(stack) if m["kind"] == "ServiceMonitor"]
    assert dig(monitor, "spec", "endpoints") == [
        {"port": "http", "honorLabels": True, "interval": "30s", "path": "/metrics"}
    ]


def test_the_runner_reads_the_spec_the_core_writes(stack: Stack) -> None:
    flow = stack.synthetic_flows[1]
    parsed = parse_flow(runner_spec(stack, flow))
    assert parsed.name == "item-flow"
    assert [s.name for s in parsed.steps] == ["log-in", "create", "verify", "delete"]
    assert parsed.steps[2].url == "http://127.0.0.1:1/items/${item}"
    assert parsed.steps[3].always is True
    assert parsed.steps[1].capture == {"item": "item.id"}


def test_credentials_reach_the_cronjob_from_its_secret_by_reference(stack: Stack) -> None:
    assert credential_secrets(stack) == {
        "synthetic-item-flow": {"password": "synthetic_password", "user": "synthetic_user"}
    }
    (job,) = [m for m in workloads(stack) if m["kind"] == "CronJob"]
    text = json.dumps(job)
    container = dig(job, "spec", "jobTemplate", "spec", "template", "spec", "containers", 0)
    assert as_list(dig(container, "env"))[:2] == [
        {
            "name": "FLOW_PASSWORD",
            "valueFrom": {"secretKeyRef": {"name": "synthetic-item-flow", "key": "password"}},
        },
        {
            "name": "FLOW_USER",
            "valueFrom": {"secretKeyRef": {"name": "synthetic-item-flow", "key": "user"}},
        },
    ]
    assert dig(container, "command", -1) == "http://synthetic-pushgateway.observability.svc:9091"
    assert dig(job, "spec", "schedule") == "*/10 * * * *"
    assert "<secret" not in text


def test_every_workload_is_valid_for_the_cluster_version(stack: Stack) -> None:
    kinds = [m["kind"] for m in workloads(stack)]
    assert kinds == ["Deployment", "Service", "ConfigMap", "CronJob"]
    for manifest in workloads(stack):
        assert manifest_errors(dict(manifest), stack.kubernetes.version, {}) == []


def test_without_multi_step_flows_there_is_no_runner() -> None:
    only_probe = with_flows(flow_stack(), SERVICE_CHECK)
    assert workloads(only_probe) == []
    assert synthetic_files(only_probe) == {}
    assert [m["kind"] for m in synthetic_monitors(only_probe)] == ["Probe"]


def test_the_rendered_file_holds_the_runner_source_and_no_secret_value(stack: Stack) -> None:
    (text,) = synthetic_files(stack).values()
    documents = list(yaml.safe_load_all(text))
    (config,) = [d for d in documents if d["kind"] == "ConfigMap"]
    assert "def run_flow(" in config["data"]["synthetic_runner.py"]
    assert json.loads(config["data"]["item-flow.json"])["flow"] == "item-flow"


def test_flow_rules_live_in_their_own_rule_file(stack: Stack) -> None:
    groups = rule_groups(stack)["synthetics"]
    assert [g["name"] for g in groups] == [
        "synthetic-flow-records",
        "synthetic-flow-sla",
        "synthetic-flows",
    ]


def test_the_per_flow_records_read_probes_and_pushed_runs_alike(
    stack: Stack, promtool: str, tmp_path: Path
) -> None:
    """promtool evaluates the recording rules on a passing probe and a run whose verify step
    failed (the clean-up step ran, the other two passed)."""
    (records, _) = recording_groups(stack)
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"groups": [records]}), encoding="utf-8")
    pushed = '{job="synthetic",flow="item-flow"}'
    test = {
        "rule_files": ["rules.yaml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [
                    {
                        "series": 'probe_success{job="synthetic",flow="ping-query"}',
                        "values": "1 _ _ _ _ 1",
                    },
                    {
                        "series": 'probe_duration_seconds{job="synthetic",flow="ping-query"}',
                        "values": "0.2 _ _ _ _ 0.3",
                    },
                    {"series": "synthetic_flow_success" + pushed, "values": "0x6"},
                    *(
                        {
                            "series": f'synthetic_step_success{{job="synthetic",flow="item-flow",step="{step}"}}',
                            "values": f"{ok}x6",
                        }
                        for step, ok in (("log-in", 1), ("create", 1), ("verify", 0), ("delete", 1))
                    ),
                    {
                        "series": 'synthetic_step_duration_seconds{job="synthetic",flow="item-flow",step="verify"}',
                        "values": "0.7x6",
                    },
                ],
                "promql_expr_test": [
                    {
                        "expr": "flow:synthetic_success:last",
                        "eval_time": "3m",
                        "exp_samples": [
                            {
                                "labels": 'flow:synthetic_success:last{flow="ping-query",team="platform"}',
                                "value": 1,
                            },
                            {
                                "labels": 'flow:synthetic_success:last{flow="item-flow",team="product"}',
                                "value": 0,
                            },
                        ],
                    },
                    {
                        "expr": "flow:synthetic_step_errors:ratio",
                        "eval_time": "3m",
                        "exp_samples": [
                            {
                                "labels": 'flow:synthetic_step_errors:ratio{flow="ping-query",team="platform"}',
                                "value": 0,
                            },
                            {
                                "labels": 'flow:synthetic_step_errors:ratio{flow="item-flow",team="product"}',
                                "value": 0.25,
                            },
                        ],
                    },
                    {
                        "expr": "flow:synthetic_response_seconds:max",
                        "eval_time": "3m",
                        "exp_samples": [
                            {
                                "labels": 'flow:synthetic_response_seconds:max{flow="ping-query",team="platform"}',
                                "value": 0.2,
                            },
                            {
                                "labels": 'flow:synthetic_response_seconds:max{flow="item-flow",team="product"}',
                                "value": 0.7,
                            },
                        ],
                    },
                ],
            }
        ],
    }
    (tmp_path / "test.yaml").write_text(yaml.safe_dump(test, width=1000), encoding="utf-8")
    done = subprocess.run(
        [promtool, "test", "rules", "test.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
