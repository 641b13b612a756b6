"""Grafana values: how the Deployment rolls over its volume."""

import pytest

from o11y.helm.grafana import deployment_strategy, values
from tests.small_stacks import small_stack
from tests.trees import dig


@pytest.mark.parametrize(
    ("access_modes", "strategy"),
    [
        (("ReadWriteOnce",), "Recreate"),
        (("ReadWriteOncePod",), "Recreate"),
        (("ReadWriteMany",), "RollingUpdate"),
    ],
    ids=[
        "a volume one node mounts is released before the new pod starts",
        "a volume one pod mounts is released before the new pod starts",
        "a volume every node mounts allows a rolling update",
    ],
)
def test_the_strategy_follows_the_volume_access_mode(
    access_modes: tuple[str, ...], strategy: str
) -> None:
    assert deployment_strategy(access_modes) == {"type": strategy}


def test_the_deployment_recreates_its_pod_on_its_read_write_once_volume() -> None:
    grafana = values(small_stack())
    assert dig(grafana, "persistence", "accessModes") == ["ReadWriteOnce"]
    assert dig(grafana, "deploymentStrategy") == {"type": "Recreate"}
