"""Small synthetic flows for the tests: a one-request check and a log-in/create/verify/delete flow."""

from o11y.model.stack import Stack
from tests.small_stacks import SERVICE, TEAM, small_stack

SERVICE_CHECK: dict[str, object] = {
    "name": "ping-query",
    "title": "Ping query",
    "team": "platform",
    "every_minutes": 5,
    "steps": [
        {
            "name": "query",
            "method": "POST",
            "service": "api-gateway",
            "path": "/graphql",
            "headers": {"Content-Type": "application/json"},
            "body": '{"query":"{ ping }"}',
            "expect_json": ["data.ping"],
        }
    ],
}

ITEM_FLOW: dict[str, object] = {
    "name": "item-flow",
    "title": "Item flow",
    "team": "product",
    "every_minutes": 10,
    "priority": "P1",
    "credentials": {"user": "synthetic_user", "password": "synthetic_password"},
    "sla": {"availability_percent": 99, "max_error_percent": 2, "max_response_seconds": 0.5},
    "steps": [
        {
            "name": "log-in",
            "method": "POST",
            "url": "http://127.0.0.1:1/login",
            "body": '{"user": "${user}", "password": "${password}"}',
            "capture": {"token": "token"},
        },
        {
            "name": "create",
            "method": "POST",
            "url": "http://127.0.0.1:1/items",
            "headers": {"Authorization": "Bearer ${token}"},
            "expect_status": [201],
            "capture": {"item": "item.id"},
        },
        {
            "name": "verify",
            "url": "http://127.0.0.1:1/items/${item}",
            "headers": {"Authorization": "Bearer ${token}"},
            "expect_json": ["item.name"],
        },
        {
            "name": "delete",
            "method": "DELETE",
            "url": "http://127.0.0.1:1/items/${item}",
            "headers": {"Authorization": "Bearer ${token}"},
            "expect_status": [204],
            "always": True,
        },
    ],
}


def with_flows(stack: Stack, *flows: dict[str, object], **changes: object) -> Stack:
    """`stack` with exactly these synthetic flows (and any other top-level changes)."""
    data = stack.model_dump()
    data["synthetic_flows"] = list(flows)
    data.update(changes)
    return Stack.model_validate(data)


def flow_stack() -> Stack:
    """The stack the flows above run against: teams platform and product, and api-gateway."""
    teams = [
        {**TEAM, "name": "platform", "display_name": "Platform", "slack_channel": "#p"},
        {**TEAM, "name": "product", "display_name": "Product", "slack_channel": "#q"},
    ]
    gateway = {**SERVICE, "name": "api-gateway", "display_name": "API Gateway", "port": 7000}
    return small_stack(
        "dev",
        {
            "teams": teams,
            "services": [{**gateway, "team": "platform"}],
            "alerting": {"platform_team": "platform"},
            "kubernetes": {"context": "test", "namespace": "observability"},
        },
    )
