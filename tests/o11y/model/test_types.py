"""The constrained value types every model shares: durations, names, objectives."""

import pytest
from pydantic import TypeAdapter, ValidationError

from o11y.model.types import Duration, Name, Objective, duration_seconds


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30), ("5m", 300), ("1h30m", 5400), ("7d", 604800), ("1w", 604800)],
)
def test_durations_are_read_like_prometheus(text: str, seconds: int) -> None:
    assert duration_seconds(text) == seconds


@pytest.mark.parametrize("text", ["", "30", "5 m", "1.5h", "30ms"])
def test_what_prometheus_would_not_read_is_not_a_duration(text: str) -> None:
    with pytest.raises(ValueError, match="is not a duration such as 30s, 5m, 1h or 7d"):
        duration_seconds(text)


def test_a_duration_of_nothing_is_refused() -> None:
    with pytest.raises(ValidationError, match="must be longer than 0s"):
        TypeAdapter(Duration).validate_python("0s")


@pytest.mark.parametrize("name", ["Shop", "shop_api", "-shop", "a" * 64])
def test_a_name_kubernetes_would_refuse_is_refused(name: str) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Name).validate_python(name)


@pytest.mark.parametrize("objective", [0, 100])
def test_an_objective_lies_strictly_between_0_and_100(objective: float) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Objective).validate_python(objective)
