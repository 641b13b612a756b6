"""Plan rows as the command line prints them: typed, sorted keys, secrets already masked."""

import json

import pytest
from pydantic import ValidationError

from o11y.plan import PlanRow, plan_json

ROW = {
    "type": "kubernetes:core/v1:Secret",
    "name": "keys",
    "parent": "oncall",
    "provider": "cluster",
    "protect": False,
    "dependencies": ["namespace", "service-events"],
    "inputs": {"data": "[secret]", "metadata": {"name": "keys", "namespace": "obs"}},
}


def test_the_json_reads_back_to_the_same_rows_with_sorted_keys() -> None:
    rows = [PlanRow.model_validate(ROW)]
    text = plan_json(rows)
    assert json.loads(text) == [ROW]
    assert text.index('"dependencies"') < text.index('"inputs"') < text.index('"name"')
    assert plan_json(rows) == text


def test_a_row_without_its_dependencies_is_rejected() -> None:
    with pytest.raises(ValidationError, match="dependencies"):
        PlanRow.model_validate({k: v for k, v in ROW.items() if k != "dependencies"})
