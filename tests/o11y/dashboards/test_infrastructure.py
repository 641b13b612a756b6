"""The infrastructure dashboard: a row per catalog dependency, filtered by namespace."""

from o11y.model.stack import Stack
from tests.o11y.dashboards.shop import (
    by_uid,
    exprs,
    model,
    panels,
    titled,
)
from tests.trees import dicts, dig, text


def test_infrastructure_covers_each_dependency_and_filters_by_namespace(shop: Stack) -> None:
    board = by_uid(shop)["o11y-infrastructure"]
    rows = [p["title"] for p in panels(board) if p["type"] == "row"]
    assert rows == [
        "Kubernetes cluster",
        "Nodes",
        "PostgreSQL orders-db",
        "Redis sessions",
        "Kafka bus",
        "Partner API bank",
    ]
    pending = text(dig(titled(board)["Pods pending or failed"], "targets", 0, "expr"))
    assert 'namespace=~"${namespace}"' in pending
    namespace = next(
        v for v in dicts(dig(model(board), "templating", "list")) if v["name"] == "namespace"
    )
    assert namespace["includeAll"] is True and namespace["allValue"] == ".+"
    assert (
        'sum by (consumergroup, topic) (kafka_consumergroup_lag{dependency="bus",'
        'consumergroup=~"mailer"})'
    ) in exprs(board, "prometheus")
