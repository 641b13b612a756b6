"""The platform: the Secrets the charts read, one Helm release per chart, the NetworkPolicies
in front of the backends, and the check that Grafana answers at its URL. Every decision comes
from o11y.helm and o11y.readiness."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from components.custom_resources import custom_resource, manifest_name, metadata_args
from components.secrets import opaque_secret
from o11y import conventions as names
from o11y.bundle import PlatformPlan
from o11y.helm import HelmRelease
from o11y.helm.grafana import ADMIN_PASSWORD_KEY, ADMIN_USER, ADMIN_USER_KEY
from o11y.readiness import CHECK_RESOURCES, CURL_USER, ReadinessCheck

# Big charts (kube-prometheus-stack with its hooks, mimir-distributed) need longer
# than Helm's default 5 minutes to become ready on a fresh cluster.
RELEASE_TIMEOUT_SECONDS = 900
# Generated Grafana admin password length (no special characters: it goes into HTTP basic auth).
ADMIN_PASSWORD_LENGTH = 32
# Every argument of the RandomPassword that could force a new password.
PASSWORD_ARGUMENTS = (
    "length",
    "special",
    "upper",
    "lower",
    "numeric",
    "number",
    "min_upper",
    "min_lower",
    "min_numeric",
    "min_special",
    "override_special",
    "keepers",
)


@dataclass(frozen=True)
class PlatformArgs:
    plan: PlatformPlan
    provider: k8s.Provider
    # The stack's namespace (created by the caller: the Alertmanager Secrets live there too).
    namespace: k8s.core.v1.Namespace
    # Stack secret name (o11y.model.stack.SecretName) -> value.
    secrets: Mapping[str, pulumi.Output[str]]
    # The on-call Secrets (Alertmanager's configuration and keys). Only the releases that mount
    # them wait for them: a PagerDuty error must not hold back Loki, Grafana or the dashboards.
    oncall_secrets: Sequence[pulumi.Resource] = ()


class Platform(pulumi.ComponentResource):
    releases: dict[str, k8s.helm.v3.Release]
    # Tempo's Kafka, topic included, when the platform runs it (Strimzi custom resources).
    kafka: list[k8s.apiextensions.CustomResource]
    # The release of the prometheus-operator CRDs: custom resources wait for it.
    operator_crds: k8s.helm.v3.Release
    # Completes once Grafana answers healthy at `grafana.url`: Grafana content waits for it.
    grafana_ready: k8s.batch.v1.Job
    namespace: k8s.core.v1.Namespace
    grafana_admin_password: pulumi.Output[str]

    def __init__(
        self, name: str, args: PlatformArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("o11y:platform:Platform", name, None, opts)
        plan = args.plan
        namespace = plan.namespace
        child = pulumi.ResourceOptions(parent=self, provider=args.provider)

        self.namespace = args.namespace
        in_namespace = pulumi.ResourceOptions.merge(
            child, pulumi.ResourceOptions(depends_on=[self.namespace])
        )

        admin_password = random.RandomPassword(
            f"{name}-grafana-admin-password",
            length=ADMIN_PASSWORD_LENGTH,
            special=False,
            # Grafana takes the admin password from its Secret only when it creates the admin
            # user, on the first start with an empty database; afterwards the password lives in
            # Grafana's database (on its volume) and the Secret is never read again. A new
            # password would change the Secret and the provider's credentials but not Grafana:
            # every Grafana call would then fail with 401. Grafana has no setting that re-reads
            # it at every start, and a reset would need a hook with database access. So the
            # password is never replaced: changes to its arguments are ignored, and it is
            # protected, so neither a replace nor a delete happens without unprotecting it on
            # purpose (and then resetting Grafana's password with `grafana cli admin
            # reset-admin-password`).
            opts=pulumi.ResourceOptions(
                parent=self,
                provider=random.Provider(
                    f"{name}-random", opts=pulumi.ResourceOptions(parent=self)
                ),
                ignore_changes=list(PASSWORD_ARGUMENTS),
                protect=True,
            ),
        )
        self.grafana_admin_password = pulumi.Output.secret(admin_password.result)
        secrets: list[pulumi.Resource] = [
            opaque_secret(
                f"{name}-grafana-admin",
                names.SECRET_GRAFANA_ADMIN,
                namespace,
                {
                    ADMIN_USER_KEY: pulumi.Output.from_input(ADMIN_USER),
                    ADMIN_PASSWORD_KEY: self.grafana_admin_password,
                },
                in_namespace,
            )
        ]
        for secret_name, keys in plan.secrets.items():
            secrets.append(
                opaque_secret(
                    f"{name}-{secret_name}",
                    secret_name,
                    namespace,
                    {key: args.secrets[source] for key, source in keys.items()},
                    in_namespace,
                )
            )

        self.releases = {}
        self.kafka = []
        for release in plan.releases:
            needs = [*secrets, *(args.oncall_secrets if release.reads_oncall_secrets else ())]
            if release.needs_kafka:
                self.kafka = self._kafka(name, plan, in_namespace)
                needs += self.kafka
            self.releases[release.name] = self._release(name, release, needs, in_namespace)
        self.operator_crds = self.releases[names.RELEASE_OPERATOR_CRDS]
        self.grafana_ready = _readiness_job(
            f"{name}-grafana-ready",
            plan.grafana_readiness,
            pulumi.ResourceOptions.merge(
                child, pulumi.ResourceOptions(depends_on=[self.releases[names.RELEASE_GRAFANA]])
            ),
        )

        # Written once, in the core: the same objects `render` writes to kubernetes/.
        for policy in plan.network_policies:
            k8s.networking.v1.NetworkPolicy(
                f"{name}-{manifest_name(policy)}",
                metadata=metadata_args(policy),
                # In the API's own field names: the SDK passes through names it does not
                # translate, so the object created is the one rendered (plan.json shows it).
                spec=cast("k8s.networking.v1.NetworkPolicySpecArgsDict", policy["spec"]),
                opts=in_namespace,
            )

        self.register_outputs(
            {
                "namespace": self.namespace.metadata.name,
                "releases": {n: r.status for n, r in self.releases.items()},
                "grafana_admin_password": self.grafana_admin_password,
            }
        )

    def _kafka(
        self, name: str, plan: PlatformPlan, opts: pulumi.ResourceOptions
    ) -> list[k8s.apiextensions.CustomResource]:
        """The Kafka, its node pool and topic, after the operator whose chart brings their
        CRDs; the Kafka waits until Strimzi reports it Ready (its pulumi.com/waitFor)."""
        after_operator = pulumi.ResourceOptions.merge(
            opts,
            pulumi.ResourceOptions(
                depends_on=[self.releases[names.RELEASE_STRIMZI]],
                protect=plan.protect_stateful,
            ),
        )
        return [
            custom_resource(
                f"{name}-kafka-{manifest['kind']}-{manifest_name(manifest)}".lower(),
                manifest,
                after_operator,
            )
            for manifest in plan.kafka
        ]

    def _release(
        self,
        name: str,
        release: HelmRelease,
        needs: Sequence[pulumi.Resource],
        opts: pulumi.ResourceOptions,
    ) -> k8s.helm.v3.Release:
        return k8s.helm.v3.Release(
            f"{name}-{release.name}",
            k8s.helm.v3.ReleaseArgs(
                name=release.name,
                chart=release.chart,
                version=release.version,
                repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=release.repository),
                namespace=release.namespace,
                values=release.values,
                timeout=RELEASE_TIMEOUT_SECONDS,
                take_ownership=release.take_ownership or None,
            ),
            opts=pulumi.ResourceOptions.merge(
                opts,
                pulumi.ResourceOptions(
                    protect=release.protect,
                    depends_on=[*needs, *(self.releases[d] for d in release.depends_on)],
                ),
            ),
        )


def _readiness_job(
    resource_name: str, check: ReadinessCheck, opts: pulumi.ResourceOptions
) -> k8s.batch.v1.Job:
    """The check as a Job; the Kubernetes provider waits until it completes (or fails)."""
    container = k8s.core.v1.ContainerArgs(
        name="check",
        image=check.image,
        command=list(check.command),
        resources=k8s.core.v1.ResourceRequirementsArgs(
            requests=CHECK_RESOURCES["requests"], limits=CHECK_RESOURCES["limits"]
        ),
        security_context=k8s.core.v1.SecurityContextArgs(
            allow_privilege_escalation=False,
            read_only_root_filesystem=True,
            capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"]),
        ),
    )
    return k8s.batch.v1.Job(
        resource_name,
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name=check.name,
            namespace=check.namespace,
            labels=check.labels,
            annotations=check.annotations,
        ),
        spec=k8s.batch.v1.JobSpecArgs(
            backoff_limit=0,
            active_deadline_seconds=check.deadline_seconds,
            template=k8s.core.v1.PodTemplateSpecArgs(
                metadata=k8s.meta.v1.ObjectMetaArgs(labels=check.labels),
                spec=k8s.core.v1.PodSpecArgs(
                    restart_policy="Never",
                    containers=[container],
                    security_context=k8s.core.v1.PodSecurityContextArgs(
                        run_as_non_root=True,
                        run_as_user=CURL_USER,
                        seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
                    ),
                ),
            ),
        ),
        opts=pulumi.ResourceOptions.merge(
            opts,
            pulumi.ResourceOptions(
                # The Job may run for its whole deadline; the provider's default wait is 10m.
                custom_timeouts=pulumi.CustomTimeouts(
                    create=f"{check.deadline_seconds + 60}s",
                    update=f"{check.deadline_seconds + 60}s",
                ),
            ),
        ),
    )
