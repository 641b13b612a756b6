"""Loki values: retention by log level, tenants kept apart, volumes of the stack's size, and
ingesters placed per zone (or spread over nodes) as the pinned chart renders them."""

from pathlib import Path

import pytest

from o11y.helm import loki, releases
from tests.o11y.helm.placement import placement_of, pod_specs
from tests.o11y.helm.stacks import ZONES, by_name, prod
from tests.small_stacks import PROD
from tests.trees import as_dict, as_list, dig

# Values key -> workload name suffix of the Loki components that are never zone-aware.
LOKI_COMPONENTS = {
    "distributor": "distributor",
    "querier": "querier",
    "queryFrontend": "query-frontend",
    "indexGateway": "index-gateway",
}


def test_with_zones_loki_ingesters_run_one_statefulset_per_zone_on_its_nodes() -> None:
    ingester = as_dict(loki.values(prod(ZONES))["ingester"])
    assert dig(ingester, "zoneAwareReplication") == {
        "enabled": True,
        "zoneA": {"nodeSelector": {"topology.kubernetes.io/zone": "eu-west-1a"}},
        "zoneB": {"nodeSelector": {"topology.kubernetes.io/zone": "eu-west-1b"}},
        "zoneC": {"nodeSelector": {"topology.kubernetes.io/zone": "eu-west-1c"}},
    }
    # The chart default (hostname spread of every ingester) is replaced by ours.
    assert [dig(c, "topologyKey") for c in as_list(ingester["topologySpreadConstraints"])] == [
        "kubernetes.io/hostname"
    ]


def test_without_zones_loki_ingesters_are_one_statefulset_spread_over_nodes() -> None:
    ingester = as_dict(loki.values(prod([]))["ingester"])
    assert dig(ingester, "zoneAwareReplication") == {"enabled": False}
    assert set(as_dict(ingester["affinity"])) == {"podAntiAffinity"}
    assert dig(
        ingester,
        "affinity",
        "podAntiAffinity",
        "requiredDuringSchedulingIgnoredDuringExecution",
        0,
        "topologyKey",
    ) == ("kubernetes.io/hostname")


@pytest.mark.parametrize("component", ["distributor", "querier", "queryFrontend", "indexGateway"])
def test_with_zones_the_other_loki_components_spread_over_them(component: str) -> None:
    spec = as_dict(loki.values(prod(ZONES))[component])
    assert (
        dig(
            spec,
            "affinity",
            "nodeAffinity",
            "requiredDuringSchedulingIgnoredDuringExecution",
            "nodeSelectorTerms",
            0,
            "matchExpressions",
            0,
            "values",
        )
        == ZONES
    )
    assert dig(spec, "topologySpreadConstraints", 0, "topologyKey") == (
        "topology.kubernetes.io/zone"
    )


@pytest.mark.parametrize("zones", [ZONES, []], ids=["three zones", "no zones"])
def test_the_rendered_loki_pods_are_placed_as_our_values_say(
    zones: list[str], tmp_path: Path, pinned_charts: Path, helm: str
) -> None:
    stack = prod(zones)
    ours = loki.values(stack)
    pods = pod_specs(stack, "loki", tmp_path, pinned_charts, helm)
    for key, component in LOKI_COMPONENTS.items():
        values = as_dict(ours[key])
        assert placement_of(pods[f"loki-{component}"]) == (
            None,
            values["affinity"],
            values["topologySpreadConstraints"],
        ), component
    ingester = as_dict(ours["ingester"])
    if zones:
        for letter, zone in zip("abc", zones, strict=True):
            selector, affinity, spread = placement_of(pods[f"loki-ingester-zone-{letter}"])
            assert selector == {"topology.kubernetes.io/zone": zone}
            assert spread == ingester["topologySpreadConstraints"]
            # The chart's own rule for zone StatefulSets: other zones' ingesters elsewhere.
            assert set(as_dict(affinity)) == {"podAntiAffinity"}
        assert "loki-ingester" not in pods
    else:
        assert placement_of(pods["loki-ingester"]) == (
            None,
            ingester["affinity"],
            ingester["topologySpreadConstraints"],
        )
        assert not [p for p in pods if "zone" in p]


def test_loki_keeps_logs_by_level_and_isolates_tenants() -> None:
    loki = by_name("prod")["loki"].values
    limits = as_dict(dig(loki, "loki", "limits_config"))
    assert limits["retention_stream"] == [
        {"selector": '{level="debug"}', "priority": 1, "period": "3d"},
        {"selector": '{level="error"}', "priority": 1, "period": "90d"},
        {"selector": '{level="info"}', "priority": 1, "period": "7d"},
        {"selector": '{level="warn"}', "priority": 1, "period": "30d"},
    ]
    assert dig(loki, "loki", "compactor", "retention_enabled") is True
    assert dig(loki, "loki", "auth_enabled") is True
    labels = as_list(
        dig(limits, "otlp_config", "resource_attributes", "attributes_config", 0, "attributes")
    )
    assert labels == ["service", "namespace", "level"]
    assert "trace_id" not in labels
    assert loki["deploymentMode"] == "Distributed"
    assert by_name("dev")["loki"].values["deploymentMode"] == "Monolithic"


def test_loki_volumes_have_the_stacks_size() -> None:
    size = "75Gi"
    platform = {**as_dict(PROD["platform"]), "storage": {"loki": size}}
    values = by_name("prod", {"platform": platform})["loki"].values
    # The chart's deprecated `claims` default (10Gi) would win over `size` if left in place.
    assert dig(values, "compactor", "persistence") == {"enabled": True, "size": size, "claims": []}
    assert dig(values, "ingester", "persistence", "claims", 0, "size") == size


def test_the_object_storage_keys_reach_every_loki_pod_through_the_defaults() -> None:
    keys = frozenset({"object_storage_access_key", "object_storage_secret_key"})
    loki = {r.name: r for r in releases(prod([]).model_copy(update={"secrets": keys}))}["loki"]
    assert "global" not in loki.values
    assert dig(loki.values, "defaults", "extraEnvFrom") == [
        {"secretRef": {"name": "object-storage"}}
    ]
