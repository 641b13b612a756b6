"""Pod placement: spread over nodes, over the stack's zones, or pinned to one zone."""

from o11y.helm.pods import spread_placement, zone_placement
from tests.trees import dig

LABELS = {"app.kubernetes.io/instance": "loki", "app.kubernetes.io/component": "ingester"}
SELECTOR = {"matchLabels": LABELS}


def test_without_zones_pods_spread_over_nodes_only() -> None:
    placement = spread_placement([], LABELS, required=True)
    assert placement.node_selector == {}
    assert placement.affinity == {
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": SELECTOR, "topologyKey": "kubernetes.io/hostname"}
            ]
        }
    }
    assert placement.topology_spread_constraints == [
        {
            "maxSkew": 1,
            "topologyKey": "kubernetes.io/hostname",
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": SELECTOR,
        }
    ]


def test_a_soft_placement_only_prefers_other_nodes() -> None:
    placement = spread_placement([], LABELS, required=False)
    assert placement.affinity == {
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 100,
                    "podAffinityTerm": {
                        "labelSelector": SELECTOR,
                        "topologyKey": "kubernetes.io/hostname",
                    },
                }
            ]
        }
    }


def test_with_zones_pods_run_only_in_them_and_spread_over_them_first() -> None:
    zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    placement = spread_placement(zones, LABELS, required=True)
    assert placement.affinity["nodeAffinity"] == {
        "requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [
                {
                    "matchExpressions": [
                        {"key": "topology.kubernetes.io/zone", "operator": "In", "values": zones}
                    ]
                }
            ]
        }
    }
    assert "podAntiAffinity" in placement.affinity
    # Soft: when a zone is lost its pods must still start in the others.
    assert [
        (dig(c, "topologyKey"), dig(c, "whenUnsatisfiable"))
        for c in placement.topology_spread_constraints
    ] == [
        ("topology.kubernetes.io/zone", "ScheduleAnyway"),
        ("kubernetes.io/hostname", "ScheduleAnyway"),
    ]


def test_a_zones_pods_are_pinned_to_its_nodes() -> None:
    placement = zone_placement("eu-west-1b", LABELS, required=True)
    assert placement.node_selector == {"topology.kubernetes.io/zone": "eu-west-1b"}
    assert "nodeAffinity" not in placement.affinity
    assert placement.affinity == spread_placement([], LABELS, required=True).affinity
