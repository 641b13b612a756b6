"""Validates a rendered artifact tree with the real tools: promtool, amtool and the chart schemas."""

import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from o11y.chartcheck import custom_resource_errors, values_problems
from o11y.manifests import KUBERNETES_DIR, OBJECT_SIZE_LIMIT, object_size


@dataclass
class CheckReport:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def check_artifacts(out: Path) -> CheckReport:
    """Every check over a directory written by `render`."""
    report = CheckReport()
    checks: list[Callable[[Path, CheckReport], None]] = [
        _rules,
        _alertmanager,
        _helm_values,
        _custom_resources,
        _dashboards,
        _object_sizes,
    ]
    for check in checks:
        check(out, report)
    return report


def _run(tool: str, arguments: list[str], report: CheckReport) -> bool:
    binary = shutil.which(tool)
    if binary is None:
        report.problems.append(
            f"{tool}: not installed (apt-get install prometheus prometheus-alertmanager)"
        )
        return False
    done = subprocess.run(
        [binary, *arguments], capture_output=True, text=True, timeout=300, check=False
    )
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip()
        report.problems.append(f"{tool} {arguments[0]} {arguments[1]}: {output}")
        return False
    return True


def _rules(out: Path, report: CheckReport) -> None:
    files = sorted((out / "prometheus" / "rules").glob("*.yaml"))
    if not files:
        report.problems.append("prometheus/rules: no rule files rendered")
        return
    arguments = ["check", "rules", *(str(f) for f in files)]
    if _run("promtool", arguments, report):
        count = sum(
            len(group["rules"])
            for f in files
            for group in yaml.safe_load(f.read_text(encoding="utf-8"))["groups"]
        )
        report.lines.append(f"promtool check rules: {len(files)} files, {count} rules OK")


def _alertmanager(out: Path, report: CheckReport) -> None:
    config = out / "alertmanager" / "alertmanager.yaml"
    if not config.is_file():
        report.problems.append("alertmanager/alertmanager.yaml: not rendered")
        return
    if _run("amtool", ["check-config", str(config)], report):
        report.lines.append("amtool check-config: alertmanager.yaml OK")


def _helm_values(out: Path, report: CheckReport) -> None:
    files = sorted((out / "helm").glob("*.values.yaml"))
    problems = [p for f in files for p in values_problems(f)]
    report.problems.extend(problems)
    if not problems:
        report.lines.append(f"chart values: {len(files)} releases valid against the pinned charts")


def _custom_resources(out: Path, report: CheckReport) -> None:
    documents = [
        (name, document)
        for name, document in _kubernetes_objects(out)
        if str(document.get("apiVersion", "")).startswith(CUSTOM_RESOURCE_GROUP)
    ]
    problems = [
        f"{name}: {document['kind']} {_object_name(document)}: {error}"
        for name, document in documents
        for error in custom_resource_errors(document)
    ]
    report.problems.extend(problems)
    if not problems:
        report.lines.append(f"custom resources: {len(documents)} valid against the CRD schemas")


# The API group of the prometheus-operator's custom resources (validated against its CRDs).
CUSTOM_RESOURCE_GROUP = "monitoring.coreos.com/"


def _kubernetes_objects(out: Path) -> list[tuple[str, dict[str, object]]]:
    """(file relative to `kubernetes/`, object) for every object written under `kubernetes/`."""
    root = out / KUBERNETES_DIR
    # libyaml's parser where PyYAML has it: a thousand services' objects are tens of megabytes.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return [
        (f.relative_to(root).as_posix(), document)
        for f in sorted(root.rglob("*.yaml"))
        for document in yaml.load_all(f.read_text(encoding="utf-8"), Loader=loader)
        if isinstance(document, dict)
    ]


def _object_sizes(out: Path, report: CheckReport) -> None:
    """No object may come near what etcd and the API server accept (o11y.manifests)."""
    objects = _kubernetes_objects(out)
    sizes = [(name, document, object_size(document)) for name, document in objects]
    too_big = [
        f"{KUBERNETES_DIR}/{name}: {document['kind']} {_object_name(document)} is {size} bytes "
        f"as JSON, over the limit of {OBJECT_SIZE_LIMIT} bytes (512 KiB) per object"
        for name, document, size in sizes
        if size > OBJECT_SIZE_LIMIT
    ]
    report.problems.extend(too_big)
    if sizes and not too_big:
        largest = max(size for _, _, size in sizes)
        report.lines.append(
            f"object sizes: {len(sizes)} objects, the largest {largest} bytes "
            f"(limit {OBJECT_SIZE_LIMIT})"
        )


def _object_name(document: dict[str, object]) -> str:
    metadata = document.get("metadata")
    return str(metadata.get("name")) if isinstance(metadata, dict) else "(unnamed)"


def _dashboards(out: Path, report: CheckReport) -> None:
    files = sorted((out / "grafana" / "dashboards").glob("*.json"))
    for f in files:
        try:
            model = json.loads(f.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            report.problems.append(f"{f.name}: not JSON ({error})")
            continue
        if not model.get("uid") or not model.get("panels"):
            report.problems.append(f"{f.name}: a dashboard needs a uid and panels")
    report.lines.append(f"dashboards: {len(files)} JSON models OK")
