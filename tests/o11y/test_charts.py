"""The pinned charts: every release installs its chart at the pinned version from the pinned
repository, and the operator's CRDs stay at the operator's version."""

import tarfile
from pathlib import Path
from typing import get_args

import pytest
import yaml

from o11y.charts import CHARTS, PROMETHEUS_OPERATOR_VERSION, ChartName
from o11y.charttemplate import chart_source
from o11y.helm import releases
from tests.small_stacks import small_stack


def test_every_chart_name_is_pinned_once() -> None:
    assert sorted(CHARTS) == sorted(get_args(ChartName))
    assert all(name == chart.name for name, chart in CHARTS.items())


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_every_release_installs_the_pinned_chart(env: str) -> None:
    for release in releases(small_stack(env)):
        pinned = CHARTS[release.chart]
        assert (release.version, release.repository) == (pinned.version, pinned.repository)


def app_version(charts: Path, name: ChartName) -> str:
    """The appVersion in the pinned chart's Chart.yaml, packaged or unpacked."""
    source = chart_source(charts, name, CHARTS[name].version)
    assert source is not None
    if source.is_dir():
        text = (source / "Chart.yaml").read_text(encoding="utf-8")
    else:
        with tarfile.open(source) as archive:
            member = archive.extractfile(f"{name}/Chart.yaml")
            assert member is not None
            text = member.read().decode()
    return str(yaml.safe_load(text)["appVersion"])


def test_the_crds_and_kube_prometheus_stack_run_the_same_operator(pinned_charts: Path) -> None:
    # CRDs older or newer than the operator that reads them break ServiceMonitors and rules.
    assert app_version(pinned_charts, "kube-prometheus-stack") == PROMETHEUS_OPERATOR_VERSION
    assert app_version(pinned_charts, "prometheus-operator-crds") == PROMETHEUS_OPERATOR_VERSION
