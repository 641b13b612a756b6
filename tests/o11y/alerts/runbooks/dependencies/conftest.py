"""The stack the dependency runbooks are read on."""

import pytest

from o11y.model.stack import Stack
from tests.o11y.alerts.dependencies.conftest import WEB
from tests.small_stacks import SERVICE, TEAM, small_stack

DEPENDENCIES = [
    {
        "kind": "postgres",
        "name": "db",
        "host": "pg.data.svc",
        "port": 6432,
        "database": "app",
        "max_connections_percent": 70,
    },
    {"kind": "redis", "name": "kv", "host": "redis.data.svc", "port": 6380},
    {"kind": "redis", "name": "spare", "host": "spare.data.svc"},
    {
        "kind": "kafka",
        "name": "bus",
        "brokers": ["kafka-0.data.svc:9092", "kafka-1.data.svc:9092", "kafka-2.data.svc:9092"],
        "consumer_groups": ["orders", "rewards"],
        "max_lag": 500,
    },
    {"kind": "partner_api", "name": "bank", "partner_label": "bank-api", "error_rate_percent": 10},
    {"kind": "partner_api", "name": "maps", "partner_label": "maps", "error_rate_percent": 2.5},
]


@pytest.fixture(scope="package")
def stack() -> Stack:
    """Every kind of dependency used by services of two teams (one store used by none, one
    service using none), and two TLS endpoints."""
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
                    "namespace": "web",
                    "uses": ["db", "bus", "bank", "maps"],
                },
                {**SERVICE, "name": "search", "display_name": "Search", "uses": []},
            ],
            "tls_endpoints": [
                {"name": "api", "url": "https://api.example.org", "team": "core"},
                {"name": "app", "url": "https://app.example.org/login", "team": "web"},
            ],
        }
    )
