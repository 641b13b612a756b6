"""Exporter values: blackbox (health and TLS probes, P8) and one exporter per declared
postgres, redis and kafka dependency. Their ServiceMonitors and Probes are built in
o11y/monitors.py (with the `dependency` label), so the charts' own monitors stay off.
Passwords come from Kubernetes Secrets by name, never from values.
"""

from o11y.conventions import (
    SECRET_POSTGRES_EXPORTER,
    SECRET_REDIS_EXPORTER,
    exporter_release,
)
from o11y.helm.pods import Values, resources
from o11y.model.catalog import Kafka, Postgres, Redis
from o11y.model.stack import SecretName, Stack
from o11y.synthetics import blackbox_modules

# Blackbox modules the Probes use (o11y/monitors.py).
MODULE_HTTP = "http_2xx"
MODULE_TLS = "tls_expiry"
# Grafana's /api/health, healthy only when its database is (Grafana HTTP API, "Health API":
# `{"database": "ok", ...}`, HTTP 503 when the database check fails).
MODULE_GRAFANA_HEALTH = "grafana_health"
# Key of the exporter password in its Secret.
PASSWORD_KEY = "password"
# Label on each exporter's Service; its ServiceMonitor selects on it.
DEPENDENCY_SELECTOR_LABEL = "o11y.dev/dependency"
# Ports the exporters listen on (each image's default: postgres_exporter 9187,
# redis_exporter 9121, kafka_exporter 9308).
EXPORTER_PORTS = {"postgres": 9187, "redis": 9121, "kafka": 9308}

ExportedDependency = Postgres | Redis | Kafka
# Exporter Secrets (key `password`) and the stack secret each is made from.
EXPORTER_SECRETS: dict[str, SecretName] = {
    SECRET_POSTGRES_EXPORTER: "postgres_password",
    SECRET_REDIS_EXPORTER: "redis_password",
}


def needs_secret(stack: Stack, secret: SecretName) -> bool:
    """Whether an exporter of the stack reads this secret (its dependency kind is declared)."""
    kind = {"postgres_password": Postgres, "redis_password": Redis}.get(secret)
    return kind is not None and any(isinstance(d, kind) for d in stack.dependencies)


def _grafana_health_module(stack: Stack) -> Values:
    """Probed only where Grafana has an external database, the thing it can lose."""
    if stack.platform.grafana_database is None:
        return {}
    return {
        MODULE_GRAFANA_HEALTH: {
            "prober": "http",
            "timeout": "5s",
            "http": {
                "preferred_ip_protocol": "ip4",
                "fail_if_body_not_matches_regexp": ['"database":\\s*"ok"'],
            },
        }
    }


def blackbox_values(stack: Stack) -> Values:
    return {
        "resources": resources(stack, "exporter"),
        "config": {
            "modules": {
                MODULE_HTTP: {
                    "prober": "http",
                    "timeout": "5s",
                    "http": {
                        "valid_http_versions": ["HTTP/1.1", "HTTP/2.0"],
                        "follow_redirects": True,
                        "preferred_ip_protocol": "ip4",
                    },
                },
                # Certificate expiry: probe_ssl_earliest_cert_expiry from an HTTPS request.
                MODULE_TLS: {
                    "prober": "http",
                    "timeout": "10s",
                    "http": {
                        "fail_if_not_ssl": True,
                        "preferred_ip_protocol": "ip4",
                        "method": "GET",
                    },
                },
                **_grafana_health_module(stack),
                **blackbox_modules(stack),
            }
        },
    }


def exported_dependencies(stack: Stack) -> list[ExportedDependency]:
    return [d for d in stack.dependencies if isinstance(d, Postgres | Redis | Kafka)]


def exporter_values(stack: Stack, dependency: ExportedDependency) -> Values:
    common: Values = {
        "resources": resources(stack, "exporter"),
        "service": {"labels": {DEPENDENCY_SELECTOR_LABEL: dependency.name}},
    }
    if isinstance(dependency, Postgres):
        datasource: Values = {
            "host": dependency.host,
            "port": str(dependency.port),
            "database": dependency.database,
            "user": dependency.user,
            "sslmode": "require" if stack.production else "disable",
            # Every stack with a postgres dependency has the password (required_secrets).
            "passwordSecret": {"name": SECRET_POSTGRES_EXPORTER, "key": PASSWORD_KEY},
        }
        return {**common, "config": {"datasource": datasource}}
    if isinstance(dependency, Redis):
        redis: Values = {**common, "redisAddress": f"redis://{dependency.host}:{dependency.port}"}
        if "redis_password" in stack.secrets:
            redis["auth"] = {
                "enabled": True,
                "secret": {"name": SECRET_REDIS_EXPORTER, "key": PASSWORD_KEY},
            }
        return redis
    return {**common, "kafkaServer": list(dependency.brokers)}


def exporter_release_name(dependency: ExportedDependency) -> str:
    return exporter_release(dependency.name)
