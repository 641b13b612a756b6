"""The SLO dashboard: SLIs shown with one decimal more than their objective."""

import pytest

from o11y.dashboards.slo import sli_decimals


@pytest.mark.parametrize(
    ("objective", "decimals"), [(99.9, 2), (99.95, 3), (99, 2), (99.999, 4), (95, 2)]
)
def test_an_sli_shows_one_decimal_more_than_its_objective(objective: float, decimals: int) -> None:
    assert sli_decimals(objective) == decimals
