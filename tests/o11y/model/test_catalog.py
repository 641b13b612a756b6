"""Catalog teams as PagerDuty takes them: on-call roles only, at most 20 people in a rotation."""

from tests.oncall_stacks import TEAMS, config_problems, stack_data


def _core_rotation(size: int) -> list[dict[str, object]]:
    people = [{"name": f"P{i}", "email": f"p{i}@corp.test"} for i in range(size)]
    return [{**TEAMS[0], "rotation": people}, TEAMS[1]]


def test_a_rotation_of_20_people_is_taken() -> None:
    assert config_problems(stack_data(teams=_core_rotation(20))) == []


def test_a_rotation_of_21_people_is_refused() -> None:
    (problem,) = config_problems(stack_data(teams=_core_rotation(21)))
    assert problem.startswith("teams[core].rotation: must have at most 20 items")


def test_observers_are_refused_because_they_cannot_act_on_pages() -> None:
    teams = [{**TEAMS[0], "lead": {"name": "Lea", "email": "lea@corp.test", "role": "observer"}}]
    assert config_problems(stack_data(teams=[*teams, TEAMS[1]])) == [
        "teams[core].lead.role: input should be 'responder' or 'manager' (got 'observer')"
    ]
