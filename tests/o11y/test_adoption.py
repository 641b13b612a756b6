"""The `pulumi import --file` document that adopts existing PagerDuty users and teams."""

import pytest

from o11y.adoption import Adoption, AdoptionError, adoption
from o11y.pagerduty import pagerduty_plan, resource_name
from o11y.plan import PlanRow
from tests.oncall_stacks import paging_stack

TOP = "o11y:stack:ObservabilityStack"
ONCALL = "o11y:oncall:OnCall"


def _rows(teams: bool = True) -> list[PlanRow]:
    """The plan rows the program registers for the small stack (the resources this reads)."""
    plan = pagerduty_plan(paging_stack(teams=teams))
    rows = [
        {"type": TOP, "name": "top", "parent": "top-test"},
        {"type": ONCALL, "name": "top-oncall", "parent": "top"},
        {"type": "pulumi:providers:pagerduty", "name": "top-pd", "parent": "top"},
    ]
    rows += [
        {"type": "pagerduty:index/user:User", "name": resource_name("top-oncall", "user", u.key)}
        for u in plan.users
    ]
    rows += [
        {"type": "pagerduty:index/team:Team", "name": resource_name("top-oncall", "team", t.key)}
        for t in plan.teams
    ]
    rows += [
        {
            "type": "pagerduty:index/teamMembership:TeamMembership",
            "name": resource_name("top-oncall", "member", m.key),
        }
        for m in plan.memberships
    ]
    return [
        PlanRow(
            **{"parent": "top-oncall", **row},
            provider=None,
            protect=False,
            dependencies=[],
            inputs={},
        )
        for row in rows
    ]


def _adopt(users: dict[str, str], teams: dict[str, str], teams_on: bool = True) -> Adoption:
    stack = paging_stack(teams=teams_on)
    return adoption("test", "proj", _rows(teams_on), pagerduty_plan(stack), users, teams)


def test_users_teams_and_their_memberships_are_imported_under_the_component() -> None:
    adopted = _adopt({"Ann@corp.test": "PANN", "lea@corp.test": "PLEA"}, {"core": "PCORE"})
    assert adopted.document == {
        "nameTable": {
            "oncall": f"urn:pulumi:test::proj::{TOP}${ONCALL}::top-oncall",
            "pagerduty": f"urn:pulumi:test::proj::{TOP}$pulumi:providers:pagerduty::top-pd",
        },
        "resources": [
            {
                "type": "pagerduty:index/user:User",
                "name": "top-oncall-user-ann-corp-test",
                "id": "PANN",
                "parent": "oncall",
                "provider": "pagerduty",
            },
            {
                "type": "pagerduty:index/user:User",
                "name": "top-oncall-user-lea-corp-test",
                "id": "PLEA",
                "parent": "oncall",
                "provider": "pagerduty",
            },
            {
                "type": "pagerduty:index/team:Team",
                "name": "top-oncall-team-core",
                "id": "PCORE",
                "parent": "oncall",
                "provider": "pagerduty",
            },
            {
                "type": "pagerduty:index/teamMembership:TeamMembership",
                "name": "top-oncall-member-core-ann-corp-test",
                "id": "PANN:PCORE",
                "parent": "oncall",
                "provider": "pagerduty",
            },
            {
                "type": "pagerduty:index/teamMembership:TeamMembership",
                "name": "top-oncall-member-core-lea-corp-test",
                "id": "PLEA:PCORE",
                "parent": "oncall",
                "provider": "pagerduty",
            },
        ],
    }
    assert adopted.parents == (
        f"urn:pulumi:test::proj::{TOP}::top",
        f"urn:pulumi:test::proj::{TOP}${ONCALL}::top-oncall",
        f"urn:pulumi:test::proj::{TOP}$pulumi:providers:pagerduty::top-pd",
    )


def test_a_membership_needs_both_ids() -> None:
    adopted = _adopt({"ann@corp.test": "PANN"}, {"web": "PWEB"})
    resources = adopted.document["resources"]
    assert isinstance(resources, list)
    assert [r["name"] for r in resources] == [
        "top-oncall-user-ann-corp-test",
        "top-oncall-team-web",
    ]


def test_ids_for_people_or_teams_the_stack_does_not_have_are_refused() -> None:
    with pytest.raises(AdoptionError) as refused:
        _adopt({"zed@corp.test": "PZED"}, {"ops": "POPS"})
    assert str(refused.value).splitlines() == [
        "--user zed@corp.test: nobody with that e-mail is on call in this stack",
        "--team ops: no team of that name",
    ]


def test_teams_cannot_be_adopted_when_pagerduty_teams_are_off() -> None:
    with pytest.raises(AdoptionError, match="--team core: PagerDuty Teams are off in this stack"):
        _adopt({}, {"core": "PCORE"}, teams_on=False)


def test_a_stack_without_pagerduty_has_nothing_to_adopt() -> None:
    stack = paging_stack()
    rows = [r for r in _rows() if not r.type.startswith(("pagerduty:", "pulumi:providers"))]
    with pytest.raises(AdoptionError, match="manages no PagerDuty objects"):
        adoption("test", "proj", rows, pagerduty_plan(stack), {"ann@corp.test": "PANN"}, {})
