"""A small stack of its own for the drill's tests: one service with an availability and a
latency SLO, one PostgreSQL and one Redis, on the example stack's platform and teams."""

from o11y.model.catalog import Postgres, Redis, Service
from o11y.model.stack import Stack

SHOP = Service.model_validate(
    {
        "name": "shop",
        "display_name": "Shop",
        "team": "platform",
        "namespace": "web",
        "port": 8080,
        "endpoints": [
            {
                "route": "/cart/:id",
                "method": "POST",
                "p50_seconds": 0.1,
                "p95_seconds": 0.5,
                "p99_seconds": 1,
            }
        ],
        "slos": [
            {"name": "availability", "objective": 99.9},
            {"name": "latency", "kind": "latency", "objective": 95, "threshold_seconds": 0.5},
        ],
    }
)
ORDERS_DB = Postgres(kind="postgres", name="orders-db", host="pg.data.svc", database="orders")
SESSIONS = Redis(kind="redis", name="sessions", host="redis.data.svc")


def small_stack(base: Stack) -> Stack:
    return base.model_copy(
        update={
            "services": [SHOP],
            "dependencies": [ORDERS_DB, SESSIONS],
            "tls_endpoints": [],
            "business_rules": [],
            "security_rules": [],
            "synthetic_flows": [],
            "anomalies": [],
        }
    )
