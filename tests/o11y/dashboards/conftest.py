"""The shop stack every dashboard test module reads."""

import pytest

from o11y.model.stack import Stack
from tests.o11y.dashboards.shop import shop_stack


@pytest.fixture(scope="session")
def shop() -> Stack:
    return shop_stack()
