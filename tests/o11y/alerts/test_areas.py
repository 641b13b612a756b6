"""Every registered area: each row has its runbook and no runbook is left without a row."""

import pytest

from o11y.alertdef import Area
from o11y.alerts import areas
from o11y.model.stack import Stack
from o11y.rules import alerts_by_file

AREAS = {name: value for name, value in vars(areas).items() if isinstance(value, Area)}


@pytest.mark.parametrize("name", sorted(AREAS))
def test_every_row_has_a_runbook(name: str) -> None:
    area = AREAS[name]
    rows = {spec.name for spec in area.alerts}
    assert rows <= set(area.runbooks), sorted(rows - set(area.runbooks))


def test_every_runbook_belongs_to_a_row_of_some_area() -> None:
    rows = {spec.name for area in AREAS.values() for spec in area.alerts}
    runbooks = {name for area in AREAS.values() for name in area.runbooks}
    assert runbooks <= rows, sorted(runbooks - rows)


def test_every_area_is_in_a_rule_file() -> None:
    registered = {id(a) for file in areas.AREAS.values() for a in file}
    assert {name for name, a in AREAS.items() if id(a) not in registered} == set()


def test_an_alert_name_is_unique_within_its_rule_group(prod_stack: Stack) -> None:
    for stem, definitions in alerts_by_file(prod_stack).items():
        keys = [(d.group, d.name, tuple(sorted(d.labels.items()))) for d in definitions]
        assert len(keys) == len(set(keys)), stem
