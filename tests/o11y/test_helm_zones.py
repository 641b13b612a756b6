"""Zones in Loki's and Mimir's values: zone-aware StatefulSets pinned to the stack's zones, or
none and our spreading over nodes; either way our placement, never the charts' defaults."""

from collections.abc import Sequence
from pathlib import Path

import pytest
import yaml

from o11y.charttemplate import Release, chart_source, template
from o11y.helm import grafana, loki, mimir, releases
from o11y.model.stack import Stack
from tests.small_stacks import PROD, small_stack
from tests.trees import as_dict, as_list, dig, text

ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
# Values key -> workload name suffix of the Loki components that are never zone-aware.
LOKI_COMPONENTS = {
    "distributor": "distributor",
    "querier": "querier",
    "queryFrontend": "query-frontend",
    "indexGateway": "index-gateway",
}


def prod(zones: Sequence[str]) -> Stack:
    return small_stack("prod", {"platform": {**as_dict(PROD["platform"]), "zones": list(zones)}})


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


def pod_specs(
    stack: Stack, name: str, tmp_path: Path, charts: Path, helm: str
) -> dict[str, object]:
    """Workload name -> pod spec, as the pinned chart renders the release's values."""
    (release,) = [r for r in releases(stack) if r.name == name]
    values = tmp_path / f"{name}.values.yaml"
    values.write_text(yaml.safe_dump(release.values), encoding="utf-8")
    chart = chart_source(charts, release.chart, release.version)
    assert chart is not None
    rendered = template(
        helm,
        Release(release.name, release.chart, release.version, release.namespace, values),
        chart,
        stack.kubernetes.version,
    )
    return {
        text(dig(o, "metadata", "name")): dig(o, "spec", "template", "spec")
        for o in rendered
        if o.get("kind") in ("Deployment", "StatefulSet")
    }


def placement_of(pod: object) -> tuple[object, object, object]:
    spec = as_dict(pod)
    return (
        spec.get("nodeSelector"),
        spec.get("affinity"),
        spec.get("topologySpreadConstraints"),
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


def test_the_rendered_grafana_pods_are_placed_as_our_values_say(
    tmp_path: Path, pinned_charts: Path, helm: str
) -> None:
    stack = prod(ZONES)
    ours = grafana.values(stack)
    (pod,) = pod_specs(stack, "grafana", tmp_path, pinned_charts, helm).values()
    assert placement_of(pod) == (None, ours["affinity"], ours["topologySpreadConstraints"])
