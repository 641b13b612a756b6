"""Every Prometheus rule of a stack, and the one final pass that turns alerts into rules.

Areas build typed `AlertDefinition`s (o11y/alerts/*, o11y/slo.py); `alert_rule` is the only
place that adds the cross-cutting labels and annotations (severity from the one severity
model, priority, team, service, summary, description, runbook_url), as kubernetes-mixin adds
`runbook_url` in one place.

Reused, not duplicated: kube-prometheus-stack's default rules already cover node memory
(NodeMemoryHighUtilization), disks (NodeFilesystemSpaceFillingUp, NodeFilesystemAlmostOutOfSpace),
crash loops (KubePodCrashLooping), scrape failures (TargetDown), rule evaluation failures
(PrometheusRuleFailures) and notification failures (AlertmanagerFailedToSendAlerts); see
`REUSED_DEFAULT_RULES` and `DISABLED_DEFAULT_RULES`.
"""

from dataclasses import dataclass

from o11y.alertdef import AlertDefinition
from o11y.alerts import (
    dependencies,
    service,
)
from o11y.alerts.areas import ANOMALIES_STEM, AREAS, SYNTHETICS_STEM
from o11y.anomaly import recording_groups as anomaly_recording_groups
from o11y.conventions import (
    DEPENDENCY_LABEL,
    PRIORITY_LABEL,
    SERVICE_LABEL,
    SEVERITY_LABEL,
    TEAM_LABEL,
    TLS_ENDPOINT_LABEL,
    WATCHDOG_ALERT,
)
from o11y.model.stack import Stack
from o11y.once import once_per_stack
from o11y.promrules import Rule, RuleGroup, group_yaml, rule_file
from o11y.severity import ACTION_BY_PRIORITY, Action
from o11y.slo import slo_alerts, slo_rule_groups
from o11y.synthetics import recording_groups as synthetic_recording_groups

RULES_DIR = "prometheus/rules"
SLO_STEM = "slo"


# The severity of a heartbeat: routed to the dead man's switch, never to a person.
HEARTBEAT_SEVERITY = "none"


@dataclass(frozen=True)
class Inhibition:
    """While `source` fires, `targets` with the same values of `equal` are muted."""

    source: str
    targets: tuple[str, ...]
    equal: tuple[str, ...]


# Cause silences symptom (Alertmanager inhibit_rules, built by o11y/routing.py).
INHIBITIONS: list[Inhibition] = [
    Inhibition(service.SERVICE_DOWN, service.SYMPTOMS, (SERVICE_LABEL,)),
    Inhibition(service.ERROR_RATE_CRITICAL, (service.ERROR_RATE_HIGH,), (SERVICE_LABEL,)),
    Inhibition(service.LATENCY_P99_HIGH, (service.LATENCY_P95_HIGH,), (SERVICE_LABEL,)),
    Inhibition(
        dependencies.POSTGRES_DOWN,
        (dependencies.POSTGRES_CONNECTIONS,),
        (DEPENDENCY_LABEL,),
    ),
    Inhibition(
        dependencies.REDIS_DOWN,
        (dependencies.REDIS_REJECTED, dependencies.REDIS_CONNECTIONS),
        (DEPENDENCY_LABEL,),
    ),
    Inhibition(
        dependencies.TLS_PROBE_FAILING,
        (dependencies.CERT_EXPIRY,),
        (TLS_ENDPOINT_LABEL,),
    ),
]


@dataclass(frozen=True)
class ReusedRule:
    """A kube-prometheus-stack default alert this catalog relies on instead of owning a copy."""

    name: str
    chart_group: str  # `defaultRules.rules.<chart_group>` in the chart values (88.5.3)
    runbook_dir: str  # upstream runbook: runbooks.prometheus-operator.dev/runbooks/<dir>/<name>
    covers: str

    @property
    def runbook_url(self) -> str:
        return f"{UPSTREAM_RUNBOOKS}/{self.runbook_dir}/{self.name.lower()}"


UPSTREAM_RUNBOOKS = "https://runbooks.prometheus-operator.dev/runbooks"
REUSED_DEFAULT_RULES: tuple[ReusedRule, ...] = (
    ReusedRule("NodeMemoryHighUtilization", "nodeExporterAlerting", "node", "node memory > 90%"),
    ReusedRule(
        "NodeFilesystemSpaceFillingUp", "nodeExporterAlerting", "node", "disk filling up (24h/4h)"
    ),
    ReusedRule(
        "NodeFilesystemAlmostOutOfSpace", "nodeExporterAlerting", "node", "disk space < 5%/3%"
    ),
    ReusedRule("KubePodCrashLooping", "kubernetesApps", "kubernetes", "pod restarts, crash loops"),
    ReusedRule("KubePodNotReady", "kubernetesApps", "kubernetes", "pods not ready for 15m"),
    ReusedRule("KubeDeploymentReplicasMismatch", "kubernetesApps", "kubernetes", "rollouts stuck"),
    ReusedRule("KubeContainerWaiting", "kubernetesApps", "kubernetes", "image pulls, pending"),
    ReusedRule("TargetDown", "general", "general", "Prometheus scrape failures (any job)"),
    ReusedRule("PrometheusRuleFailures", "prometheus", "prometheus", "rule evaluation failures"),
    ReusedRule(
        "PrometheusMissingRuleEvaluations", "prometheus", "prometheus", "rule groups too slow"
    ),
    ReusedRule(
        "PrometheusRemoteStorageFailures", "prometheus", "prometheus", "remote write to Mimir"
    ),
    ReusedRule(
        "AlertmanagerFailedToSendAlerts",
        "alertmanager",
        "alertmanager",
        "notification failures",
    ),
)

# Default alerts replaced by ours (`defaultRules.disabled.<name>: true` in the chart values):
# Watchdog is ours (team and runbook labels, o11y/alerts/selfmonitoring.py); NodeCPUHighUsage
# fires at severity `info` on the same condition as our P3 NodeCPUHigh.
DISABLED_DEFAULT_RULES: tuple[str, ...] = ("NodeCPUHighUsage", WATCHDOG_ALERT)


def severity(stack: Stack, definition: AlertDefinition) -> str:
    """The `severity` label value: the action of the priority, named by the stack."""
    if definition.heartbeat:
        return HEARTBEAT_SEVERITY
    labels = stack.alerting.severity_labels
    by_action = {
        Action.PAGE: labels.page,
        Action.TICKET: labels.ticket,
        Action.NOTIFY: labels.notify,
    }
    return by_action[ACTION_BY_PRIORITY[definition.priority]]


def runbook_url(stack: Stack, name: str) -> str:
    return f"{stack.alerting.runbook_base_url}/{name}.md"


def alert_rule(stack: Stack, definition: AlertDefinition) -> Rule:
    """The final pass: one alert definition as a Prometheus alerting rule."""
    labels = dict(definition.labels)
    labels[SEVERITY_LABEL] = severity(stack, definition)
    if not definition.heartbeat:
        labels[PRIORITY_LABEL] = definition.priority.value
    labels[TEAM_LABEL] = definition.team
    if definition.service is not None:
        labels[SERVICE_LABEL] = definition.service
    rule: Rule = {"alert": definition.name, "expr": definition.expr}
    rule["for"] = definition.for_
    rule["labels"] = dict(sorted(labels.items()))
    rule["annotations"] = {
        "summary": definition.summary,
        "description": definition.description,
        "runbook_url": runbook_url(stack, definition.name),
    }
    return rule


@once_per_stack
def alerts_by_file(stack: Stack) -> dict[str, list[AlertDefinition]]:
    """Rule-file stem -> every alert in it: the SLO engine's and every area's."""
    result = {SLO_STEM: slo_alerts(stack)}
    for stem, areas in AREAS.items():
        result[stem] = [d for area in areas for d in area(stack)]
    return result


def _groups(stack: Stack, definitions: list[AlertDefinition]) -> list[RuleGroup]:
    groups: dict[str, list[Rule]] = {}
    for definition in definitions:
        groups.setdefault(definition.group, []).append(alert_rule(stack, definition))
    return [{"name": name, "rules": rules} for name, rules in groups.items()]


@once_per_stack
def rule_groups(stack: Stack) -> dict[str, list[RuleGroup]]:
    """Rule-file stem -> its groups: every alert finalized, each SLO's alerts in one group
    with the recordings they read."""
    result = {stem: _groups(stack, alerts) for stem, alerts in alerts_by_file(stack).items()}
    result[SLO_STEM] = slo_rule_groups(stack, lambda definition: alert_rule(stack, definition))
    result[SYNTHETICS_STEM] = synthetic_recording_groups(stack) + result[SYNTHETICS_STEM]
    result[ANOMALIES_STEM] = anomaly_recording_groups(stack) + result[ANOMALIES_STEM]
    return result


@once_per_stack
def group_texts(stack: Stack) -> dict[str, str]:
    """Every rule group's YAML by group name, written once for the rule files and the
    PrometheusRule objects."""
    texts: dict[str, str] = {}
    for groups in rule_groups(stack).values():
        for group in groups:
            if group["name"] in texts:
                raise ValueError(f"two rule groups named {group['name']}")
            texts[group["name"]] = group_yaml(group)
    return texts


def rule_files(stack: Stack) -> dict[str, str]:
    """`prometheus/rules/<stem>.yaml` -> the rule file text."""
    texts = group_texts(stack)
    return {
        f"{RULES_DIR}/{stem}.yaml": rule_file(groups, texts)
        for stem, groups in sorted(rule_groups(stack).items())
    }
