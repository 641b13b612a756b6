"""Runbooks: one page per alert name, committed for the dev stack, never stale."""

from pathlib import Path

import pytest

from o11y.model.stack import Stack
from o11y.references import Deployed, logql_problems, runbook_queries
from o11y.rules import alerts_by_file
from o11y.runbooks import runbook_files
from tests.conftest import load_stack

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "runbooks"


def test_one_runbook_per_alert_name_and_an_index(dev_stack: Stack) -> None:
    names = {d.name for alerts in alerts_by_file(dev_stack).values() for d in alerts}
    expected = {f"runbooks/{name}.md" for name in names} | {"runbooks/README.md"}
    assert set(runbook_files(dev_stack)) == expected


def test_every_runbook_has_the_sections_and_exact_queries(dev_stack: Stack) -> None:
    for path, text in runbook_files(dev_stack).items():
        if path.endswith("README.md"):
            continue
        for section in (
            "## Symptom",
            "## Impact",
            "## Where it fires",
            "## Triage",
            "## Likely causes",
            "## Resolution",
            "## Related alerts",
        ):
            assert section in text, (path, section)
        assert "```promql\n" in text, path


def test_templated_runbooks_explain_the_service_label(dev_stack: Stack) -> None:
    text = runbook_files(dev_stack)["runbooks/ServiceErrorRateCritical.md"]
    assert "once per `service`" in text
    assert '{service="<service>"} | json | level=~"error|fatal"' in text
    assert "rollout undo deployment/<service>" in text
    for service in dev_stack.services:
        assert f'`service="{service.name}"`: team `{service.team}`, P0, for 2m.' in text


def test_partner_runbook_documents_the_contract_metric(dev_stack: Stack) -> None:
    text = runbook_files(dev_stack)["runbooks/PartnerApiErrorRateHigh.md"]
    assert "`partner_requests_total`" in text and "`outcome`" in text


def test_index_lists_reused_chart_rules_and_inhibitions(dev_stack: Stack) -> None:
    text = runbook_files(dev_stack)["runbooks/README.md"]
    assert (
        "[KubePodCrashLooping](https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping)"
        in text
    )
    assert "| ServiceDown | ServiceProbeFailing," in text


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_log_queries_in_runbooks_select_only_loki_index_labels(name: str) -> None:
    # Loki indexes `service`, `namespace` and `level`; a selector on any other label matches
    # no stream and the responder sees an empty result.
    nobody = Deployed("no-namespace", ())
    for path, text in runbook_files(load_stack(name)).items():
        for language, query in runbook_queries(text):
            if language == "logql":
                assert logql_problems(nobody, path, query) == []
