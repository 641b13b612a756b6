"""When Grafana is ready for its content: a check, run in the cluster, that Grafana answers
healthy at the very URL the Grafana provider uses.

The Helm release's wait covers Grafana's pods, not the way to them. In prod the provider talks
to the public ingress host: until the Ingress has an address, external DNS has published it and
cert-manager has issued the certificate, the first `pulumi up` would fail on DNS or x509 errors.
The check is a Job (the Kubernetes provider waits for a Job to complete, and fails the update if
it fails): curl with certificate verification against `<grafana.url>/api/health`, retried until
DNS resolves, the certificate is trusted and Grafana reports its database healthy. Folders and
dashboards wait for it. A new Job, under a new name, checks again whenever Grafana's release or
URL changes.
"""

import hashlib
import json
from dataclasses import dataclass

from o11y.charts import CHARTS
from o11y.conventions import MANAGED_BY
from o11y.helm.grafana import values as grafana_values
from o11y.model.stack import Stack

# The curl image the pinned grafana chart 12.11.1 itself uses (values.yaml,
# `downloadDashboardsImage`), so the check needs no image the platform does not already pull.
CURL_IMAGE = "docker.io/curlimages/curl:8.21.0"
# How long the first deploy may take to publish DNS and issue a certificate (Let's Encrypt
# HTTP-01 usually takes a minute or two; DNS propagation up to the record's TTL).
READY_WITHIN_SECONDS = 900
RETRY_EVERY_SECONDS = 10
# The curl image's non-root user.
CURL_USER = 100


@dataclass(frozen=True)
class ReadinessCheck:
    """A Job that succeeds once `url` answers 2xx with a trusted certificate."""

    name: str
    namespace: str
    url: str
    image: str
    command: tuple[str, ...]
    deadline_seconds: int
    labels: dict[str, str]
    annotations: dict[str, str]


def grafana_readiness(stack: Stack) -> ReadinessCheck:
    url = f"{stack.grafana.url.rstrip('/')}/api/health"
    return ReadinessCheck(
        name=f"grafana-ready-{_release_digest(stack)}",
        namespace=stack.kubernetes.namespace,
        url=url,
        image=CURL_IMAGE,
        command=(
            "curl",
            "--fail",
            "--silent",
            "--show-error",
            "--max-time",
            str(RETRY_EVERY_SECONDS),
            # Every error is retried: DNS not yet published, connection refused, the ingress
            # controller's placeholder certificate, 502/503 while Grafana starts.
            "--retry-all-errors",
            "--retry",
            str(READY_WITHIN_SECONDS // RETRY_EVERY_SECONDS),
            "--retry-delay",
            str(RETRY_EVERY_SECONDS),
            "--retry-max-time",
            str(READY_WITHIN_SECONDS - 60),
            url,
        ),
        deadline_seconds=READY_WITHIN_SECONDS,
        labels={**MANAGED_BY, "app.kubernetes.io/name": "grafana-ready"},
        # A failed Job never completes: the next `pulumi up` runs a new one instead of waiting
        # on the old one again (pulumi-kubernetes' await logic).
        annotations={"pulumi.com/replaceUnready": "true"},
    )


def _release_digest(stack: Stack) -> str:
    """Changes with Grafana's chart, values or URL: a new check after every Grafana change."""
    release = {
        "chart": CHARTS["grafana"].version,
        "values": grafana_values(stack),
        "url": stack.grafana.url,
    }
    text = json.dumps(release, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


# The check's container: a few millicores for curl, no privileges, nothing written.
CHECK_RESOURCES = {
    "requests": {"cpu": "10m", "memory": "16Mi"},
    "limits": {"cpu": "100m", "memory": "64Mi"},
}


def readiness_job(check: ReadinessCheck) -> dict[str, object]:
    """The check as the Job components/platform.py creates (rendered under kubernetes/)."""
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": check.name,
            "namespace": check.namespace,
            "labels": dict(check.labels),
            "annotations": dict(check.annotations),
        },
        "spec": {
            "backoffLimit": 0,
            "activeDeadlineSeconds": check.deadline_seconds,
            "template": {
                "metadata": {"labels": dict(check.labels)},
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [
                        {
                            "name": "check",
                            "image": check.image,
                            "command": list(check.command),
                            "resources": CHECK_RESOURCES,
                            "securityContext": {
                                "allowPrivilegeEscalation": False,
                                "readOnlyRootFilesystem": True,
                                "capabilities": {"drop": ["ALL"]},
                            },
                        }
                    ],
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": CURL_USER,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                },
            },
        },
    }
