"""Runbooks of the TLS endpoint alerts (o11y/alerts/dependencies/certificates.py)."""

from o11y.alertdef import Runbook, Runbooks, TriageQuery
from o11y.alerts.dependencies.certificates import (
    CERT_EXPIRY,
    CERT_EXPIRY_DAYS,
    DAY,
    TLS_PROBE_FAILING,
    expiry,
    probe,
)
from o11y.conventions import tls_endpoint_selector
from o11y.model.catalog import TlsEndpoint


def _probe(endpoint: TlsEndpoint) -> Runbook:
    return Runbook(
        summary=f"HTTPS probe of {endpoint.url} fails.",
        description=f"The blackbox HTTPS probe of {endpoint.url} has failed for 5 minutes (TLS handshake, DNS or HTTP error).",
        symptom="The public HTTPS endpoint cannot be reached or its TLS handshake fails.",
        impact="Users cannot reach the endpoint; its certificate expiry cannot be measured.",
        triage=(
            TriageQuery(
                "Probe result per phase",
                f"probe_http_duration_seconds{{{tls_endpoint_selector(endpoint.name)}}}",
            ),
            TriageQuery("Probe result", probe(endpoint)),
        ),
        causes=(
            "An expired or mismatched certificate.",
            "DNS or ingress failure.",
            "The backend behind the ingress is down.",
        ),
        resolution=(
            f"`curl -vI {endpoint.url}` from inside and outside the cluster; fix the failing hop.",
        ),
        related=(CERT_EXPIRY,),
    )


def _expiry(endpoint: TlsEndpoint) -> Runbook:
    return Runbook(
        summary=f"The certificate of {endpoint.url} expires in less than {CERT_EXPIRY_DAYS} days.",
        description=(
            f"The earliest-expiring certificate in the chain served by {endpoint.url} expires "
            f"within {CERT_EXPIRY_DAYS} days."
        ),
        symptom="A served certificate is close to its expiry date.",
        impact="None yet; when it expires, browsers and API clients refuse the connection.",
        triage=(TriageQuery("Days until expiry", f"({expiry(endpoint)} - time()) / {DAY}"),),
        causes=(
            "cert-manager failed to renew (check the Certificate and its CertificateRequest events).",
            "A manually installed certificate nobody renewed.",
        ),
        resolution=(
            "`kubectl get certificate -A` and `kubectl describe` the failing one; fix the issuer or DNS challenge.",
            "Renew and install the certificate manually if it is not managed by cert-manager.",
        ),
        related=(TLS_PROBE_FAILING,),
    )


RUNBOOKS: Runbooks[TlsEndpoint] = {TLS_PROBE_FAILING: _probe, CERT_EXPIRY: _expiry}
