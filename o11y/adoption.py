"""Adopting PagerDuty users and teams that already exist: a `pulumi import --file` document.

PagerDuty refuses a second user with an e-mail it knows, so on an account that already has
some of the catalog's people or teams, they are imported into the stack once, before the first
`pulumi up` creates the rest. The document names each resource exactly as the program does
(read from the plan), under the OnCall component and with the stack's PagerDuty provider, both
of which `pulumi import` needs to exist already: `parents` are the URNs to create first.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from o11y.pagerduty import PagerDutyPlan, resource_name
from o11y.plan import PlanRow

ONCALL_TYPE = "o11y:oncall:OnCall"
PROVIDER_TYPE = "pulumi:providers:pagerduty"
# Names the document's resources use for their parent and provider (its `nameTable`).
PARENT_REF = "oncall"
PROVIDER_REF = "pagerduty"


class AdoptionError(ValueError):
    """IDs that name nothing the stack manages, or a stack without PagerDuty."""


@dataclass(frozen=True)
class Adoption:
    document: dict[str, object]  # the `pulumi import --file` JSON
    # URNs of the component chain and the provider, to create with `pulumi up --target`.
    parents: tuple[str, ...]


def adoption(
    stack_name: str,
    project: str,
    rows: Sequence[PlanRow],
    plan: PagerDutyPlan,
    user_ids: Mapping[str, str],
    team_ids: Mapping[str, str],
) -> Adoption:
    """The import document for the given PagerDuty IDs (users by e-mail, teams by catalog name).

    A membership is imported too when both its user's and its team's IDs are given (the
    provider's import ID for a membership is `user_id:team_id`).
    """
    oncall = _only(rows, ONCALL_TYPE)
    provider = _only(rows, PROVIDER_TYPE)
    users = {u.email.lower(): u for u in plan.users}
    teams = {t.key: t for t in plan.teams}
    problems = [
        f"--user {email}: nobody with that e-mail is on call in this stack"
        for email in user_ids
        if email.lower() not in users
    ]
    problems += [
        f"--team {team}: "
        + ("no team of that name" if plan.teams else "PagerDuty Teams are off in this stack")
        for team in team_ids
        if team not in teams
    ]
    if problems:
        raise AdoptionError("\n".join(problems))
    by_name = {row.name: row for row in rows}
    component = oncall.name
    user_id = {users[email.lower()].key: id_ for email, id_ in user_ids.items()}
    wanted = [
        *(
            (resource_name(component, "user", u.key), user_id[u.key])
            for u in plan.users
            if u.key in user_id
        ),
        *(
            (resource_name(component, "team", t.key), team_ids[t.key])
            for t in plan.teams
            if t.key in team_ids
        ),
        *(
            (resource_name(component, "member", m.key), f"{user_id[m.user]}:{team_ids[m.team]}")
            for m in plan.memberships
            if m.user in user_id and m.team in team_ids
        ),
    ]
    resources = [
        {
            "type": by_name[name].type,
            "name": name,
            "id": id_,
            "parent": PARENT_REF,
            "provider": PROVIDER_REF,
        }
        for name, id_ in wanted
    ]
    document: dict[str, object] = {
        "nameTable": {
            PARENT_REF: _urn(stack_name, project, by_name, component),
            PROVIDER_REF: _urn(stack_name, project, by_name, provider.name),
        },
        "resources": resources,
    }
    chain = [*_ancestors(by_name, component), component, provider.name]
    parents = tuple(dict.fromkeys(_urn(stack_name, project, by_name, name) for name in chain))
    return Adoption(document, parents)


def _only(rows: Sequence[PlanRow], type_: str) -> PlanRow:
    found = [row for row in rows if row.type == type_]
    if len(found) != 1:
        raise AdoptionError(
            "the stack manages no PagerDuty objects (it pages only with a pagerduty_token)"
        )
    return found[0]


def _ancestors(by_name: Mapping[str, PlanRow], name: str) -> list[str]:
    """The names of a resource's parents in the plan, outermost first (the stack excluded)."""
    chain: list[str] = []
    parent = by_name[name].parent
    while parent in by_name:
        chain.insert(0, parent)
        parent = by_name[parent].parent
    return chain


def _urn(stack_name: str, project: str, by_name: Mapping[str, PlanRow], name: str) -> str:
    """Pulumi's URN: the types of the resource's parents (below the stack), then its own."""
    types = [by_name[n].type for n in (*_ancestors(by_name, name), name)]
    return f"urn:pulumi:{stack_name}::{project}::{'$'.join(types)}::{name}"
