"""The stack the dependency alerts are proven on."""

import pytest

from o11y.model.stack import Stack
from tests.small_stacks import SERVICE, TEAM, small_stack

WEB = {**TEAM, "name": "web", "display_name": "Web", "slack_channel": "#alerts-web"}
DEPENDENCIES = [
    {"kind": "postgres", "name": "db", "host": "pg.data.svc", "database": "app"},
    {"kind": "redis", "name": "kv", "host": "redis.data.svc"},
    {
        "kind": "kafka",
        "name": "bus",
        "brokers": ["kafka-0.data.svc:9092"],
        "consumer_groups": ["orders"],
        "max_lag": 500,
    },
    {"kind": "partner_api", "name": "bank", "partner_label": "bank", "error_rate_percent": 10},
    {"kind": "partner_api", "name": "maps", "partner_label": "maps", "error_rate_percent": 20},
]


@pytest.fixture(scope="package")
def stack() -> Stack:
    """Every kind of dependency, used by two services of two teams, and two TLS endpoints."""
    return small_stack(
        overrides={
            "teams": [TEAM, WEB],
            "dependencies": DEPENDENCIES,
            "services": [
                {**SERVICE, "uses": ["db", "kv", "bank"]},
                {
                    **SERVICE,
                    "name": "cart",
                    "display_name": "Cart",
                    "team": "web",
                    "uses": ["db", "bus", "maps"],
                },
            ],
            "tls_endpoints": [
                {"name": "api", "url": "https://api.example.org", "team": "core"},
                {"name": "app", "url": "https://app.example.org", "team": "web"},
            ],
        }
    )
