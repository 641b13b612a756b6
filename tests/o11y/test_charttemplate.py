"""`helm template` of a release from a chart folder, on the tests' own chart."""

import shutil
import subprocess
from pathlib import Path

import pytest

from o11y.charttemplate import Release, TemplateError, chart_source, template

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "charts" / "mini-0.1.0"


def _values(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "values.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_chart_is_found_unpacked_or_packaged(tmp_path: Path, helm: str) -> None:
    assert chart_source(tmp_path, "mini", "0.1.0") is None
    shutil.copytree(MINI, tmp_path / "mini-0.1.0")
    assert chart_source(tmp_path, "mini", "0.1.0") == tmp_path / "mini-0.1.0"
    packaged = tmp_path / "packaged"
    subprocess.run(
        [helm, "package", str(MINI), "-d", str(packaged)], check=True, capture_output=True
    )
    assert chart_source(packaged, "mini", "0.1.0") == packaged / "mini-0.1.0.tgz"
    assert chart_source(packaged, "mini", "0.2.0") is None


def test_template_renders_crds_and_capability_gated_objects(tmp_path: Path, helm: str) -> None:
    release = Release("web", "mini", "0.1.0", "observability", _values(tmp_path, "name: web\n"))
    manifests = template(helm, release, MINI, "1.33")
    kinds = [m["kind"] for m in manifests]
    assert kinds.count("CustomResourceDefinition") == 1
    assert {"Deployment", "Service", "ServiceMonitor", "Widget"} <= set(kinds)
    deployment = next(m for m in manifests if m["kind"] == "Deployment")
    assert deployment["metadata"] == {"name": "web", "namespace": "observability"}


def test_a_chart_that_refuses_the_values_reports_helms_reason(tmp_path: Path, helm: str) -> None:
    release = Release("web", "mini", "0.1.0", "observability", _values(tmp_path, "port: 9\n"))
    with pytest.raises(TemplateError, match="name is required"):
        template(helm, release, MINI, "1.33")
