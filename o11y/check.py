"""Validates a rendered artifact tree with the real tools: promtool, amtool and the chart schemas."""

import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import yaml

from o11y.chartcheck import custom_resource_errors, values_problems
from o11y.charttemplate import Release, TemplateError, chart_source, helm_binary, template
from o11y.dashboards import unread_by_the_sdk
from o11y.helm import releases
from o11y.kafka import operator_objects
from o11y.manifestcheck import (
    PROMETHEUS_OPERATOR_GROUP,
    custom_resource_definitions,
    describe,
    manifest_errors,
)
from o11y.manifests import KUBERNETES_DIR, OBJECT_SIZE_LIMIT, Manifest, object_size
from o11y.model.stack import Stack
from o11y.references import (
    Deployed,
    collector_problems,
    logql_problems,
    monitor_problems,
    prometheus_selector_problems,
    query_problems,
    runbook_queries,
    url_problems,
    volume_problems,
    webhook_problems,
)


@dataclass
class CheckReport:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def check_artifacts(
    out: Path, in_memory: Mapping[str, Sequence[Manifest]] | None = None
) -> CheckReport:
    """Every check over a directory written by `render`. `in_memory` holds the objects of
    files under `kubernetes/` the caller still has, by path below it (o11y.manifests
    prometheus_rule_objects): those are not parsed again."""
    report = CheckReport()
    objects = _kubernetes_objects(out, in_memory or {})
    _rules(out, report)
    _alertmanager(out, report)
    _helm_values(out, report)
    _custom_resources(objects, report)
    _dashboards(out, report)
    _object_sizes(objects, report)
    return report


# libyaml's parser where PyYAML has it: a thousand services' rules and objects are tens of
# megabytes, which the pure-Python parser reads several times slower.
_LOADER = yaml.CSafeLoader


def _yaml_documents(f: Path) -> list[object]:
    return list(yaml.load_all(f.read_text(encoding="utf-8"), Loader=_LOADER))


def _run(tool: str, arguments: list[str], report: CheckReport) -> str | None:
    """The tool's output when it succeeds; otherwise None, with its complaint in `report`."""
    binary = shutil.which(tool)
    if binary is None:
        report.problems.append(
            f"{tool}: not installed (apt-get install prometheus prometheus-alertmanager)"
        )
        return None
    done = subprocess.run(
        [binary, *arguments], capture_output=True, text=True, timeout=300, check=False
    )
    output = (done.stdout + done.stderr).strip()
    if done.returncode != 0:
        report.problems.append(f"{tool} {arguments[0]} {arguments[1]}: {output}")
        return None
    return output


def _rules(out: Path, report: CheckReport) -> None:
    files = sorted((out / "prometheus" / "rules").glob("*.yaml"))
    if not files:
        report.problems.append("prometheus/rules: no rule files rendered")
        return
    arguments = ["check", "rules", *(str(f) for f in files)]
    output = _run("promtool", arguments, report)
    if output is not None:
        # promtool counts what it parsed: "  SUCCESS: 42 rules found", once per file.
        count = sum(int(n) for n in re.findall(r"SUCCESS: (\d+) rules found", output))
        report.lines.append(f"promtool check rules: {len(files)} files, {count} rules OK")


def _alertmanager(out: Path, report: CheckReport) -> None:
    config = out / "alertmanager" / "alertmanager.yaml"
    if not config.is_file():
        report.problems.append("alertmanager/alertmanager.yaml: not rendered")
        return
    if _run("amtool", ["check-config", str(config)], report) is not None:
        report.lines.append("amtool check-config: alertmanager.yaml OK")


def _helm_values(out: Path, report: CheckReport) -> None:
    files = sorted((out / "helm").glob("*.values.yaml"))
    problems = [p for f in files for p in values_problems(f)]
    report.problems.extend(problems)
    if not problems:
        report.lines.append(f"chart values: {len(files)} releases valid against the pinned charts")


def _custom_resources(objects: list[tuple[str, Manifest]], report: CheckReport) -> None:
    documents = [(name, document) for name, document in objects if _is_custom_resource(document)]
    problems = [
        f"{name}: {document['kind']} {_object_name(document)}: {error}"
        for name, document in documents
        for error in custom_resource_errors(document)
    ]
    report.problems.extend(problems)
    if not problems:
        report.lines.append(f"custom resources: {len(documents)} valid against the CRD schemas")


# The API group of the prometheus-operator's custom resources (validated against its CRDs).
CUSTOM_RESOURCE_GROUP = f"{PROMETHEUS_OPERATOR_GROUP}/"


def _kubernetes_objects(
    out: Path, in_memory: Mapping[str, Sequence[Manifest]]
) -> list[tuple[str, Manifest]]:
    """(file relative to `kubernetes/`, object) for every object written under `kubernetes/`."""
    root = out / KUBERNETES_DIR
    objects: list[tuple[str, Manifest]] = []
    for f in sorted(root.rglob("*.yaml")):
        name = f.relative_to(root).as_posix()
        documents = in_memory[name] if name in in_memory else _yaml_documents(f)
        objects += [(name, d) for d in documents if isinstance(d, dict)]
    return objects


def _object_sizes(objects: list[tuple[str, Manifest]], report: CheckReport) -> None:
    """No object may come near what etcd and the API server accept (o11y.manifests)."""
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


def _is_custom_resource(document: Manifest) -> bool:
    """ServiceMonitors, Probes and the like; plain Kubernetes objects (the synthetic flows'
    CronJobs) are validated against the cluster's schemas by `check --charts`."""
    return str(document.get("apiVersion", "")).startswith(CUSTOM_RESOURCE_GROUP)


def _dashboards(out: Path, report: CheckReport) -> None:
    files = sorted((out / "grafana" / "dashboards").glob("*.json"))
    for f in files:
        try:
            model = orjson.loads(f.read_bytes())
        except orjson.JSONDecodeError as error:
            report.problems.append(f"{f.name}: not JSON ({error})")
            continue
        if not isinstance(model, dict) or not model.get("uid") or not model.get("panels"):
            report.problems.append(f"{f.name}: a dashboard needs a uid and panels")
            continue
        report.problems.extend(f"{f.name}: {problem}" for problem in unread_by_the_sdk(model))
    report.lines.append(
        f"dashboards: {len(files)} JSON models, each read unchanged by the Grafana foundation"
        " SDK's models"
    )


def check_charts(stack: Stack, out: Path, charts: Path) -> CheckReport:
    """Every release rendered by its pinned chart from `charts`, then every object validated
    against Kubernetes' and the CRDs' schemas and every name we refer to looked up."""
    report = CheckReport()
    helm = helm_binary()
    if helm is None:
        report.problems.append("helm: not installed (`make tools` provides Helm 3)")
        return report
    namespace = stack.kubernetes.namespace
    rendered: dict[str, list[Manifest]] = {}
    stack_releases = releases(stack)
    for release in stack_releases:
        values = out / "helm" / f"{release.name}.values.yaml"
        chart = chart_source(charts, release.chart, release.version)
        if chart is None:
            report.problems.append(
                f"{release.name}: not verified: {release.chart}-{release.version} is not in {charts}"
            )
            continue
        try:
            rendered[release.name] = template(
                helm,
                Release(release.name, release.chart, release.version, namespace, values),
                chart,
                stack.kubernetes.version,
            )
        except TemplateError as error:
            report.problems.append(f"{release.name}: helm template: {error}")
        except subprocess.TimeoutExpired:
            report.problems.append(f"{release.name}: helm template did not finish")
    ours = _documents(sorted((out / "kubernetes").glob("*.yaml")))
    everything = [m for manifests in rendered.values() for m in manifests] + ours
    crds = custom_resource_definitions(everything)
    for name, manifests in rendered.items():
        invalid = [
            f"{name}: {describe(m)}: {error}"
            for m in manifests
            for error in manifest_errors(m, stack.kubernetes.version, crds)
        ]
        release = next(r for r in stack_releases if r.name == name)
        invalid += volume_problems(name, release.values, manifests)
        report.problems.extend(invalid)
        if not invalid:
            report.lines.append(f"{name}: {len(manifests)} objects render and validate")
    invalid_ours = [
        f"{describe(m)}: {error}"
        for m in ours
        if not _is_custom_resource(m)
        for error in manifest_errors(m, stack.kubernetes.version, crds)
    ]
    report.problems.extend(invalid_ours)
    if len(rendered) < len(stack_releases):
        return report
    # What operators create at run time (Strimzi's Kafka Services and pods) is looked up too.
    operands = [dict[str, object](m) for m in operator_objects(stack)]
    deployed = Deployed(namespace, tuple(everything + operands))
    dangling = _dangling(deployed, out)
    report.problems.extend(dangling)
    if not dangling:
        report.lines.append(
            f"references: every name the rules, runbooks, monitors, URLs and selectors use "
            f"exists among {len(everything)} deployed objects"
        )
    return report


def _documents(files: list[Path]) -> list[Manifest]:
    return [
        document for f in files for document in _yaml_documents(f) if isinstance(document, dict)
    ]


def _dangling(deployed: Deployed, out: Path) -> list[str]:
    problems = monitor_problems(deployed) + collector_problems(deployed)
    problems += prometheus_selector_problems(deployed) + webhook_problems(deployed)
    texts = {
        str(f.relative_to(out)): f.read_text(encoding="utf-8")
        for area in ("helm", "alertmanager", "grafana", "kubernetes")
        for f in sorted((out / area).rglob("*"))
        if f.is_file()
    }
    problems += url_problems(deployed, texts)
    for f in sorted((out / "prometheus" / "rules").glob("*.yaml")):
        (document,) = _yaml_documents(f)
        assert isinstance(document, dict)
        for group in document["groups"]:
            for rule in group["rules"]:
                name = rule.get("alert") or rule.get("record")
                problems += query_problems(deployed, f"{f.name}: {name}", rule["expr"])
    for f in sorted((out / "runbooks").glob("*.md")):
        for language, query in runbook_queries(f.read_text(encoding="utf-8")):
            check = query_problems if language == "promql" else logql_problems
            problems += check(deployed, f"runbooks/{f.name}", query)
    return problems
