"""Explicit providers, built from the stack; default providers are disabled for every stack."""

import pulumi
import pulumi_kubernetes as k8s
import pulumi_pagerduty as pagerduty
import pulumiverse_grafana as grafana

from o11y.model.stack import Stack

_PAGERDUTY_REGIONS: dict[str, str | None] = {"us": None, "eu": "eu"}
# Up to about a minute of retries per Grafana API call.
GRAFANA_RETRIES = 12
GRAFANA_RETRY_WAIT_SECONDS = 5


def kubernetes_provider(name: str, stack: Stack, parent: pulumi.Resource) -> k8s.Provider:
    """Deploys only to the configured kubeconfig context, never the ambient one."""
    return k8s.Provider(
        name,
        context=stack.kubernetes.context,
        namespace=stack.kubernetes.namespace,
        opts=pulumi.ResourceOptions(parent=parent),
    )


def grafana_provider(
    name: str, stack: Stack, admin_password: pulumi.Output[str], parent: pulumi.Resource
) -> grafana.Provider:
    """Talks to the Grafana this stack deploys, as its generated admin. Content waits until
    Grafana answers at this URL (o11y.readiness); the retries cover what is left: a pod
    restarting during a rollout answers 502/503 for a few seconds."""
    return grafana.Provider(
        name,
        url=stack.grafana.url,
        auth=pulumi.Output.concat("admin:", admin_password),
        retries=GRAFANA_RETRIES,
        retry_wait=GRAFANA_RETRY_WAIT_SECONDS,
        # The provider's default codes, spelled out: rate limits and server errors.
        retry_status_codes=["429", "5xx"],
        opts=pulumi.ResourceOptions(parent=parent),
    )


def pagerduty_provider(
    name: str, stack: Stack, token: pulumi.Output[str], parent: pulumi.Resource
) -> pagerduty.Provider:
    return pagerduty.Provider(
        name,
        token=token,
        # The provider takes "eu" for the EU service region and nothing for the US default.
        service_region=_PAGERDUTY_REGIONS[stack.oncall.pagerduty.region],
        opts=pulumi.ResourceOptions(parent=parent),
    )
