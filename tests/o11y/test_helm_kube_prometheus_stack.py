"""kube-prometheus-stack's own rules: reused, except the ones ours replace; routed to a team."""

from o11y.helm.kube_prometheus_stack import values
from o11y.model.stack import Stack
from o11y.rules import DISABLED_DEFAULT_RULES, rule_groups
from tests.trees import dig


def test_the_chart_rules_ours_replace_are_disabled(dev_stack: Stack) -> None:
    default_rules = values(dev_stack)["defaultRules"]
    assert default_rules == {
        "create": True,
        "disabled": {"NodeCPUHighUsage": True, "Watchdog": True},
        "additionalRuleLabels": {"team": "platform"},
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
