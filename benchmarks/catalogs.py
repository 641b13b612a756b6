"""Generated catalogs of any size, as Pulumi stack files, to measure what the program creates.

A stack file may override the shared catalog's top-level keys, so one file holds a whole
generated stack: `services` services (two SLOs, three endpoint budgets, two custom metrics and
two dependencies each), one team per ten services, one PostgreSQL and one Redis per twenty
services, on the production profile with one PagerDuty service per catalog service: the shape
whose routing tree and rule objects grow fastest.
"""

from pathlib import Path

import yaml

SERVICES_PER_TEAM = 10
SERVICES_PER_DATA_STORE = 20


def _team(index: int) -> dict[str, object]:
    name = f"team-{index:03d}"
    return {
        "name": name,
        "display_name": f"Team {index}",
        "slack_channel": f"#alerts-{name}",
        "email": f"{name}-oncall@example.com",
        "rotation": [
            {"name": f"Engineer {index}-{n}", "email": f"{name}-engineer-{n}@example.com"}
            for n in range(3)
        ],
        "lead": {"name": f"Lead {index}", "email": f"{name}-lead@example.com", "role": "manager"},
    }


def _service(index: int) -> dict[str, object]:
    store = index // SERVICES_PER_DATA_STORE
    return {
        "name": f"service-{index:04d}",
        "display_name": f"Service {index}",
        "team": f"team-{index // SERVICES_PER_TEAM:03d}",
        "namespace": f"apps-{index // SERVICES_PER_TEAM:03d}",
        "port": 8000 + index % 1000,
        "uses": [f"db-{store:03d}", f"cache-{store:03d}"],
        "endpoints": [
            {"route": f"/api/v1/{resource}", "method": method, **budget}
            for resource, method, budget in (
                ("items", "GET", {"p50_seconds": 0.05, "p95_seconds": 0.25, "p99_seconds": 0.5}),
                ("items", "POST", {"p50_seconds": 0.1, "p95_seconds": 0.5, "p99_seconds": 1}),
                ("search", "GET", {"p50_seconds": 0.25, "p95_seconds": 1, "p99_seconds": 2.5}),
            )
        ],
        "slos": [
            {"name": "availability", "objective": 99.9, "description": "Requests without a 5xx."},
            {
                "name": "latency",
                "kind": "latency",
                "objective": 95,
                "threshold_seconds": 0.5,
                "description": "p95 under 500ms.",
            },
        ],
        "metrics": [
            {"name": f"service_{index:04d}_jobs_total", "title": "Jobs"},
            {
                "name": f"service_{index:04d}_job_duration_seconds",
                "title": "Job duration p95",
                "unit": "s",
                "read_as": "p95",
            },
        ],
    }


def _data_stores(count: int) -> list[dict[str, object]]:
    stores: list[dict[str, object]] = []
    for n in range(count):
        stores.append({"kind": "postgres", "name": f"db-{n:03d}", "host": f"db-{n:03d}.data.svc"})
        stores.append(
            {"kind": "redis", "name": f"cache-{n:03d}", "host": f"cache-{n:03d}.data.svc"}
        )
    return stores


def generated_config(services: int) -> dict[str, object]:
    """The `config:` map of a production-profile stack with `services` generated services."""
    teams = -(-services // SERVICES_PER_TEAM)
    stores = -(-services // SERVICES_PER_DATA_STORE)
    config: dict[str, object] = {
        "pulumi:disable-default-providers": ["*"],
        "o11y:profile": "production",
        "o11y:kubernetes": {"context": "generated", "namespace": "observability"},
        "o11y:grafana": {"url": "https://grafana.o11y.example.com"},
        "o11y:platform": {
            "ingress": {"domain": "o11y.example.com"},
            "object_storage": {
                "provider": "s3",
                "region": "eu-west-1",
                "buckets": {
                    "loki": "generated-loki",
                    "tempo": "generated-tempo",
                    "mimir": "generated-mimir",
                    "mimir_ruler": "generated-mimir-ruler",
                    "mimir_alertmanager": "generated-mimir-alertmanager",
                },
            },
            "grafana_database": {
                "host": "grafana-db.example.com",
                "name": "grafana",
                "user": "grafana",
            },
        },
        "o11y:alerting": {
            "runbook_base_url": "https://github.com/example/o11y/blob/main/docs/runbooks",
            "platform_team": "team-000",
        },
        "o11y:oncall": {
            "pagerduty": {
                "service_per": "service",
                "head_of_engineering": {"name": "Head", "email": "head@example.com"},
            },
        },
        "o11y:teams": [_team(n) for n in range(teams)],
        "o11y:services": [_service(n) for n in range(services)],
        "o11y:dependencies": _data_stores(stores),
        "o11y:tls_endpoints": [],
        "o11y:business_rules": [],
        "o11y:security_rules": [],
        "o11y:business_domains": [],
        "o11y:synthetic_flows": [],
        "o11y:anomalies": [],
    }
    return config


def write_stack_file(directory: Path, name: str, services: int) -> Path:
    """`Pulumi.<name>.yaml` in `directory` with `services` generated services."""
    path = directory / f"Pulumi.{name}.yaml"
    text = yaml.safe_dump({"config": generated_config(services)}, sort_keys=True, width=1000)
    path.write_text(text, encoding="utf-8")
    return path
