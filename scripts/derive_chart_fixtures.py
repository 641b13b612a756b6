"""Derive the chart data in o11y/chartdata/ from the pinned upstream files.

The upstream chart files (values.yaml, values.schema.json, prometheus-operator CRDs) exist only
in a snapshot of the upstream chart repositories (`charts/<chart>/<version>/` and
`charts/crds/prometheus-operator/<version>/`, default `../shared/charts`). The test suite must pass
on a fresh clone, so this script keeps what the tests need, and nothing verbatim:

- `<chart>-<version>.keys.json`: every key path of the chart's default values.yaml, plus the
  paths whose default is an empty map (`resources: {}`, `nodeSelector: {}`), under which the
  chart takes any keys.
- `<chart>-<version>.schema.json`: the chart's values.schema.json without description text.
- `crd-<plural>.schema.json`: `openAPIV3Schema` of each served version of the CRDs the program
  creates objects of, without description text.

Run: .venv/bin/python scripts/derive_chart_fixtures.py [CHARTS_DIR]
"""

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from o11y.charts import CHARTS, PROMETHEUS_OPERATOR_VERSION  # noqa: E402

FIXTURES = ROOT / "o11y" / "chartdata"
# Custom resources the program creates (monitors, rules, the Alertmanager config is a Secret).
CRDS = ("servicemonitors", "podmonitors", "probes", "prometheusrules", "prometheuses")
# Keys the charts document only in a values.yaml comment (`# configSecret:`), which their
# templates read. Each is checked against the upstream comment before it is recorded.
COMMENTED_KEYS: dict[str, tuple[str, ...]] = {
    "kube-prometheus-stack": ("alertmanager.alertmanagerSpec.configSecret",),
    "loki": ("loki.storage.bucketNames",),
    "opentelemetry-collector": ("podDisruptionBudget.minAvailable",),
    "tempo": ("persistence.storageClassName",),
    "grafana": ("persistence.storageClassName", "ingress.ingressClassName"),
    "mimir-distributed": tuple(
        f"{component}.persistentVolume.storageClass"
        for component in ("alertmanager", "compactor", "ingester", "store_gateway")
    ),
}
# Of those, the ones documented as maps whose keys the chart reads (`bucketNames.chunks`).
COMMENTED_MAPS = frozenset({"loki.storage.bucketNames"})
# Schema keywords that carry prose only.
PROSE = ("description", "examples", "$comment")


class _Loader(yaml.SafeLoader):
    """SafeLoader that reads the bare scalar `=` (in CRD enums) as the string it is."""


def _plain_scalar(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    assert isinstance(node, yaml.ScalarNode)
    return str(loader.construct_scalar(node))


_Loader.add_constructor("tag:yaml.org,2002:value", _plain_scalar)


def key_paths(values: object, prefix: str = "") -> Iterator[tuple[str, bool]]:
    """(dotted path, default is an empty map) for every key of a values tree."""
    if not isinstance(values, dict):
        return
    for key, value in values.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        yield path, isinstance(value, dict) and not value
        yield from key_paths(value, path)


def without_prose(schema: object) -> object:
    """A JSON schema without description text; `properties` named like a keyword are kept."""
    if isinstance(schema, list):
        return [without_prose(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    return {
        key: (
            {name: without_prose(sub) for name, sub in value.items()}
            if key in ("properties", "patternProperties", "definitions", "$defs")
            and isinstance(value, dict)
            else without_prose(value)
        )
        for key, value in schema.items()
        if not (key in PROSE and not isinstance(value, dict))
    }


def write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, sort_keys=True, indent=0) + "\n", "utf-8")


def main(source: Path) -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for chart in CHARTS.values():
        directory = source / chart.name / chart.version
        values = yaml.load((directory / "values.yaml").read_text("utf-8"), Loader=_Loader)
        text = (directory / "values.yaml").read_text("utf-8")
        paths = dict(key_paths(values))
        for path in COMMENTED_KEYS.get(chart.name, ()):
            leaf = path.rsplit(".", 1)[-1]
            if not re.search(rf"^\s*#\s*{re.escape(leaf)}:", text, re.MULTILINE):
                raise SystemExit(f"{chart.name}: no `# {leaf}:` comment in values.yaml")
            paths[path] = path in COMMENTED_MAPS
        write_json(
            FIXTURES / f"{chart.name}-{chart.version}.keys.json",
            {
                "chart": chart.name,
                "version": chart.version,
                "paths": sorted(paths),
                "open_maps": sorted(path for path, empty in paths.items() if empty),
            },
        )
        schema_file = directory / "values.schema.json"
        if schema_file.exists():
            schema = json.loads(schema_file.read_text("utf-8"))
            write_json(
                FIXTURES / f"{chart.name}-{chart.version}.schema.json", without_prose(schema)
            )
    crd_directory = source / "crds" / "prometheus-operator" / PROMETHEUS_OPERATOR_VERSION
    for plural in CRDS:
        crd = yaml.load((crd_directory / f"crd-{plural}.yaml").read_text("utf-8"), Loader=_Loader)
        versions = {
            version["name"]: without_prose(version["schema"]["openAPIV3Schema"])
            for version in crd["spec"]["versions"]
            if version.get("served")
        }
        write_json(
            FIXTURES / f"crd-{plural}.schema.json",
            {
                "group": crd["spec"]["group"],
                "kind": crd["spec"]["names"]["kind"],
                "versions": versions,
            },
        )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "charts")
