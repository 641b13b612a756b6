"""Small stacks built in the tests themselves: one team, one service, nothing from the
example catalog, so a test states every value it relies on."""

from collections.abc import Mapping

from o11y.model.stack import Stack

TEAM = {
    "name": "core",
    "display_name": "Core",
    "slack_channel": "#alerts-core",
    "email": "core@example.org",
    "rotation": [{"name": "Ann One", "email": "ann@example.org"}],
    "lead": {"name": "Bob Two", "email": "bob@example.org"},
}
SERVICE = {
    "name": "shop",
    "display_name": "Shop",
    "team": "core",
    "namespace": "apps",
    "port": 8080,
    "slos": [{"name": "availability", "objective": 99.9}],
}
PROD = {
    "platform": {
        "ingress": {"domain": "o11y.example.org", "cluster_issuer": "issuer"},
        "object_storage": {
            "provider": "s3",
            "region": "eu-west-1",
            "buckets": {
                "loki": "l",
                "tempo": "t",
                "mimir": "m",
                "mimir_ruler": "r",
                "mimir_alertmanager": "a",
            },
        },
        "grafana_database": {"host": "db.example.org", "name": "grafana", "user": "grafana"},
    },
    "grafana": {"url": "https://grafana.o11y.example.org"},
    "oncall": {
        "pagerduty": {"head_of_engineering": {"name": "Cy Three", "email": "cy@example.org"}},
    },
}


def small_stack(environment: str = "dev", overrides: Mapping[str, object] | None = None) -> Stack:
    data: dict[str, object] = {
        "environment": environment,
        "profile": "production" if environment == "prod" else "development",
        "kubernetes": {"context": "test", "namespace": "obs"},
        "grafana": {"url": "http://grafana.obs.svc"},
        "teams": [TEAM],
        "services": [SERVICE],
        "alerting": {"platform_team": "core"},
        **(PROD if environment == "prod" else {}),
        **(overrides or {}),
    }
    return Stack.model_validate(data)
