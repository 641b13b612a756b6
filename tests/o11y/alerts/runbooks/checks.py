"""What every runbook promises, checked the same way by each runbook module's tests."""

import re
from collections.abc import Iterable

import promql_parser

from o11y.alertdef import AlertDefinition, Area, TriageQuery
from o11y.alerts import areas
from o11y.helm.loki import STREAM_LABELS
from o11y.rules import REUSED_DEFAULT_RULES

_MATCHER = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"')
_STREAM_SELECTOR = re.compile(r"\{([^}]*)\}")
_TEMPLATE_LABEL = re.compile(r"\{\{ \$labels\.([a-zA-Z_][a-zA-Z0-9_]*) \}\}")
_GROUPING = re.compile(r"\bby \(([^)]*)\)")


def matchers(selector: str) -> dict[str, tuple[str, str]]:
    """label -> (operator, value) of one selector's matchers (the text between the braces)."""
    return {label: (op, value) for label, op, value in _MATCHER.findall(selector)}


def selectors(query: str) -> list[dict[str, tuple[str, str]]]:
    """The matchers of every `{...}` selector of a query, in order."""
    return [matchers(found) for found in _STREAM_SELECTOR.findall(query)]


def stream_selector(logql: str) -> dict[str, tuple[str, str]]:
    """The matchers of a LogQL query's stream selector (the braces it starts with)."""
    found = _STREAM_SELECTOR.match(logql)
    assert found, f"no stream selector: {logql}"
    return matchers(found.group(1))


def queries(definition: AlertDefinition, language: str) -> list[str]:
    return [q.query for q in definition.triage if q.language == language]


def alert_rows() -> set[str]:
    """The name of every row of every registered area."""
    return {
        spec.name for area in vars(areas).values() if isinstance(area, Area) for spec in area.alerts
    }


def known_alerts() -> set[str]:
    """Alerts a runbook may point to: our rows and the chart's default rules we reuse."""
    return alert_rows() | {rule.name for rule in REUSED_DEFAULT_RULES}


def template_labels(text: str) -> set[str]:
    """The labels `{{ $labels.x }}` reads in an annotation."""
    return set(_TEMPLATE_LABEL.findall(text))


def grouping_labels(expr: str) -> set[str]:
    """Every label an expression keeps in a `by (...)` clause."""
    return {
        label.strip() for group in _GROUPING.findall(expr) for label in group.split(",") if label
    }


def parse_failures(triage: Iterable[TriageQuery]) -> dict[str, str]:
    """Title -> error of every PromQL triage query the parser refuses."""
    failures = {}
    for query in triage:
        if query.language != "promql":
            continue
        try:
            promql_parser.parse(query.query)
        except ValueError as error:
            failures[query.title] = f"{query.query}: {error}"
    return failures


def assert_complete(definition: AlertDefinition) -> None:
    """The runbook says what happens, what it costs and what to do, and its queries are sound:
    PromQL that parses, LogQL that selects only Loki's index labels, related alerts that exist."""
    name = definition.name
    assert definition.summary.strip(), name
    assert definition.description.strip(), name
    assert definition.symptom.strip(), name
    assert definition.impact.strip(), name
    assert definition.resolution, name
    assert all(step.strip() for step in definition.resolution), name
    assert definition.triage, name
    assert parse_failures(definition.triage) == {}, name
    for logql in queries(definition, "logql"):
        assert set(stream_selector(logql)) <= set(STREAM_LABELS), (name, logql)
    assert set(definition.related) <= known_alerts(), (name, definition.related)
    assert name not in definition.related, name
