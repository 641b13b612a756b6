"""The typed definition every alert is generated from: the rule and its runbook come from one place."""

from dataclasses import dataclass, field

from o11y.severity import Priority


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
