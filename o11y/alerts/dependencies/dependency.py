"""What the dependency tables share: their rule group, query window and labels; and the
subject of the data store tables (postgres, redis, kafka), a data store with the catalog
services that use it."""

from dataclasses import dataclass
from typing import Generic, TypeVar

from o11y.alertdef import Owner
from o11y.conventions import DEPENDENCY_LABEL
from o11y.model.catalog import Kafka, Postgres, Redis
from o11y.model.stack import Stack

GROUP = "dependency-{name}"
WINDOW = "5m"

Store = TypeVar("Store", Postgres, Redis, Kafka)


@dataclass(frozen=True)
class Used(Generic[Store]):
    """A data store of the catalog and the catalog services that use it, in catalog order."""

    store: Store
    users: tuple[str, ...]


def stores(stack: Stack, kind: type[Store]) -> list[tuple[Used[Store], Owner]]:
    """Every data store of one kind in the catalog, with its users; the platform team owns it."""
    return [
        (
            Used(dependency, tuple(s.name for s in stack.services if dependency.name in s.uses)),
            Owner(GROUP.format(name=dependency.name), stack.alerting.platform_team),
        )
        for dependency in stack.dependencies
        if isinstance(dependency, kind)
    ]


def dependency_labels(name: str) -> dict[str, str]:
    return {DEPENDENCY_LABEL: name}
