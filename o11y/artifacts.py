"""Every generated file of a stack, as relative path -> text: what `render` writes and `check` tests."""

from o11y.dashboards import dashboard_files
from o11y.helm import values_files
from o11y.manifests import kubernetes_files
from o11y.model.stack import Stack
from o11y.monitors import monitor_files
from o11y.routing import alertmanager_files
from o11y.rules import rule_files
from o11y.runbooks import runbook_files
from o11y.synthetics import synthetic_files


def render(stack: Stack) -> dict[str, str]:
    """All artifacts of one stack, byte-for-byte the same for the same stack."""
    files: dict[str, str] = {}
    for part in (
        rule_files(stack),
        alertmanager_files(stack),
        dashboard_files(stack),
        values_files(stack),
        monitor_files(stack),
        kubernetes_files(stack),
        runbook_files(stack),
        synthetic_files(stack),
    ):
        overlap = files.keys() & part.keys()
        if overlap:
            raise ValueError(f"two generators write {sorted(overlap)}")
        files.update(part)
    return dict(sorted(files.items()))
