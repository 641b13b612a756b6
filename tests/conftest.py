"""Shared fixtures: the example stacks and the real Prometheus tools."""

import os
import shutil
from pathlib import Path

import pytest

from o11y.charts import CHARTS
from o11y.charttemplate import chart_source, helm_binary
from o11y.config import parse_stack, read_catalog, read_stack_file
from o11y.model.stack import Stack

ROOT = Path(__file__).resolve().parents[1]

# The Helm releases a development-profile stack deploys before its exporters, in order: no
# Mimir and no sampler tier.
DEV_PLATFORM_RELEASES = (
    "prometheus-operator-crds",
    "kube-prometheus-stack",
    "loki",
    "tempo",
    "grafana",
    "otel-gateway",
    "otel-agent",
    "blackbox-exporter",
)
# Dependency kinds with an exporter release of their own, named `<dependency>-exporter`.
EXPORTED_KINDS = ("postgres", "redis", "kafka")


def dev_releases(stack: Stack) -> tuple[str, ...]:
    """The releases of a development-profile stack: the platform, then one exporter per data
    store of its catalog, in catalog order."""
    exporters = (f"{d.name}-exporter" for d in stack.dependencies if d.kind in EXPORTED_KINDS)
    return (*DEV_PLATFORM_RELEASES, *exporters)


def exporter_of(stack: Stack, kind: str) -> str:
    """The exporter release of the stack's first dependency of a kind."""
    return next(f"{d.name}-exporter" for d in stack.dependencies if d.kind == kind)


# The fixtures that hand a test a real binary: every test using one is a `tools` test
# (`pytest -m "not tools"` runs the rest in seconds).
TOOL_FIXTURES = frozenset(
    {
        "promtool",
        "amtool",
        "prometheus_bin",
        "alertmanager_bin",
        "pushgateway_bin",
        "helm",
        "grammars",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if TOOL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.tools)


def load_stack(name: str) -> Stack:
    return parse_stack(read_stack_file(ROOT / f"Pulumi.{name}.yaml"), read_catalog(ROOT), name)


@pytest.fixture(scope="session")
def dev_stack() -> Stack:
    return load_stack("dev")


@pytest.fixture(scope="session")
def prod_stack() -> Stack:
    return load_stack("prod")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed; CI must install it (see .ci/run)")
        pytest.skip(f"{name} not installed (apt-get install prometheus prometheus-alertmanager)")
    return path


@pytest.fixture(scope="session")
def promtool() -> str:
    return _tool("promtool")


@pytest.fixture(scope="session")
def amtool() -> str:
    return _tool("amtool")


@pytest.fixture(scope="session")
def prometheus_bin() -> str:
    return _tool("prometheus")


@pytest.fixture(scope="session")
def alertmanager_bin() -> str:
    return _tool("prometheus-alertmanager")


@pytest.fixture(scope="session")
def pushgateway_bin() -> str:
    return _tool("prometheus-pushgateway")


@pytest.fixture(scope="session")
def helm() -> str:
    path = helm_binary()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("helm is not installed; CI must install it (`make helm`, see .ci/run)")
        pytest.skip("helm not installed (`make helm`)")
    return path


@pytest.fixture(scope="session")
def pinned_charts(helm: str) -> Path:
    """The pinned charts (`make charts`, or a folder named by O11Y_CHARTS); the tests that
    render with them skip, saying why, where the folder lacks any."""
    charts = Path(os.environ.get("O11Y_CHARTS") or ROOT / ".charts")
    missing = [
        f"{c.name}-{c.version}"
        for c in CHARTS.values()
        if chart_source(charts, c.name, c.version) is None
    ]
    if missing:
        pytest.skip(
            f"the pinned charts are not in {charts} (`make charts`, or O11Y_CHARTS=DIR): "
            f"missing {', '.join(missing)}"
        )
    return charts
