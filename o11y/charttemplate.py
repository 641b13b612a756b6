"""Renders a release with its pinned chart, as `pulumi up` would install it: `helm template` with
the values `render` wrote, at the Kubernetes version the stack targets.

Charts come from a folder holding each chart as `NAME-VERSION.tgz` (what `helm pull` saves, with
its subcharts inside) or unpacked as `NAME-VERSION/`; nothing here reaches a chart repository.
"""

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

from o11y.charts import Chart
from o11y.manifests import Manifest

# API groups the charts test with `.Capabilities.APIVersions.Has` before rendering their
# ServiceMonitors, PodMonitors and PrometheusRules: kube-prometheus-stack installs them.
CRD_API_VERSIONS = ("monitoring.coreos.com/v1",)
HELM_TIMEOUT_SECONDS = 300


class TemplateError(Exception):
    """`helm template` refused the release; the message is Helm's own."""


@dataclass(frozen=True)
class Release:
    """What `helm template` needs of one release."""

    name: str
    chart: str
    version: str
    namespace: str
    values: Path


# Where `make tools` puts a Helm 3 when none is on PATH.
BUNDLED_HELM = Path(__file__).resolve().parent.parent / ".tools" / "bin" / "helm"


def helm_binary() -> str | None:
    """The Helm 3 on PATH, else the one `make tools` installed."""
    found = shutil.which("helm")
    if found is None and BUNDLED_HELM.is_file():
        return str(BUNDLED_HELM)
    return found


def pull(helm: str, chart: Chart, charts: Path) -> None:
    """`helm pull` one pinned chart into `charts` as NAME-VERSION.tgz (subcharts inside)."""
    command = [
        helm,
        "pull",
        chart.name,
        "--repo",
        chart.repository,
        "--version",
        chart.version,
        "--destination",
        str(charts),
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=HELM_TIMEOUT_SECONDS, check=False
    )
    if done.returncode != 0:
        raise TemplateError(_helm_message(done.stderr))


def chart_source(charts: Path, chart: str, version: str) -> Path | None:
    """The pinned chart in `charts`, packaged or unpacked; None when the folder lacks it."""
    for candidate in (charts / f"{chart}-{version}.tgz", charts / f"{chart}-{version}"):
        if candidate.exists():
            return candidate
    return None


def template(helm: str, release: Release, chart: Path, kubernetes_version: str) -> list[Manifest]:
    """Every object the chart renders for the release, CRDs included, in Helm's order."""
    command = [
        helm,
        "template",
        release.name,
        str(chart),
        "--namespace",
        release.namespace,
        "--values",
        str(release.values),
        "--kube-version",
        kubernetes_version,
        "--include-crds",
        *(f"--api-versions={api}" for api in CRD_API_VERSIONS),
    ]
    # Helm must not read the user's repositories or plugins: the chart is a local path.
    environment = {**os.environ, "HELM_NO_PLUGINS": "1"}
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=HELM_TIMEOUT_SECONDS,
        check=False,
        env=environment,
    )
    if done.returncode != 0:
        raise TemplateError(_helm_message(done.stderr))
    return [
        document
        for document in yaml.load_all(done.stdout, Loader=_Loader)
        if isinstance(document, dict)
    ]


def _helm_message(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error")]
    return (errors or lines or ["helm template failed without a message"])[0].removeprefix(
        "Error: "
    )


class _Loader(yaml.CSafeLoader):
    """The C loader, reading the bare `=` some CRDs' enums hold as a string (PyYAML would
    resolve it to the YAML `value` tag and refuse it)."""


def _plain_string(loader: yaml.CSafeLoader, node: yaml.Node) -> str:
    assert isinstance(node, yaml.ScalarNode)
    return str(loader.construct_scalar(node))


_Loader.add_constructor("tag:yaml.org,2002:value", _plain_string)
