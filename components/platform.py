"""The platform: the Secrets the charts read, one Helm release per chart, and the
NetworkPolicies in front of the backends. Every decision comes from o11y.helm."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from o11y import conventions as names
from o11y.helm import HelmRelease, kubernetes_secrets, network_policies, releases
from o11y.helm.grafana import ADMIN_PASSWORD_KEY, ADMIN_USER, ADMIN_USER_KEY
from o11y.model.stack import Stack

# Big charts (kube-prometheus-stack with its CRDs and hooks, mimir-distributed) need longer
# than Helm's default 5 minutes to become ready on a fresh cluster.
RELEASE_TIMEOUT_SECONDS = 900
# Generated Grafana admin password length (no special characters: it goes into HTTP basic auth).
ADMIN_PASSWORD_LENGTH = 32


@dataclass(frozen=True)
class PlatformArgs:
    stack: Stack
    provider: k8s.Provider
    # The stack's namespace (created by the caller: the Alertmanager Secrets live there too).
    namespace: k8s.core.v1.Namespace
    # Stack secret name (o11y.model.stack.SecretName) -> value.
    secrets: Mapping[str, pulumi.Output[str]]
    # Resources the releases need first, e.g. the Alertmanager configuration Secret.
    depends_on: Sequence[pulumi.Resource] = ()


class Platform(pulumi.ComponentResource):
    releases: dict[str, k8s.helm.v3.Release]
    namespace: k8s.core.v1.Namespace
    grafana_admin_password: pulumi.Output[str]

    def __init__(
        self, name: str, args: PlatformArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("o11y:platform:Platform", name, None, opts)
        stack = args.stack
        namespace = stack.kubernetes.namespace
        child = pulumi.ResourceOptions(parent=self, provider=args.provider)

        self.namespace = args.namespace
        in_namespace = pulumi.ResourceOptions.merge(
            child, pulumi.ResourceOptions(depends_on=[self.namespace])
        )

        admin_password = random.RandomPassword(
            f"{name}-grafana-admin-password",
            length=ADMIN_PASSWORD_LENGTH,
            special=False,
            # Default providers are disabled for every stack: even random gets an explicit one.
            opts=pulumi.ResourceOptions(
                parent=self,
                provider=random.Provider(
                    f"{name}-random", opts=pulumi.ResourceOptions(parent=self)
                ),
            ),
        )
        self.grafana_admin_password = pulumi.Output.secret(admin_password.result)
        secrets: list[pulumi.Resource] = [
            _secret(
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
        for secret_name, keys in kubernetes_secrets(stack).items():
            secrets.append(
                _secret(
                    f"{name}-{secret_name}",
                    secret_name,
                    namespace,
                    {key: args.secrets[source] for key, source in keys.items()},
                    in_namespace,
                )
            )

        self.releases = {}
        for release in releases(stack):
            self.releases[release.name] = self._release(
                name, release, [*secrets, *args.depends_on], in_namespace
            )

        for policy in network_policies(stack):
            k8s.networking.v1.NetworkPolicy(
                f"{name}-{policy.name}",
                metadata={"name": policy.name, "namespace": policy.namespace},
                spec={
                    "pod_selector": {"match_labels": policy.pod_labels},
                    "policy_types": ["Ingress"],
                    "ingress": [
                        {
                            "from_": [
                                {
                                    "namespace_selector": {
                                        "match_labels": {
                                            "kubernetes.io/metadata.name": policy.allowed_namespace
                                        }
                                    }
                                }
                            ]
                        }
                    ],
                },
                opts=in_namespace,
            )

        self.register_outputs(
            {
                "namespace": self.namespace.metadata.name,
                "releases": {n: r.status for n, r in self.releases.items()},
                "grafana_admin_password": self.grafana_admin_password,
            }
        )

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
            ),
            opts=pulumi.ResourceOptions.merge(
                opts,
                pulumi.ResourceOptions(
                    protect=release.protect,
                    depends_on=[*needs, *(self.releases[d] for d in release.depends_on)],
                ),
            ),
        )


def _secret(
    resource_name: str,
    name: str,
    namespace: str,
    data: Mapping[str, pulumi.Output[str]],
    opts: pulumi.ResourceOptions,
) -> k8s.core.v1.Secret:
    """A Secret whose values stay Pulumi secrets in state and in its inputs."""
    return k8s.core.v1.Secret(
        resource_name,
        metadata={"name": name, "namespace": namespace},
        type="Opaque",
        string_data={key: _secret_value(value) for key, value in data.items()},
        opts=pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(additional_secret_outputs=["data", "stringData"])
        ),
    )


def _secret_value(value: pulumi.Output[str]) -> pulumi.Output[str]:
    secret: pulumi.Output[str] = pulumi.Output.secret(value)
    return secret
