"""Validation problems read as the user's file: items by name, root causes first, in words."""

from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from o11y.model.stack import Stack
from o11y.problems import (
    PATTERN_WORDS,
    Problem,
    named_path,
    problem_lines,
    quoted_values,
    sentence_case,
    validation_problems,
)

FORBID = ConfigDict(extra="forbid")


class Slo(BaseModel):
    model_config = FORBID
    name: str
    objective: float


class Service(BaseModel):
    model_config = FORBID
    name: str
    port: int
    slos: list[Slo] = []


class Cache(BaseModel):
    model_config = FORBID
    kind: Literal["cache"]
    name: str
    port: int = 6379


class Queue(BaseModel):
    model_config = FORBID
    kind: Literal["queue"]
    name: str
    brokers: list[str]


class Catalog(BaseModel):
    model_config = FORBID
    services: list[Service]
    dependencies: list[Annotated[Cache | Queue, Field(discriminator="kind")]] = []
    enabled: bool = True


def lines_of(data: dict[str, object]) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        Catalog.model_validate(data)
    return problem_lines(validation_problems(caught.value, data, Catalog), data, Catalog)


def quoted_lines_of(data: dict[str, object], plain_text: set[str]) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        Catalog.model_validate(data, strict=True)
    return problem_lines(quoted_values(caught.value, plain_text, set()), data, Catalog)


CASES: list[tuple[str, dict[str, object], list[str]]] = [
    (
        "a misspelled key is named with its item and the key it was meant to be",
        {"services": [{"name": "checkout", "prot": 7000}]},
        ["services[checkout]: unknown key 'prot' — did you mean 'port'?"],
    ),
    (
        "a key like no other is unknown and what is missing is still required",
        {"services": [{"name": "checkout", "colour": "blue"}]},
        ["services[checkout]: unknown key 'colour'", "services[checkout].port: required"],
    ),
    (
        "items of a list inside an item are named too",
        {"services": [{"name": "a", "port": 1, "slos": [{"name": "fast", "objective": "x"}]}]},
        ["services[a].slos[fast].objective: must be a number (got 'x')"],
    ),
    (
        "two items sharing a name keep their positions",
        {"services": [{"name": "a", "port": 1}, {"name": "a", "port": "x"}]},
        ["services[1].port: must be a whole number (got 'x')"],
    ),
    (
        "the kind a dependency is checked as is not part of its path",
        {
            "services": [{"name": "a", "port": 1}],
            "dependencies": [{"kind": "cache", "name": "c", "prot": 1}],
        },
        ["dependencies[c]: unknown key 'prot' — did you mean 'port'?"],
    ),
    (
        "one cause in many places is said once, with the places",
        {"services": [{"name": n, "port": "http"} for n in ("a", "b")]},
        ["must be a whole number (got 'http') (in 2 places: services[a].port, services[b].port)"],
    ),
]


@pytest.mark.parametrize(("data", "expected"), [pytest.param(d, e, id=n) for n, d, e in CASES])
def test_problems_are_said_in_the_files_terms(data: dict[str, object], expected: list[str]) -> None:
    assert lines_of(data) == expected


def test_quoted_numbers_and_booleans_are_named_unless_pulumi_stores_them_as_text() -> None:
    data: dict[str, object] = {
        "services": [{"name": "a", "port": "7000", "slos": [{"name": "s", "objective": "99.5"}]}],
        "enabled": "true",
    }
    assert quoted_lines_of(data, set()) == [
        "enabled: write true without quotes: true or false",
        "services[a].port: write 7000 without quotes: a number, not text",
        "services[a].slos[s].objective: write 99.5 without quotes: a number, not text",
    ]
    assert quoted_lines_of(data, {"enabled"}) == quoted_lines_of(data, set())[1:]


def test_text_that_is_no_number_is_left_to_the_lax_check() -> None:
    data: dict[str, object] = {"services": [{"name": "a", "port": "http"}]}
    assert quoted_lines_of(data, set()) == []


def test_a_model_checks_broken_references_come_first_with_a_suggestion() -> None:
    data: dict[str, object] = {"teams": [{"name": "platform"}], "services": [{"name": "api"}]}
    problems = [
        Problem(("services", 0, "display_name"), "too long"),
        Problem(("services", 0, "team"), "unknown team 'platfrom'", root=True),
    ]
    assert problem_lines(problems, data, Stack) == [
        "services[api].team: unknown team 'platfrom' — did you mean 'platform'?",
        "services[api].display_name: too long",
    ]


def test_a_path_with_no_data_under_it_keeps_positions() -> None:
    assert named_path(("services", 3, "port"), {"services": []}, Catalog) == "services[3].port"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Input should be a valid URL", "input should be a valid URL"),
        ("SLO name 'a'", "SLO name 'a'"),
    ],
)
def test_a_message_starts_lowercase_unless_it_starts_with_an_acronym(
    message: str, expected: str
) -> None:
    assert sentence_case(message) == expected


def patterns(schema: object) -> set[str]:
    if isinstance(schema, dict):
        found = {schema["pattern"]} if isinstance(schema.get("pattern"), str) else set()
        return found.union(*(patterns(value) for value in schema.values()))
    if isinstance(schema, list):
        return set().union(*(patterns(value) for value in schema))
    return set()


def test_every_pattern_of_the_stack_model_is_said_in_words() -> None:
    assert patterns(Stack.model_json_schema()) - set(PATTERN_WORDS) == set()
