"""The whole stack: one environment's configuration, validated once before anything is built.

A stack is any `Pulumi.<name>.yaml`; its name is the environment (`dev`, `staging`,
`prod-eu`, ...) and only labels what it deploys. What a stack requires and how it is sized
comes from the profile its file names (`o11y:profile: production|development`).
"""

import re
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, Field, model_validator

from o11y.conventions import grafana_host, pagerduty_team_wide_service_name
from o11y.model.alerting import Alerting, BusinessRule, SecurityRule
from o11y.model.anomaly import AnomalyWatch
from o11y.model.catalog import BusinessDomain, Dependency, Member, Service, Team, TlsEndpoint
from o11y.model.errortracking import Sentry
from o11y.model.oncall import OnCall
from o11y.model.platform import Platform, Profile, platform_with_profile
from o11y.model.synthetics import SECRET_PREFIX as SYNTHETIC_SECRET_PREFIX
from o11y.model.synthetics import SyntheticFlow
from o11y.model.types import STRICT, LabelName, Name, StackName, Url, duration_seconds

# Secret values the program reads from `o11y:secrets` (a Pulumi secret object). Only their
# names reach this model; the values stay Pulumi secrets end to end.
SecretName = Literal[
    "pagerduty_token",
    "slack_webhook_url",
    "smtp_password",
    "object_storage_access_key",
    "object_storage_secret_key",
    "postgres_password",
    "redis_password",
    "sentry_token",
    # The SASL password Tempo logs in to an external Kafka with (`platform.kafka.sasl`).
    "kafka_sasl_password",
    # The dead man's switch URL the Watchdog heartbeat is sent to: whoever holds it can keep
    # the "alerting is dead" page from ever firing, so it is a secret.
    "dead_mans_switch_url",
    # Grafana's login to its external database (platform.grafana_database).
    "grafana_db_password",
]

# A Slack incoming webhook posts to the one channel it was created for, so each team's channel
# may have its own: `slack_webhook_url_<team>`; teams without one use `slack_webhook_url`.
TEAM_SLACK_WEBHOOK_PREFIX = "slack_webhook_url_"
_TEAM_SLACK_WEBHOOK = re.compile(rf"^{TEAM_SLACK_WEBHOOK_PREFIX}[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
# Credentials of synthetic flows (test users, API keys): `synthetic_<word>`.
_SYNTHETIC_CREDENTIAL = re.compile(rf"^{SYNTHETIC_SECRET_PREFIX}[a-z0-9_]+$")


def _known_secret(name: str) -> str:
    if (
        name in get_args(SecretName)
        or _TEAM_SLACK_WEBHOOK.match(name)
        or _SYNTHETIC_CREDENTIAL.match(name)
    ):
        return name
    known = ", ".join(get_args(SecretName))
    raise ValueError(
        f"unknown secret '{name}'; expected one of {known}, {TEAM_SLACK_WEBHOOK_PREFIX}<team>"
        f" or {SYNTHETIC_SECRET_PREFIX}<credential>"
    )


# The name of a value under `o11y:secrets`.
SecretKey = Annotated[str, AfterValidator(_known_secret)]

# What a production-profile stack cannot run without.
PRODUCTION_REQUIRED_SECRETS: tuple[SecretName, ...] = (
    "pagerduty_token",
    "slack_webhook_url",
    "smtp_password",
    "dead_mans_switch_url",
)


def why_required(stack: "Stack", secret: str) -> str:
    """Why `pulumi up` refuses to run without the secret, in a few words."""
    if secret == "postgres_password":
        return "the postgres exporter logs in with it"
    if secret == "grafana_db_password":
        return "Grafana logs in to platform.grafana_database with it"
    if secret == "kafka_sasl_password":
        return "Tempo logs in to platform.kafka with it"
    flows = [f.name for f in stack.synthetic_flows if secret in f.secret_names]
    if flows:
        return f"the synthetic flow {', '.join(flows)} logs in with it"
    return f"required by the {stack.profile} profile"


def required_secrets(stack: "Stack") -> tuple[str, ...]:
    """Secrets `pulumi up` refuses to run without in this stack."""
    needed: list[SecretName] = []
    if stack.production:
        needed += PRODUCTION_REQUIRED_SECRETS
        if (
            stack.platform.object_storage is not None
            and stack.platform.object_storage.provider == "s3"
        ):
            needed += ["object_storage_access_key", "object_storage_secret_key"]
    # In every stack: postgres_exporter cannot log in without it, and the chart refuses to
    # render without a password source.
    if any(d.kind == "postgres" for d in stack.dependencies):
        needed.append("postgres_password")
    # Grafana cannot start without its database login.
    if stack.platform.grafana_database is not None:
        needed.append("grafana_db_password")
    # Tempo's Kafka client refuses a SASL username without its password.
    kafka = stack.platform.kafka
    if kafka is not None and kafka.sasl is not None:
        needed.append("kafka_sasl_password")
    # A synthetic flow without its credentials could only ever fail.
    return (*needed, *sorted({n for f in stack.synthetic_flows for n in f.secret_names}))


class KubernetesTarget(BaseModel):
    model_config = STRICT
    # The kubeconfig context the explicit provider deploys to; never the ambient default.
    context: str = Field(min_length=1)
    namespace: Name = "observability"
    # The cluster's Kubernetes minor version: the charts are rendered and their objects
    # validated for it (`check --charts`).
    version: str = Field(default="1.33", pattern=r"^1\.[0-9]{2}$")
    # Whether Prometheus can scrape the control plane (scheduler, controller-manager, etcd,
    # kube-proxy). Managed clusters (EKS, GKE, AKS) hide it: scraping it there only yields
    # targets that are always down and alerts that never stop.
    control_plane_metrics: bool = False


class GrafanaTarget(BaseModel):
    """Where the Grafana provider reaches the Grafana this stack deploys."""

    model_config = STRICT
    url: Url


class Stack(BaseModel):
    """One stack: the catalog shared by all stacks plus this environment's values."""

    model_config = STRICT
    # The stack's name (set by the config funnel from the Pulumi stack, never by the stack file).
    environment: StackName
    profile: Profile
    kubernetes: KubernetesTarget
    grafana: GrafanaTarget
    # Catalog (stacks/catalog.yaml unless the stack file overrides a key).
    services: list[Service] = Field(min_length=1)
    teams: list[Team] = Field(min_length=1)
    dependencies: list[Dependency] = Field(default_factory=list)
    tls_endpoints: list[TlsEndpoint] = Field(default_factory=list)
    business_rules: list[BusinessRule] = Field(default_factory=list)
    # Business domains, each with a dashboard of its KPIs and failure-rate rules.
    business_domains: list[BusinessDomain] = Field(default_factory=list)
    security_rules: list[SecurityRule] = Field(default_factory=list)
    cost_labels: list[LabelName] = Field(default_factory=lambda: ["tenant", "plan", "feature"])
    synthetic_flows: list[SyntheticFlow] = Field(default_factory=list)
    anomalies: list[AnomalyWatch] = Field(default_factory=list)
    # Error tracking; created only when the stack also has `secrets.sentry_token`.
    sentry: Sentry | None = None
    # Per-environment settings.
    platform: Platform
    alerting: Alerting = Alerting()
    oncall: OnCall = OnCall()
    secrets: frozenset[SecretKey] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _platform_profile(cls, data: object) -> object:
        """Lay the stack's `platform` section over its profile's defaults."""
        if not isinstance(data, dict):
            return data
        # With an unknown profile, only that error is worth reporting: use development's defaults.
        profile: Profile = "production" if data.get("profile") == "production" else "development"
        return {**data, "platform": platform_with_profile(profile, data.get("platform") or {})}

    @model_validator(mode="after")
    def _references(self) -> "Stack":
        problems: list[str] = []
        problems += _duplicates("services", [s.name for s in self.services])
        problems += _duplicates("teams", [t.name for t in self.teams])
        problems += _duplicates("dependencies", [d.name for d in self.dependencies])
        teams = {t.name for t in self.teams}
        dependencies = {d.name for d in self.dependencies}
        services = {s.name for s in self.services}
        for i, service in enumerate(self.services):
            if service.team not in teams:
                problems.append(f"services[{i}].team: unknown team '{service.team}'")
            for j, used in enumerate(service.uses):
                if used not in dependencies:
                    problems.append(f"services[{i}].uses[{j}]: unknown dependency '{used}'")
        for name in sorted(self.secrets):
            team = name.removeprefix(TEAM_SLACK_WEBHOOK_PREFIX)
            if name.startswith(TEAM_SLACK_WEBHOOK_PREFIX) and team not in teams:
                problems.append(f"secrets.{name}: no team named '{team}'")
        retention = self.platform.retention.metrics
        for i, service in enumerate(self.services):
            for j, slo in enumerate(service.slos):
                if duration_seconds(slo.period) > duration_seconds(retention):
                    problems.append(
                        f"services[{i}].slos[{j}].period: {slo.period} is longer than "
                        f"platform.retention.metrics ({retention}); the error budget over the "
                        "period would be computed from less data"
                    )
        for i, flow in enumerate(self.synthetic_flows):
            if duration_seconds(flow.sla.period) > duration_seconds(retention):
                problems.append(
                    f"synthetic_flows[{i}].sla.period: {flow.sla.period} is longer than "
                    f"platform.retention.metrics ({retention})"
                )
        for i, endpoint in enumerate(self.tls_endpoints):
            if endpoint.team not in teams:
                problems.append(f"tls_endpoints[{i}].team: unknown team '{endpoint.team}'")
        for i, rule in enumerate(self.business_rules):
            if rule.service not in services:
                problems.append(f"business_rules[{i}].service: unknown service '{rule.service}'")
        domains = [d.name for d in self.business_domains]
        for name in sorted({n for n in domains if domains.count(n) > 1}):
            problems.append(f"business_domains: '{name}' is declared more than once")
        for i, domain in enumerate(self.business_domains):
            for j, kpi in enumerate(domain.kpis):
                if kpi.service not in services:
                    problems.append(
                        f"business_domains[{i}].kpis[{j}].service: unknown service '{kpi.service}'"
                    )
            for j, funnel in enumerate(domain.funnels):
                if funnel.service not in services:
                    problems.append(
                        f"business_domains[{i}].funnels[{j}].service: unknown service "
                        f"'{funnel.service}'"
                    )
        for i, security in enumerate(self.security_rules):
            if security.service not in services:
                problems.append(
                    f"security_rules[{i}].service: unknown service '{security.service}'"
                )
        problems += _duplicates("synthetic_flows", [f.name for f in self.synthetic_flows])
        for i, flow in enumerate(self.synthetic_flows):
            if flow.team not in teams:
                problems.append(f"synthetic_flows[{i}].team: unknown team '{flow.team}'")
            for j, step in enumerate(flow.steps):
                if step.service is not None and step.service not in services:
                    problems.append(
                        f"synthetic_flows[{i}].steps[{j}].service: unknown service '{step.service}'"
                    )
        problems += _duplicates("anomalies", [a.name for a in self.anomalies])
        for i, watch in enumerate(self.anomalies):
            if watch.team not in teams:
                problems.append(f"anomalies[{i}].team: unknown team '{watch.team}'")
            if watch.service is not None and watch.service not in services:
                problems.append(f"anomalies[{i}].service: unknown service '{watch.service}'")
        if self.alerting.platform_team not in teams:
            problems.append(f"alerting.platform_team: unknown team '{self.alerting.platform_team}'")
        problems += _grafana_replicas(self)
        problems += _one_role_per_person(self)
        problems += _unique_pagerduty_service_names(self)
        if self.production:
            problems += _production_requirements(self)
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @property
    def production(self) -> bool:
        """Production profile: HA, network policies, required secrets, ingress and storage."""
        return self.profile == "production"

    def service(self, name: str) -> Service:
        return next(s for s in self.services if s.name == name)

    def team(self, name: str) -> Team:
        return next(t for t in self.teams if t.name == name)


def _duplicates(path: str, names: list[str]) -> list[str]:
    seen: set[str] = set()
    problems: list[str] = []
    for i, name in enumerate(names):
        if name in seen:
            problems.append(f"{path}[{i}].name: duplicate name '{name}'")
        seen.add(name)
    return problems


def _people(stack: Stack) -> list[tuple[str, Member]]:
    """Everyone the stack names, with the config path that names them."""
    people = [
        (f"teams[{i}].{path}", member)
        for i, team in enumerate(stack.teams)
        for path, member in (
            *((f"rotation[{j}]", m) for j, m in enumerate(team.rotation)),
            ("lead", team.lead),
        )
    ]
    head = stack.oncall.pagerduty.head_of_engineering
    if head is not None:
        people.append(("oncall.pagerduty.head_of_engineering", head))
    return people


def _grafana_replicas(stack: Stack) -> list[str]:
    """More than one Grafana needs the shared database (production requires it anyway and
    says so in its own words)."""
    replicas = stack.platform.replicas.grafana
    if replicas == 1 or stack.platform.grafana_database is not None or stack.production:
        return []
    return [
        f"platform.replicas.grafana: {replicas} replicas need platform.grafana_database (host, "
        "port, name, user, sslmode; the password in secrets.grafana_db_password): without it "
        "Grafana keeps SQLite on a volume only one replica mounts"
    ]


def _one_role_per_person(stack: Stack) -> list[str]:
    """A PagerDuty user has one account role, which sets their role on every team."""
    first: dict[str, tuple[str, Member]] = {}
    problems: list[str] = []
    for path, member in _people(stack):
        seen = first.setdefault(member.email.lower(), (path, member))
        if seen[1].role != member.role:
            problems.append(
                f"{path}.role: {member.email} is '{member.role}' here but '{seen[1].role}' in "
                f"{seen[0]}; a PagerDuty user has one role on every team"
            )
    return problems


def _unique_pagerduty_service_names(stack: Stack) -> list[str]:
    """PagerDuty refuses a second service with a name already taken in the account."""
    if stack.oncall.pagerduty.service_per == "team":
        names = [(f"teams[{i}].display_name", t.display_name) for i, t in enumerate(stack.teams)]
    else:
        names = [
            *(
                (f"services[{i}].display_name", s.display_name)
                for i, s in enumerate(stack.services)
            ),
            *(
                (f"teams[{i}].display_name", pagerduty_team_wide_service_name(t.display_name))
                for i, t in enumerate(stack.teams)
            ),
        ]
    first: dict[str, str] = {}
    problems: list[str] = []
    for path, name in names:
        # Compared ignoring case and surrounding space: the safe side of PagerDuty's own check.
        seen = first.setdefault(name.strip().casefold(), path)
        if seen != path:
            problems.append(
                f"{path}: the PagerDuty service name '{name}' is already made from {seen}; "
                "PagerDuty service names are unique in an account"
            )
    return problems


def _production_requirements(stack: Stack) -> list[str]:
    problems: list[str] = []
    if stack.platform.ingress is None:
        problems.append(
            "platform.ingress: required by the production profile (TLS on every ingress)"
        )
    elif stack.grafana.url.rstrip("/") != (
        url := f"https://{grafana_host(stack.platform.ingress.domain)}"
    ):
        problems.append(
            f"grafana.url: must be {url}, where the Grafana ingress answers (got {stack.grafana.url})"
        )
    if stack.platform.object_storage is None:
        problems.append(
            "platform.object_storage: required by the production profile (Loki, Tempo and Mimir buckets)"
        )
    if stack.platform.grafana_database is None:
        problems.append(
            "platform.grafana_database: required by the production profile (two or more "
            "Grafana replicas share it; SQLite on a volume allows one replica, down at every "
            "rollout and node drain)"
        )
    if stack.oncall.pagerduty.head_of_engineering is None:
        problems.append(
            "oncall.pagerduty.head_of_engineering: required by the production profile "
            "(escalation level 3)"
        )
    return problems
