"""What the program deploys for one stack, computed once and grouped by the component that
creates it: each component (components/) receives its slice and turns it into resources,
without reading the stack itself.

Every slice is built by the same once-per-stack generators that `render` and `check` write and
validate (o11y/artifacts.py), so the objects the program creates are the objects reviewed.
"""

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from o11y.dashboards import Dashboard, dashboards
from o11y.errortracking import Project, projects, sentry_enabled, settings, teams
from o11y.helm import HelmRelease, kubernetes_secrets, releases
from o11y.helm.network_policies import network_policy_manifests
from o11y.kafka import kafka_resources
from o11y.manifests import prometheus_rules
from o11y.model.errortracking import Sentry
from o11y.model.oncall import PagerDutyRegion
from o11y.model.stack import SecretName, Stack
from o11y.monitors import custom_resources
from o11y.once import once_per_stack
from o11y.pagerduty import PagerDutyPlan, pagerduty_plan, paging_enabled
from o11y.readiness import ReadinessCheck, grafana_readiness
from o11y.routing import alertmanager_yaml, heartbeat_summary, key_secrets, paging_summary
from o11y.synthetics import credential_secrets, runner_files, workloads

# A Kubernetes object as the core writes it (apiVersion, kind, metadata, spec).
Manifest = Mapping[str, object]


@dataclass(frozen=True)
class Connections:
    """Where the providers point: never the ambient kubeconfig context or a default provider."""

    kubernetes_context: str
    namespace: str
    grafana_url: str
    # None: the stack pages nobody, so it has no PagerDuty provider.
    pagerduty_region: PagerDutyRegion | None
    sentry: bool


@dataclass(frozen=True)
class PlatformPlan:
    namespace: str
    protect_stateful: bool
    # Kubernetes Secret name -> {key: the stack secret that fills it}, for the charts to read.
    secrets: dict[str, dict[str, SecretName]]
    releases: list[HelmRelease]
    # Tempo's Kafka (Strimzi custom resources), when the platform runs one.
    kafka: Sequence[Manifest]
    grafana_readiness: ReadinessCheck
    network_policies: Sequence[Manifest]


@dataclass(frozen=True)
class OnCallPlan:
    namespace: str
    pagerduty: PagerDutyPlan
    # Stack secrets copied into Alertmanager's keys Secret.
    key_secrets: tuple[str, ...]
    # The dead man's switch URL (a secret, known only to the program) -> alertmanager.yaml.
    alertmanager_yaml: Callable[[str], str]
    paging: str
    heartbeat: str


@dataclass(frozen=True)
class SyntheticsPlan:
    namespace: str
    # Kubernetes Secret name -> {key: the stack secret that fills it}, per flow.
    credential_secrets: dict[str, dict[str, str]]
    runner_files: dict[str, str]
    workloads: Sequence[Manifest]


@dataclass(frozen=True)
class ErrorTrackingPlan:
    environment: str
    settings: Sentry
    teams: list[tuple[str, str]]  # (slug, name)
    projects: list[Project]


@dataclass(frozen=True)
class Bundle:
    connections: Connections
    platform: PlatformPlan
    oncall: OnCallPlan
    monitors: Sequence[Manifest]
    rules: Sequence[Manifest]
    dashboards: list[Dashboard]
    synthetics: SyntheticsPlan
    errortracking: ErrorTrackingPlan | None


@once_per_stack
def bundle(stack: Stack) -> Bundle:
    namespace = stack.kubernetes.namespace
    return Bundle(
        connections=Connections(
            kubernetes_context=stack.kubernetes.context,
            namespace=namespace,
            grafana_url=stack.grafana.url,
            pagerduty_region=stack.oncall.pagerduty.region if paging_enabled(stack) else None,
            sentry=sentry_enabled(stack),
        ),
        platform=PlatformPlan(
            namespace=namespace,
            protect_stateful=stack.platform.protect_stateful,
            secrets=kubernetes_secrets(stack),
            releases=releases(stack),
            kafka=kafka_resources(stack),
            grafana_readiness=grafana_readiness(stack),
            network_policies=network_policy_manifests(stack),
        ),
        oncall=OnCallPlan(
            namespace=namespace,
            pagerduty=pagerduty_plan(stack),
            key_secrets=key_secrets(stack),
            alertmanager_yaml=functools.partial(alertmanager_yaml, stack),
            paging=paging_summary(stack),
            heartbeat=heartbeat_summary(stack),
        ),
        monitors=custom_resources(stack),
        rules=prometheus_rules(stack),
        dashboards=dashboards(stack),
        synthetics=SyntheticsPlan(
            namespace=namespace,
            credential_secrets=credential_secrets(stack),
            runner_files=runner_files(stack),
            workloads=workloads(stack),
        ),
        errortracking=(
            ErrorTrackingPlan(
                environment=stack.environment,
                settings=settings(stack),
                teams=teams(stack),
                projects=projects(stack),
            )
            if sentry_enabled(stack)
            else None
        ),
    )
