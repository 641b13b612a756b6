"""Mimir values: zone-aware components one StatefulSet per zone (or spread over nodes), as the
pinned chart renders them, and bucket keys only for the components that read the buckets."""

from pathlib import Path

import pytest

from o11y.helm import mimir
from o11y.helm.mimir import values as mimir_values
from tests.o11y.helm.placement import placement_of, pod_specs
from tests.o11y.helm.stacks import ZONES, prod
from tests.trees import as_dict, as_list, dig


@pytest.mark.parametrize("component", ["ingester", "store_gateway", "alertmanager"])
def test_with_zones_mimirs_zone_aware_components_get_one_zone_each(component: str) -> None:
    spec = as_dict(mimir.values(prod([*ZONES, "eu-west-1d"]))[component])
    replication = as_dict(spec["zoneAwareReplication"])
    assert replication["enabled"] is True
    zones = as_list(replication["zones"])
    assert [dig(z, "name") for z in zones] == ["zone-a", "zone-b", "zone-c", "zone-d"]
    assert [dig(z, "nodeSelector", "topology.kubernetes.io/zone") for z in zones] == [
        *ZONES,
        "eu-west-1d",
    ]
    label = component.replace("_", "-")
    for zone in zones:
        assert (
            dig(
                zone,
                "extraAffinity",
                "podAntiAffinity",
                "requiredDuringSchedulingIgnoredDuringExecution",
                0,
                "labelSelector",
                "matchLabels",
                "app.kubernetes.io/component",
            )
            == label
        )
    assert "affinity" not in spec


@pytest.mark.parametrize("component", ["ingester", "store_gateway", "alertmanager"])
def test_without_zones_mimir_turns_zone_awareness_off_and_spreads_over_nodes(
    component: str,
) -> None:
    spec = as_dict(mimir.values(prod([]))[component])
    assert spec["zoneAwareReplication"] == {"enabled": False}
    assert set(as_dict(spec["affinity"])) == {"podAntiAffinity"}
    assert [dig(c, "topologyKey") for c in as_list(spec["topologySpreadConstraints"])] == [
        "kubernetes.io/hostname"
    ]


def test_mimirs_other_components_are_never_zone_aware_and_spread_over_the_zones() -> None:
    distributor = as_dict(mimir.values(prod(ZONES))["distributor"])
    assert "zoneAwareReplication" not in distributor
    assert "nodeAffinity" in as_dict(distributor["affinity"])


@pytest.mark.parametrize("zones", [ZONES, []], ids=["three zones", "no zones"])
def test_the_rendered_mimir_pods_are_placed_as_our_values_say(
    zones: list[str], tmp_path: Path, pinned_charts: Path, helm: str
) -> None:
    stack = prod(zones)
    ours = mimir.values(stack)
    pods = pod_specs(stack, "mimir", tmp_path, pinned_charts, helm)
    for component in ("ingester", "store_gateway", "alertmanager"):
        spec = as_dict(ours[component])
        name = f"mimir-{component.replace('_', '-')}"
        if zones:
            for i, zone in enumerate(as_list(dig(spec, "zoneAwareReplication", "zones"))):
                assert placement_of(pods[f"{name}-zone-{'abc'[i]}"]) == (
                    dig(zone, "nodeSelector"),
                    dig(zone, "extraAffinity"),
                    spec["topologySpreadConstraints"],
                ), component
            assert name not in pods
        else:
            assert placement_of(pods[name]) == (
                None,
                spec["affinity"],
                spec["topologySpreadConstraints"],
            ), component
    distributor = as_dict(ours["distributor"])
    assert placement_of(pods["mimir-distributor"]) == (
        None,
        distributor["affinity"],
        distributor["topologySpreadConstraints"],
    )


def test_object_storage_keys_go_only_to_the_pods_that_use_the_buckets() -> None:
    keys = frozenset({"object_storage_access_key", "object_storage_secret_key"})
    mimir = mimir_values(prod([]).model_copy(update={"secrets": keys}))
    assert "global" not in mimir
    with_keys = {c for c, v in mimir.items() if isinstance(v, dict) and "extraEnvFrom" in v}
    assert with_keys == {
        "ingester",
        "querier",
        "store_gateway",
        "compactor",
        "ruler",
        "alertmanager",
    }
