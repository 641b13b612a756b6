"""The prometheus-operator CRDs: a release of their own, upgraded with the chart and never
deleted with it."""

from o11y.helm.operator_crds import values
from tests.o11y.helm.stacks import by_name
from tests.trees import dig


def test_the_operator_crds_are_their_own_release_and_upgraded_with_it() -> None:
    dev = by_name("dev")
    crds = dev["prometheus-operator-crds"]
    # Same operator as kube-prometheus-stack 88.5.3 (appVersion v0.93.1 of both charts).
    assert (crds.chart, crds.version) == ("prometheus-operator-crds", "31.0.1")
    assert crds.values == {"crds": {"annotations": {"helm.sh/resource-policy": "keep"}}}
    assert not crds.protect and crds.depends_on == ()
    # CRDs left by an earlier kube-prometheus-stack install are adopted, not a failed install.
    assert crds.take_ownership
    assert [r.name for r in dev.values() if r.take_ownership] == ["prometheus-operator-crds"]
    assert dig(dev["kube-prometheus-stack"].values, "crds") == {"enabled": False}


def test_uninstalling_the_release_keeps_the_crds() -> None:
    # Deleting the CRDs would delete every ServiceMonitor, Probe and PrometheusRule with them.
    assert dig(values(), "crds", "annotations", "helm.sh/resource-policy") == "keep"
