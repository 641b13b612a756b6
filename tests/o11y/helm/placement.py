"""Pod placement as the pinned charts render a release's values: the tests of each release
compare it with the placement their values ask for."""

from pathlib import Path

import yaml

from o11y.charttemplate import Release, chart_source, template
from o11y.helm import releases
from o11y.model.stack import Stack
from tests.trees import as_dict, dig, text


def pod_specs(
    stack: Stack, name: str, tmp_path: Path, charts: Path, helm: str
) -> dict[str, object]:
    """Workload name -> pod spec, as the pinned chart renders the release's values."""
    (release,) = [r for r in releases(stack) if r.name == name]
    values = tmp_path / f"{name}.values.yaml"
    values.write_text(yaml.safe_dump(release.values), encoding="utf-8")
    chart = chart_source(charts, release.chart, release.version)
    assert chart is not None
    rendered = template(
        helm,
        Release(release.name, release.chart, release.version, release.namespace, values),
        chart,
        stack.kubernetes.version,
    )
    return {
        text(dig(o, "metadata", "name")): dig(o, "spec", "template", "spec")
        for o in rendered
        if o.get("kind") in ("Deployment", "StatefulSet")
    }


def placement_of(pod: object) -> tuple[object, object, object]:
    spec = as_dict(pod)
    return (
        spec.get("nodeSelector"),
        spec.get("affinity"),
        spec.get("topologySpreadConstraints"),
    )
