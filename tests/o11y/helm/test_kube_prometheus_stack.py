"""kube-prometheus-stack values: its own rules reused, except the ones ours replace, routed to a
team; Prometheus selecting everything and writing to Mimir; Alertmanager reading our Secrets."""

import pytest

from o11y import conventions as names
from o11y.helm.kube_prometheus_stack import values
from o11y.model.stack import KubernetesTarget, Stack
from o11y.rules import DISABLED_DEFAULT_RULES, rule_groups
from tests.conftest import load_stack
from tests.o11y.helm.stacks import by_name
from tests.trees import as_dict, dig


def test_the_chart_rules_ours_replace_are_disabled(dev_stack: Stack) -> None:
    default_rules = values(dev_stack)["defaultRules"]
    assert default_rules == {
        "create": True,
        "disabled": {"NodeCPUHighUsage": True, "Watchdog": True},
        "additionalRuleLabels": {"team": "platform"},
        "rules": {
            "etcd": False,
            "kubeControllerManager": False,
            "kubeSchedulerAlerting": False,
            "kubeSchedulerRecording": False,
            "kubeProxy": False,
        },
    }
    ours = {
        rule["alert"]
        for groups in rule_groups(dev_stack).values()
        for group in groups
        for rule in group["rules"]
        if "alert" in rule
    }
    # Each disabled chart rule has a replacement of ours: the Watchdog, and NodeCPUHigh (P3).
    assert {"Watchdog", "NodeCPUHigh"} <= ours
    assert len(DISABLED_DEFAULT_RULES) == 2


def test_prometheus_receives_remote_writes_only_where_no_mimir_takes_them(
    dev_stack: Stack, prod_stack: Stack
) -> None:
    def receiver(stack: Stack) -> object:
        return dig(values(stack), "prometheus", "prometheusSpec", "enableRemoteWriteReceiver")

    assert (receiver(dev_stack), receiver(prod_stack)) == (True, False)


@pytest.mark.parametrize("scrapes", [True, False])
def test_control_plane_scrapes_and_their_rules_follow_the_stack(scrapes: bool) -> None:
    stack = load_stack("prod")
    stack = stack.model_copy(
        update={
            "kubernetes": stack.kubernetes.model_copy(update={"control_plane_metrics": scrapes})
        }
    )
    chart_values = values(stack)
    for component in ("kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy"):
        assert chart_values[component] == {"enabled": scrapes}, component
    rules = as_dict(dig(chart_values, "defaultRules", "rules"))
    assert rules == dict.fromkeys(
        (
            "etcd",
            "kubeControllerManager",
            "kubeSchedulerAlerting",
            "kubeSchedulerRecording",
            "kubeProxy",
        ),
        scrapes,
    )


def test_managed_clusters_are_the_default() -> None:
    assert KubernetesTarget(context="c").control_plane_metrics is False


def test_prometheus_selects_every_monitor_and_rule_and_writes_to_mimir_in_prod() -> None:
    spec = as_dict(
        dig(by_name("prod")["kube-prometheus-stack"].values, "prometheus", "prometheusSpec")
    )
    for kind in ("rule", "serviceMonitor", "podMonitor", "probe", "scrapeConfig"):
        assert spec[f"{kind}SelectorNilUsesHelmValues"] is False
    assert spec["replicas"] == 2
    assert (spec["retention"], spec["retentionSize"]) == ("31d", "90GB")
    assert dig(spec, "remoteWrite", 0, "url") == ("http://mimir-gateway.obs.svc:80/api/v1/push")
    assert dig(spec, "remoteWrite", 0, "headers") == {"X-Scope-OrgID": "default"}
    dev_spec = as_dict(
        dig(by_name("dev")["kube-prometheus-stack"].values, "prometheus", "prometheusSpec")
    )
    assert "remoteWrite" not in dev_spec


def test_alertmanager_reads_the_oncall_secrets_and_the_chart_grafana_is_off() -> None:
    values = by_name("prod")["kube-prometheus-stack"].values
    spec = as_dict(dig(values, "alertmanager", "alertmanagerSpec"))
    assert spec["configSecret"] == names.SECRET_ALERTMANAGER_CONFIG
    assert spec["secrets"] == [names.SECRET_ALERTMANAGER_KEYS]
    assert spec["useExistingSecret"] is True
    assert "config" not in as_dict(values["alertmanager"])
    assert spec["replicas"] == 3
    assert values["grafana"] == {"enabled": False}
    # The chart rules stay on (some replaced, above).
    assert dig(values, "defaultRules", "create") is True
