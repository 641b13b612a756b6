"""Shared fixtures: the example stacks and the real Prometheus tools."""

import os
import shutil
from pathlib import Path

import pytest

from o11y.config import parse_stack, read_catalog, read_stack_file
from o11y.model.stack import Stack

ROOT = Path(__file__).resolve().parents[1]

# The Helm releases the dev stack deploys, in order: no Mimir and no sampler tier; one exporter
# per catalog data store (Pulumi.dev.yaml, stacks/catalog.yaml).
DEV_RELEASES = (
    "kube-prometheus-stack",
    "loki",
    "tempo",
    "grafana",
    "otel-gateway",
    "otel-agent",
    "blackbox-exporter",
    "main-db-exporter",
    "cache-exporter",
    "events-exporter",
)


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
