"""Small stacks for the on-call tests: two teams, two services, PagerDuty settings as given."""

import copy
import json

from o11y.config import ConfigError, RawConfig, parse_stack
from o11y.model.stack import Stack

TEAMS: list[dict[str, object]] = [
    {
        "name": "core",
        "display_name": "Core",
        "slack_channel": "#core",
        "email": "core@corp.test",
        "rotation": [
            {"name": "Ann", "email": "ann@corp.test"},
            {"name": "Bob", "email": "bob@corp.test"},
        ],
        "lead": {"name": "Lea", "email": "lea@corp.test", "role": "manager"},
    },
    {
        "name": "web",
        "display_name": "Web",
        "slack_channel": "#web",
        "email": "web@corp.test",
        "rotation": [{"name": "Cy", "email": "cy@corp.test"}],
        "lead": {"name": "Dee", "email": "dee@corp.test", "role": "manager"},
    },
]

SERVICES: list[dict[str, object]] = [
    {"name": "api", "display_name": "API", "team": "core", "namespace": "api", "port": 8080},
    {"name": "shop", "display_name": "Shop", "team": "web", "namespace": "shop", "port": 8080},
]


def stack_data(
    pagerduty: dict[str, object] | None = None,
    teams: list[dict[str, object]] | None = None,
    services: list[dict[str, object]] | None = None,
) -> dict[str, object]:
    """A paging stack as plain data, to be validated or broken by the caller."""
    return {
        "environment": "dev",
        "profile": "development",
        "kubernetes": {"context": "kind-test"},
        "grafana": {"url": "http://grafana.test"},
        "platform": {},
        "teams": copy.deepcopy(TEAMS if teams is None else teams),
        "services": copy.deepcopy(SERVICES if services is None else services),
        "alerting": {"platform_team": "core"},
        "oncall": {"pagerduty": pagerduty or {}},
        "secrets": ["pagerduty_token"],
        # Nothing of the shared catalog's flows and watches, which name its services and teams.
        "synthetic_flows": [],
        "anomalies": [],
    }


def paging_stack(**pagerduty: object) -> Stack:
    """The small stack with a PagerDuty token and these `oncall.pagerduty` settings."""
    return Stack.model_validate(stack_data(dict(pagerduty)))


def config_problems(data: dict[str, object]) -> list[str]:
    """The problems `python -m cli` and `pulumi up` report for this stack; [] when it is valid."""
    values = {
        f"o11y:{key}": value if isinstance(value, str) else json.dumps(value)
        for key, value in data.items()
        if key not in ("secrets", "environment")
    }
    values["o11y:secrets"] = json.dumps({"pagerduty_token": "token"})
    raw = RawConfig(values=values, secret_keys=frozenset({"o11y:secrets"}))
    try:
        parse_stack(raw, {}, str(data["environment"]))
    except ConfigError as error:
        return error.problems
    return []
