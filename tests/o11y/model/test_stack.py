"""Stack-wide PagerDuty checks: one role per person, PagerDuty service names unique."""

from collections.abc import Callable

import pytest

from o11y.model.stack import required_secrets
from tests.oncall_stacks import SERVICES, TEAMS, config_problems, stack_data
from tests.small_stacks import small_stack


def _with_service_named(display_name: str) -> list[dict[str, object]]:
    return [*SERVICES, {**SERVICES[0], "name": "extra", "display_name": display_name}]


def _teams_named(first: str, second: str) -> list[dict[str, object]]:
    return [{**TEAMS[0], "display_name": first}, {**TEAMS[1], "display_name": second}]


PER_TEAM: dict[str, object] = {"service_per": "team"}

CASES: list[tuple[str, Callable[[], dict[str, object]], str | None]] = [
    ("distinct names are taken", lambda: stack_data(services=_with_service_named("API v2")), None),
    (
        "two services with one display name are refused",
        lambda: stack_data(services=_with_service_named("API")),
        "services[extra].display_name: the PagerDuty service name 'API' is already made from "
        "services[api].display_name; PagerDuty service names are unique in an account",
    ),
    (
        "names differing only in case are refused",
        lambda: stack_data(services=_with_service_named("api")),
        "services[extra].display_name: the PagerDuty service name 'api' is already made from "
        "services[api].display_name; PagerDuty service names are unique in an account",
    ),
    (
        "a service named like a team-wide service is refused",
        lambda: stack_data(services=_with_service_named("Web (team-wide)")),
        "teams[web].display_name: the PagerDuty service name 'Web (team-wide)' is already made "
        "from services[extra].display_name; PagerDuty service names are unique in an account",
    ),
    (
        "per team, two teams with one display name are refused",
        lambda: stack_data(PER_TEAM, teams=_teams_named("Core", "Core")),
        "teams[web].display_name: the PagerDuty service name 'Core' is already made from "
        "teams[core].display_name; PagerDuty service names are unique in an account",
    ),
    (
        "per team, a team may share a catalog service's name (no per-service PagerDuty service)",
        lambda: stack_data(PER_TEAM, teams=_teams_named("API", "Shop")),
        None,
    ),
]


@pytest.mark.parametrize(("data", "problem"), [pytest.param(d, p, id=name) for name, d, p in CASES])
def test_pagerduty_service_names(
    data: Callable[[], dict[str, object]], problem: str | None
) -> None:
    assert config_problems(data()) == ([] if problem is None else [problem])


def test_a_person_has_one_role_on_every_team() -> None:
    teams = [TEAMS[0], {**TEAMS[1], "rotation": [{"name": "Lea", "email": "LEA@corp.test"}]}]
    assert config_problems(stack_data(teams=teams)) == [
        "teams[web].rotation[Lea].role: LEA@corp.test is 'responder' here but 'manager' in "
        "teams[core].lead; a PagerDuty user has one role on every team"
    ]


def test_the_head_of_engineering_has_one_role_too() -> None:
    head = {"name": "Lea", "email": "lea@corp.test"}
    assert config_problems(stack_data({"head_of_engineering": head})) == [
        "oncall.pagerduty.head_of_engineering.role: lea@corp.test is 'responder' here but "
        "'manager' in teams[core].lead; a PagerDuty user has one role on every team"
    ]


def test_the_same_role_in_two_teams_is_taken() -> None:
    teams = [TEAMS[0], {**TEAMS[1], "lead": TEAMS[0]["lead"]}]
    assert config_problems(stack_data(teams=teams)) == []


def test_every_stack_with_a_postgres_dependency_requires_its_password() -> None:
    postgres = {"kind": "postgres", "name": "orders-db", "host": "orders-db.apps.svc"}
    assert "postgres_password" in required_secrets(
        small_stack(overrides={"dependencies": [postgres]})
    )
    assert "postgres_password" not in required_secrets(small_stack())
