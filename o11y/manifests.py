"""Every Kubernetes object the program applies outside Helm, as plain manifests.

The components create these objects from the same core functions (PrometheusRules here,
ServiceMonitors and Probes in o11y.monitors, NetworkPolicies from o11y.helm.network_policies,
Secrets from o11y.helm, o11y.routing, o11y.pagerduty and o11y.synthetics, the synthetic flows'
runner from o11y.synthetics), and `render` writes them under `kubernetes/` so a reviewer sees
what gets applied. Secrets are written with every value that comes from a secret redacted.

Size: etcd refuses requests over 1.5 MiB and the API server caps them at 3 MiB, so rules are
split into one PrometheusRule per area and service (whole rule groups, never a group split),
and `check` fails on any object over `OBJECT_SIZE_LIMIT`.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import yaml

from o11y.conventions import (
    DEPENDENCY_LABEL,
    MANAGED_BY,
    SECRET_ALERTMANAGER_CONFIG,
    SECRET_ALERTMANAGER_KEYS,
    SECRET_GRAFANA_ADMIN,
    SERVICE_LABEL,
)
from o11y.helm import kubernetes_secrets
from o11y.helm.grafana import ADMIN_PASSWORD_KEY, ADMIN_USER_KEY
from o11y.helm.network_policies import network_policy_manifests
from o11y.kafka import kafka_resources
from o11y.model.stack import Stack
from o11y.monitors import custom_resources
from o11y.once import once_per_stack
from o11y.pagerduty import pagerduty_plan
from o11y.promrules import ReadableDumper, RuleGroup, indented
from o11y.readiness import grafana_readiness, readiness_job
from o11y.routing import ALERTMANAGER_FILE, key_secrets, rendered_alertmanager_yaml
from o11y.rules import group_texts, rule_groups
from o11y.slo import SLO_SERVICE_LABEL
from o11y.synthetics import credential_secrets, workloads

Manifest = dict[str, object]  # apiVersion, kind, metadata, spec | data

KUBERNETES_DIR = "kubernetes"
PROMETHEUS_RULES_DIR = f"{KUBERNETES_DIR}/prometheusrules"
# No object we create may be larger than this as JSON: a third of what etcd accepts (1.5 MiB),
# leaving room for the API server's own fields (managedFields, status) and for growth.
OBJECT_SIZE_LIMIT = 512 * 1024
# What a redacted Secret value reads as in rendered files.
REDACTED = "<redacted>"
# Labels naming what a rule group is about, most specific first: a group whose rules all
# carry one value of one of them gets its own PrometheusRule.
OWNER_LABELS = (SERVICE_LABEL, SLO_SERVICE_LABEL, DEPENDENCY_LABEL)


def prometheus_rule(name: str, namespace: str, groups: list[RuleGroup]) -> Manifest:
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(MANAGED_BY)},
        "spec": {"groups": groups},
    }


def group_owner(group: RuleGroup) -> str | None:
    """The one service (or dependency) every rule of the group is about; None if area-wide."""
    for label in OWNER_LABELS:
        values = {rule.get("labels", {}).get(label) for rule in group["rules"]}
        if len(values) == 1 and (value := values.pop()) is not None:
            return value
    return None


def rule_shards(stem: str, groups: list[RuleGroup]) -> dict[str, list[RuleGroup]]:
    """Object name -> its groups: `o11y-<area>-<owner>` per owner, `o11y-<area>` for the rest.
    Groups keep their order and their rules; only the object holding them depends on size."""
    shards: dict[str, list[RuleGroup]] = {}
    for group in groups:
        owner = group_owner(group)
        name = f"o11y-{stem}" if owner is None else f"o11y-{stem}-{owner}"
        shards.setdefault(name, []).append(group)
    return shards


@once_per_stack
def prometheus_rules(stack: Stack) -> list[Manifest]:
    """The stack's rules as PrometheusRules, one per area and service, sorted by name."""
    namespace = stack.kubernetes.namespace
    shards = {
        name: groups
        for stem, area in rule_groups(stack).items()
        for name, groups in rule_shards(stem, area).items()
    }
    return [prometheus_rule(name, namespace, shards[name]) for name in sorted(shards)]


def namespace(stack: Stack) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": stack.kubernetes.namespace},
    }


@dataclass(frozen=True)
class SecretObject:
    """A Kubernetes Secret the program creates: keys whose values are Pulumi secrets, and
    generated keys whose values are plain configuration (no secret inside)."""

    name: str
    secret_keys: tuple[str, ...]
    plain: Mapping[str, str] = field(default_factory=dict)


def secret_objects(stack: Stack) -> list[SecretObject]:
    """Every Secret, as components/platform.py and components/oncall.py create them."""
    routing_keys = [s.routing_key_name for s in pagerduty_plan(stack).services]
    config_key = ALERTMANAGER_FILE.rsplit("/", 1)[-1]
    return [
        SecretObject(
            SECRET_ALERTMANAGER_KEYS,
            (*routing_keys, *key_secrets(stack)),
        ),
        SecretObject(
            SECRET_ALERTMANAGER_CONFIG,
            (),
            plain={config_key: rendered_alertmanager_yaml(stack)},
        ),
        SecretObject(SECRET_GRAFANA_ADMIN, (ADMIN_USER_KEY, ADMIN_PASSWORD_KEY)),
        *(SecretObject(name, tuple(keys)) for name, keys in kubernetes_secrets(stack).items()),
        # The synthetic flows' credentials (components/synthetics.py).
        *(SecretObject(name, tuple(keys)) for name, keys in credential_secrets(stack).items()),
    ]


def secret_manifest(stack: Stack, secret: SecretObject) -> Manifest:
    """The Secret as applied, shown readable (`stringData`; the program writes base64 `data`),
    each secret value replaced by `<redacted>`."""
    # Every Secret the program writes carries the managed-by label (components/secrets.py).
    metadata: dict[str, object] = {
        "name": secret.name,
        "namespace": stack.kubernetes.namespace,
        "labels": dict(MANAGED_BY),
    }
    values = dict.fromkeys(secret.secret_keys, REDACTED)
    values.update(secret.plain)
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": metadata,
        "type": "Opaque",
        "stringData": dict(sorted(values.items())),
    }


def kubernetes_objects(stack: Stack) -> list[Manifest]:
    """Every object applied outside Helm, in the order a fresh cluster gets them."""
    return [
        namespace(stack),
        *(secret_manifest(stack, s) for s in secret_objects(stack)),
        *network_policy_manifests(stack),
        *(dict[str, object](m) for m in custom_resources(stack)),
        # Tempo's Kafka (components/platform.py, after the Strimzi operator's release).
        *(dict[str, object](m) for m in kafka_resources(stack)),
        # The synthetic flows' Pushgateway, runner ConfigMap and CronJobs (components/synthetics.py).
        *(dict[str, object](m) for m in workloads(stack)),
        *prometheus_rules(stack),
        readiness_job(grafana_readiness(stack)),
    ]


def object_size(manifest: Mapping[str, object]) -> int:
    """Bytes of the object as compact JSON, the form sent to the API server."""
    text = json.dumps(manifest, separators=(",", ":"), ensure_ascii=False)
    return len(text.encode("utf-8"))


def _documents(manifests: Sequence[Mapping[str, object]]) -> str:
    return yaml.dump_all(
        manifests, Dumper=ReadableDumper, sort_keys=False, width=1000, allow_unicode=True
    )


def kubernetes_files(stack: Stack) -> dict[str, str]:
    """`kubernetes/*.yaml`: the namespace, the (redacted) Secrets, the NetworkPolicies, the
    Grafana readiness Job, and one file per PrometheusRule (ServiceMonitors and Probes:
    o11y.monitors.monitor_files)."""
    files = {
        f"{KUBERNETES_DIR}/namespace.yaml": _documents([namespace(stack)]),
        f"{KUBERNETES_DIR}/secrets.yaml": _documents(
            [secret_manifest(stack, s) for s in secret_objects(stack)]
        ),
    }
    if policies := network_policy_manifests(stack):
        files[f"{KUBERNETES_DIR}/network-policies.yaml"] = _documents(policies)
    if kafka := kafka_resources(stack):
        files[f"{KUBERNETES_DIR}/kafka.yaml"] = _documents(kafka)
    files[f"{KUBERNETES_DIR}/jobs.yaml"] = _documents([readiness_job(grafana_readiness(stack))])
    texts = group_texts(stack)
    for rule in prometheus_rules(stack):
        files[f"{PROMETHEUS_RULES_DIR}/{_name(rule)}.yaml"] = _prometheus_rule_yaml(rule, texts)
    return files


def prometheus_rule_objects(stack: Stack) -> dict[str, list[Manifest]]:
    """Each PrometheusRule by the file `kubernetes_files` writes it to, below `kubernetes/`."""
    below = PROMETHEUS_RULES_DIR.removeprefix(f"{KUBERNETES_DIR}/")
    return {f"{below}/{_name(rule)}.yaml": [rule] for rule in prometheus_rules(stack)}


def _name(manifest: Manifest) -> str:
    metadata = manifest["metadata"]
    assert isinstance(metadata, dict), "a manifest has metadata"
    return str(metadata["name"])


def _prometheus_rule_yaml(rule: Manifest, texts: Mapping[str, str]) -> str:
    """The object as `_documents` writes it, its groups' text written once (o11y/rules.py)."""
    spec = rule["spec"]
    assert isinstance(spec, dict), "a PrometheusRule has a spec"
    groups: list[RuleGroup] = spec["groups"]
    head = _documents([{k: v for k, v in rule.items() if k != "spec"}])
    return head + "spec:\n  groups:\n" + "".join(indented(texts[g["name"]], 2) for g in groups)
