"""An area's table, its runbooks and its subjects joined into alert definitions."""

from dataclasses import dataclass

import pytest

from o11y.alertdef import AlertSpec, Area, Owner, Runbook, alert_definitions
from o11y.model.stack import Stack
from o11y.severity import Priority


@dataclass(frozen=True)
class Queue:
    name: str
    limit: int
    urgent: bool


def _runbook(q: Queue) -> Runbook:
    return Runbook(summary=f"{q.name} is long", description="d", symptom="s", impact="i")


TABLE: tuple[AlertSpec[Queue], ...] = (
    AlertSpec(
        "QueueLong",
        expr=lambda q: f'queue_length{{queue="{q.name}"}} > {q.limit}',
        for_=lambda q: "1m" if q.urgent else "10m",
        priority=lambda q: Priority.P1 if q.urgent else Priority.P3,
        labels=lambda q: {"queue": q.name},
    ),
    AlertSpec("QueueStuck", expr=lambda q: "0 == 1", for_="5m", priority=Priority.P2),
)
RUNBOOKS = {"QueueLong": _runbook, "QueueStuck": _runbook}
OWNER = Owner("queues", "platform")


def test_each_row_reads_its_expression_for_and_priority_from_the_subject() -> None:
    long, stuck = alert_definitions(TABLE, RUNBOOKS, Queue("orders", 100, urgent=True), OWNER)
    assert (long.name, long.expr) == ("QueueLong", 'queue_length{queue="orders"} > 100')
    assert (long.for_, long.priority, long.labels) == ("1m", Priority.P1, {"queue": "orders"})
    assert (long.group, long.team, long.service) == ("queues", "platform", None)
    assert long.summary == "orders is long"
    assert (stuck.for_, stuck.priority, stuck.labels) == ("5m", Priority.P2, {})
    (calm, _) = alert_definitions(TABLE, RUNBOOKS, Queue("mail", 5, urgent=False), OWNER)
    assert (calm.for_, calm.priority) == ("10m", Priority.P3)


def test_a_row_without_a_runbook_is_refused() -> None:
    with pytest.raises(KeyError, match="QueueStuck"):
        alert_definitions(TABLE, {"QueueLong": _runbook}, Queue("q", 1, urgent=False), OWNER)


def test_an_area_takes_every_subject_in_turn_and_its_rows_in_table_order(
    dev_stack: Stack,
) -> None:
    queues = [Queue("a", 1, urgent=False), Queue("b", 2, urgent=True)]
    area = Area(TABLE, RUNBOOKS, lambda _: [(q, OWNER) for q in queues])
    assert [(d.name, d.labels.get("queue")) for d in area(dev_stack)] == [
        ("QueueLong", "a"),
        ("QueueStuck", None),
        ("QueueLong", "b"),
        ("QueueStuck", None),
    ]
