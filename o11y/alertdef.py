"""The typed shape every alert is generated from.

An alert area is a table of `AlertSpec` rows (what fires: name, expression, `for`, priority,
labels; o11y/alerts/<area>.py) and a module of runbook prose keyed by alert name
(o11y/alerts/runbooks/<area>.py). Both are written for a *subject*: the thing the area
watches (a service, a dependency, the stack). An `Area` joins each row, its runbook and
every subject of a stack into the `AlertDefinition`s the final pass (o11y/rules.py) turns
into Prometheus rules and o11y/runbooks.py into pages.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from o11y.model.stack import Stack
from o11y.severity import Priority

S = TypeVar("S")


@dataclass(frozen=True)
class TriageQuery:
    """A query to run while triaging, shown verbatim in the runbook."""

    title: str
    query: str
    language: str = "promql"  # or "logql", "traceql"


@dataclass(frozen=True)
class AlertDefinition:
    """One alert: what fires, how urgent, who owns it, and what the runbook tells the responder."""

    name: str  # stable PascalCase name, unique per rule file
    group: str  # rule group (kebab-case); also decides the rule file
    expr: str
    for_: str  # Prometheus duration; "0s" fires at once
    priority: Priority
    team: str
    summary: str
    description: str
    service: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    # A dead man's switch (Watchdog): always firing, severity `none`, no priority label.
    heartbeat: bool = False
    # Runbook content.
    symptom: str = ""
    impact: str = ""
    triage: tuple[TriageQuery, ...] = ()
    causes: tuple[str, ...] = ()
    resolution: tuple[str, ...] = ()
    related: tuple[str, ...] = ()


@dataclass(frozen=True)
class Runbook:
    """What the notification and the runbook page tell the responder about one alert."""

    summary: str
    description: str
    symptom: str
    impact: str
    triage: tuple[TriageQuery, ...] = ()
    causes: tuple[str, ...] = ()
    resolution: tuple[str, ...] = ()
    related: tuple[str, ...] = ()


def _no_labels(subject: object) -> dict[str, str]:
    return {}


@dataclass(frozen=True)
class AlertSpec(Generic[S]):
    """One row of an area's alert table: what fires for a subject. `for_` and `priority` are
    fixed, or read from the subject when the catalog sets them. `name` keys the row's runbook
    (and proof); it is the alert's name unless `alert_name` reads one from the subject (an
    alert named after its catalog rule)."""

    name: str
    expr: Callable[[S], str]
    for_: str | Callable[[S], str]
    priority: Priority | Callable[[S], Priority]
    labels: Callable[[S], dict[str, str]] = _no_labels
    heartbeat: bool = False
    alert_name: Callable[[S], str] | None = None


@dataclass(frozen=True)
class Owner:
    """Where a subject's alerts go: their rule group, the owning team and service."""

    group: str
    team: str
    service: str | None = None


# An area's runbook prose: alert name -> the runbook for one subject.
Runbooks = Mapping[str, Callable[[S], Runbook]]


@dataclass(frozen=True)
class Area(Generic[S]):
    """An alert table, its runbooks, and the subjects of a stack it is written for."""

    alerts: Sequence[AlertSpec[S]]
    runbooks: Runbooks[S]
    subjects: Callable[[Stack], Iterable[tuple[S, Owner]]]

    def __call__(self, stack: Stack) -> list[AlertDefinition]:
        """Every alert of the area in `stack`: each subject in turn, its rows in table order."""
        return [
            definition
            for subject, owner in self.subjects(stack)
            for definition in alert_definitions(self.alerts, self.runbooks, subject, owner)
        ]


def alert_definitions(
    table: Sequence[AlertSpec[S]], runbooks: Runbooks[S], subject: S, owner: Owner
) -> list[AlertDefinition]:
    """Every row of `table` for `subject`, with its runbook, in table order."""
    result: list[AlertDefinition] = []
    for spec in table:
        runbook = runbooks[spec.name](subject)
        result.append(
            AlertDefinition(
                name=spec.name if spec.alert_name is None else spec.alert_name(subject),
                group=owner.group,
                expr=spec.expr(subject),
                for_=spec.for_ if isinstance(spec.for_, str) else spec.for_(subject),
                priority=(
                    spec.priority if isinstance(spec.priority, Priority) else spec.priority(subject)
                ),
                team=owner.team,
                service=owner.service,
                labels=spec.labels(subject),
                heartbeat=spec.heartbeat,
                summary=runbook.summary,
                description=runbook.description,
                symptom=runbook.symptom,
                impact=runbook.impact,
                triage=runbook.triage,
                causes=runbook.causes,
                resolution=runbook.resolution,
                related=runbook.related,
            )
        )
    return result
