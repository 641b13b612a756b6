"""Exporter values: each data store's exporter reads its password from a Kubernetes Secret,
never from its values, and reaches production databases over TLS."""

from o11y.helm import kubernetes_secrets
from o11y.helm.exporters import exported_dependencies, exporter_values
from o11y.helm.pods import Values
from o11y.model.stack import Stack
from tests.small_stacks import small_stack
from tests.trees import as_dict, dig

DATA_STORES = [
    {"kind": "postgres", "name": "orders-db", "host": "orders-db.apps.svc"},
    {"kind": "redis", "name": "cache", "host": "cache.apps.svc"},
]


def exporter_of(stack: Stack, kind: str) -> Values:
    """The values of the exporter of the stack's dependency of a kind."""
    (dependency,) = [d for d in exported_dependencies(stack) if d.kind == kind]
    return exporter_values(stack, dependency)


def test_exporter_passwords_come_from_kubernetes_secrets() -> None:
    # The postgres exporter always reads its Secret (every stack with a postgres dependency
    # must have the password); the redis exporter only when the stack has one.
    without_redis_password = small_stack(overrides={"dependencies": DATA_STORES})
    datasource = dig(exporter_of(without_redis_password, "postgres"), "config", "datasource")
    assert dig(datasource, "passwordSecret") == {"name": "postgres-exporter", "key": "password"}
    assert "password" not in as_dict(datasource)
    assert "auth" not in exporter_of(without_redis_password, "redis")

    stack = without_redis_password.model_copy(
        update={"secrets": frozenset({"postgres_password", "redis_password"})}
    )
    assert dig(exporter_of(stack, "redis"), "auth", "secret", "name") == "redis-exporter"
    assert set(kubernetes_secrets(stack)) == {"postgres-exporter", "redis-exporter"}


def test_production_connects_to_postgres_over_tls_only() -> None:
    sslmode = {
        env: dig(
            exporter_of(small_stack(env, {"dependencies": DATA_STORES}), "postgres"),
            "config",
            "datasource",
            "sslmode",
        )
        for env in ("dev", "prod")
    }
    assert sslmode == {"dev": "disable", "prod": "require"}
