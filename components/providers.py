"""Explicit providers, built from where the stack points; default providers are disabled for
every stack."""

import pulumi
import pulumi_kubernetes as k8s
import pulumi_pagerduty as pagerduty
import pulumiverse_grafana as grafana

from o11y.bundle import Connections
from o11y.model.oncall import PagerDutyRegion

_PAGERDUTY_REGIONS: dict[PagerDutyRegion, str | None] = {"us": None, "eu": "eu"}
# Up to about a minute of retries per Grafana API call.
GRAFANA_RETRIES = 12
GRAFANA_RETRY_WAIT_SECONDS = 5


def kubernetes_provider(
    name: str, connections: Connections, parent: pulumi.Resource
) -> k8s.Provider:
    """Deploys only to the configured kubeconfig context, never the ambient one."""
    return k8s.Provider(
        name,
        context=connections.kubernetes_context,
        namespace=connections.namespace,
        opts=pulumi.ResourceOptions(parent=parent),
    )


def grafana_provider(
    name: str, url: str, admin_password: pulumi.Output[str], parent: pulumi.Resource
) -> grafana.Provider:
    """Talks to the Grafana this stack deploys, as its generated admin. Content waits until
    Grafana answers at this URL (o11y.readiness); the retries cover what is left: a pod
    restarting during a rollout answers 502/503 for a few seconds."""
    return grafana.Provider(
        name,
        url=url,
        auth=pulumi.Output.concat("admin:", admin_password),
        retries=GRAFANA_RETRIES,
        retry_wait=GRAFANA_RETRY_WAIT_SECONDS,
        # The provider's default codes, spelled out: rate limits and server errors.
        retry_status_codes=["429", "5xx"],
        opts=pulumi.ResourceOptions(parent=parent),
    )


def pagerduty_provider(
    name: str, region: PagerDutyRegion, token: pulumi.Output[str], parent: pulumi.Resource
) -> pagerduty.Provider:
    return pagerduty.Provider(
        name,
        token=token,
        # The provider takes "eu" for the EU service region and nothing for the US default.
        service_region=_PAGERDUTY_REGIONS[region],
        opts=pulumi.ResourceOptions(parent=parent),
    )
