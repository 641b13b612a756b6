"""Platform component under Pulumi mocks: releases, their options, and the Secrets."""

import base64

import pulumi
import pulumi_kubernetes as k8s

from cli.mocks import Registration, record
from components.platform import Platform, PlatformArgs
from o11y.bundle import bundle
from o11y.model.stack import Stack
from tests.conftest import dev_releases, load_stack
from tests.small_stacks import PROD, small_stack
from tests.trees import as_dict, as_list, dig, text

RELEASE = "kubernetes:helm.sh/v3:Release"
SECRET = "kubernetes:core/v1:Secret"
POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
PROD_PLATFORM = as_dict(PROD["platform"])
OBJECT_STORAGE_SECRETS = frozenset({"object_storage_access_key", "object_storage_secret_key"})


def namespace(provider: k8s.Provider) -> k8s.core.v1.Namespace:
    return k8s.core.v1.Namespace(
        "namespace",
        metadata={"name": "observability"},
        opts=pulumi.ResourceOptions(provider=provider),
    )


def build(stack: Stack, secrets: dict[str, pulumi.Output[str]] | None = None) -> list[Registration]:
    def program() -> None:
        provider = k8s.Provider("kubernetes", context="test")
        Platform(
            "platform",
            PlatformArgs(
                plan=bundle(stack).platform,
                provider=provider,
                namespace=namespace(provider),
                secrets=secrets
                or {
                    "object_storage_access_key": pulumi.Output.secret("AKIA-test"),
                    "object_storage_secret_key": pulumi.Output.secret("shh"),
                },
            ),
        )

    return record(program, "test")


def releases(registered: list[Registration]) -> dict[str, Registration]:
    return {text(r.inputs["name"]): r for r in registered if r.type == RELEASE}


def test_dev_creates_one_release_per_chart_entry_in_the_namespace() -> None:
    stack = load_stack("dev")
    registered = build(stack)
    found = releases(registered)
    assert set(found) == set(dev_releases(stack))
    assert found["prometheus-operator-crds"].inputs["takeOwnership"] is True
    assert "takeOwnership" not in found["loki"].inputs
    kps = found["kube-prometheus-stack"].inputs
    assert (kps["chart"], kps["version"]) == ("kube-prometheus-stack", "88.5.3")
    assert (
        dig(kps, "repositoryOpts", "repo") == "https://prometheus-community.github.io/helm-charts"
    )
    assert {r.inputs["namespace"] for r in found.values()} == {"observability"}
    assert not [r for r in registered if r.type == POLICY]
    assert not any(r.protect for r in registered if r.type.startswith("kubernetes:"))


def test_every_child_has_the_component_as_parent_and_the_explicit_provider() -> None:
    registered = build(load_stack("dev"))
    component = next(r for r in registered if r.type == "o11y:platform:Platform")
    provider = next(r for r in registered if r.type == "pulumi:providers:kubernetes")
    children = [r for r in registered if r.type.startswith("kubernetes:") and r.name != "namespace"]
    assert len(children) > 10
    for child in children:
        assert child.parent == component.urn, child.name
        assert child.provider.startswith(f"{provider.urn}::"), child.name
        assert child.name.startswith("platform-"), child.name


def test_prod_protects_stateful_releases_and_orders_them_after_the_operator_crds() -> None:
    registered = build(load_stack("prod"))
    found = releases(registered)
    assert {n for n, r in found.items() if r.protect} == {
        "kube-prometheus-stack",
        "mimir",
        "loki",
        "tempo",
        "grafana",
    }
    crds = found["prometheus-operator-crds"]
    for name, release in found.items():
        if release is not crds:
            assert crds.urn in release.dependencies, name
            assert found["kube-prometheus-stack"].urn not in release.dependencies, name
    assert found["otel-sampler"].urn in found["otel-gateway"].dependencies
    # One ingress policy per backend, and Grafana's egress (it has an external database).
    assert len([r for r in registered if r.type == POLICY]) == 6


def test_grafana_admin_password_is_generated_and_only_stored_as_a_secret() -> None:
    registered = build(load_stack("dev"))
    secret = next(r for r in registered if r.type == SECRET and r.name == "platform-grafana-admin")
    assert secret.secret_inputs == frozenset({"data"})
    assert "stringData" not in secret.inputs
    assert dig(secret.inputs, "metadata", "name") == "grafana-admin"
    grafana = releases(registered)["grafana"]
    assert "mock-password" not in repr(grafana.inputs)
    assert dig(grafana.inputs, "values", "admin", "existingSecret") == "grafana-admin"
    assert secret.urn in grafana.dependencies
    assert any(r.type == "random:index/randomPassword:RandomPassword" for r in registered)


def test_the_admin_password_is_never_replaced() -> None:
    registered = build(load_stack("dev"))
    (password,) = [r for r in registered if r.type == "random:index/randomPassword:RandomPassword"]
    assert password.protect
    assert {"length", "special", "keepers", "overrideSpecial"} <= set(password.ignore_changes)


def test_admin_password_output_is_secret() -> None:
    outputs: dict[str, pulumi.Output[str]] = {}

    def program() -> None:
        provider = k8s.Provider("kubernetes", context="test")
        platform = Platform(
            "platform",
            PlatformArgs(bundle(load_stack("dev")).platform, provider, namespace(provider), {}),
        )
        outputs["password"] = platform.grafana_admin_password

    record(program, "test")

    async def is_secret() -> bool:
        return await outputs["password"].is_secret()

    from pulumi.runtime.sync_await import _sync_await

    assert _sync_await(is_secret()) is True


def test_object_storage_secret_is_created_in_prod_from_the_stack_secrets() -> None:
    stack = load_stack("prod").model_copy(update={"secrets": OBJECT_STORAGE_SECRETS})
    registered = build(stack)
    secret = next(r for r in registered if r.type == SECRET and r.name == "platform-object-storage")
    assert secret.secret_inputs == frozenset({"data"})
    assert dig(secret.inputs, "data", "value") == {
        "AWS_ACCESS_KEY_ID": base64.b64encode(b"AKIA-test").decode(),
        "AWS_SECRET_ACCESS_KEY": base64.b64encode(b"shh").decode(),
    }
    assert "AKIA-test" not in repr(releases(registered))
    loki = releases(registered)["loki"].inputs["values"]
    assert dig(loki, "defaults", "extraEnvFrom") == [{"secretRef": {"name": "object-storage"}}]


def test_grafanas_database_password_is_a_secret_the_grafana_release_reads_by_name() -> None:
    stack = small_stack("prod").model_copy(update={"secrets": frozenset({"grafana_db_password"})})
    registered = build(stack, {"grafana_db_password": pulumi.Output.secret("db-pass-1")})
    secret = next(
        r for r in registered if r.type == SECRET and r.name == "platform-grafana-database"
    )
    assert secret.secret_inputs == frozenset({"data"})
    assert dig(secret.inputs, "metadata", "name") == "grafana-database"
    assert dig(secret.inputs, "data", "value") == {
        "password": base64.b64encode(b"db-pass-1").decode()
    }
    grafana = releases(registered)["grafana"]
    assert "db-pass-1" not in repr(grafana.inputs)
    assert secret.urn in grafana.dependencies
    assert dig(grafana.inputs, "values", "envValueFrom", "GF_DATABASE_PASSWORD") == {
        "secretKeyRef": {"name": "grafana-database", "key": "password"}
    }


def test_without_its_database_grafana_gets_no_database_secret_and_no_egress_policy() -> None:
    registered = build(small_stack("dev"))
    assert not [r for r in registered if r.name == "platform-grafana-database"]
    assert not [r for r in registered if r.name == "platform-grafana-egress"]


def test_grafana_may_leave_the_cluster_only_for_its_database_port_and_https() -> None:
    registered = build(small_stack("prod"))
    (egress,) = [r for r in registered if r.type == POLICY and r.name == "platform-grafana-egress"]
    spec = as_dict(egress.inputs["spec"])
    assert spec["policyTypes"] == ["Egress"]
    assert dig(spec, "podSelector", "matchLabels") == {
        "app.kubernetes.io/name": "grafana",
        "app.kubernetes.io/instance": "grafana",
    }
    own, dns, external = as_list(spec["egress"])
    assert dig(own, "to", 0, "namespaceSelector", "matchLabels") == {
        "kubernetes.io/metadata.name": "obs"
    }
    assert dig(dns, "ports") == [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]
    assert dig(external, "to") == [{"ipBlock": {"cidr": "0.0.0.0/0"}}]
    assert dig(external, "ports") == [
        {"port": 443, "protocol": "TCP"},
        {"port": 5432, "protocol": "TCP"},
    ]


def test_only_the_release_that_mounts_the_on_call_secrets_waits_for_them() -> None:
    def program() -> None:
        provider = k8s.Provider("kubernetes", context="test")
        config = k8s.core.v1.Secret(
            "alertmanager-config", opts=pulumi.ResourceOptions(provider=provider)
        )
        Platform(
            "platform",
            PlatformArgs(
                bundle(load_stack("dev")).platform,
                provider,
                namespace(provider),
                {},
                oncall_secrets=[config],
            ),
        )

    registered = record(program, "test")
    config = next(r for r in registered if r.name == "alertmanager-config")
    waiting = {name for name, r in releases(registered).items() if config.urn in r.dependencies}
    assert waiting == {"kube-prometheus-stack"}


def test_a_policy_over_a_webhook_server_admits_its_port_from_anywhere() -> None:
    registered = build(small_stack("prod"))
    (mimir,) = [
        r for r in registered if r.type == POLICY and r.name == "platform-mimir-same-namespace"
    ]
    assert dig(mimir.inputs, "spec", "ingress") == [
        {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "obs"}}}]},
        {"ports": [{"port": 8443, "protocol": "TCP"}]},
    ]
    (loki,) = [
        r for r in registered if r.type == POLICY and r.name == "platform-loki-same-namespace"
    ]
    assert len(as_list(dig(loki.inputs, "spec", "ingress"))) == 1


def test_the_grafana_readiness_job_runs_after_the_grafana_release() -> None:
    registered = build(small_stack("prod"))
    (job,) = [r for r in registered if r.type == "kubernetes:batch/v1:Job"]
    assert releases(registered)["grafana"].urn in job.dependencies
    assert dig(job.inputs, "metadata", "annotations") == {"pulumi.com/replaceUnready": "true"}
    assert dig(job.inputs, "spec", "backoffLimit") == 0
    pod = dig(job.inputs, "spec", "template", "spec")
    assert dig(pod, "restartPolicy") == "Never"
    (container,) = as_list(dig(pod, "containers"))
    assert dig(container, "command", -1) == "https://grafana.o11y.example.org/api/health"
    assert set(as_dict(dig(container, "resources"))) == {"requests", "limits"}


KAFKA_KINDS = {"Kafka", "KafkaNodePool", "KafkaTopic"}
CUSTOM_RESOURCE = "kubernetes:kafka.strimzi.io/v1:"


def kafka_resources(registered: list[Registration]) -> list[Registration]:
    return [r for r in registered if r.type.startswith(CUSTOM_RESOURCE)]


def test_the_platform_kafka_comes_after_the_operator_and_before_tempo() -> None:
    registered = build(small_stack("prod"))
    found = releases(registered)
    kafka = kafka_resources(registered)
    assert {r.inputs["kind"] for r in kafka} == KAFKA_KINDS
    for resource in kafka:
        assert found["strimzi"].urn in resource.dependencies, resource.name
        assert resource.protect, resource.name
        assert resource.urn in found["tempo"].dependencies, resource.name
    cluster = next(r for r in kafka if r.inputs["kind"] == "Kafka")
    assert dig(cluster.inputs, "metadata", "annotations") == {
        "pulumi.com/waitFor": "condition=Ready"
    }
    assert (text(found["tempo"].inputs["chart"]), text(found["tempo"].inputs["version"])) == (
        "tempo-distributed",
        "3.3.0",
    )
    assert found["strimzi"].urn not in found["loki"].dependencies


def test_with_an_external_kafka_no_strimzi_runs_and_the_sasl_password_is_a_secret() -> None:
    external = {
        "bootstrap_server": "kafka.shared.svc:9092",
        "sasl": {"username": "tempo"},
    }
    stack = small_stack("prod", {"platform": {**PROD_PLATFORM, "kafka": external}})
    stack = stack.model_copy(update={"secrets": frozenset({"kafka_sasl_password"})})
    registered = build(stack, {"kafka_sasl_password": pulumi.Output.secret("kafka-shh")})
    found = releases(registered)
    assert "strimzi" not in found
    assert not kafka_resources(registered)
    secret = next(
        r for r in registered if r.type == SECRET and r.name == "platform-tempo-kafka-sasl"
    )
    assert secret.secret_inputs == frozenset({"data"})
    assert dig(secret.inputs, "data", "value") == {
        "password": base64.b64encode(b"kafka-shh").decode()
    }
    assert secret.urn in found["tempo"].dependencies
    assert "kafka-shh" not in repr(found)
    env = as_list(dig(found["tempo"].inputs["values"], "defaults", "extraEnv"))
    assert dig(env, 0, "valueFrom", "secretKeyRef") == {
        "name": "tempo-kafka-sasl",
        "key": "password",
    }


def test_development_stacks_run_neither_kafka_nor_strimzi() -> None:
    registered = build(small_stack("dev"))
    found = releases(registered)
    assert "strimzi" not in found
    assert not kafka_resources(registered)
    assert text(found["tempo"].inputs["chart"]) == "tempo"
