"""TLS endpoint alerts: the HTTPS probe fails, the served certificate expires soon.

Metric names are those of the blackbox exporter; each endpoint's team owns its alerts.
"""

from o11y.alertdef import AlertDefinition, TriageQuery
from o11y.alerts.scenario import Case, ProvenAlert, series, steady
from o11y.conventions import METRIC_PROBE_SUCCESS, TLS_ENDPOINT_LABEL, tls_endpoint_selector
from o11y.model.catalog import TlsEndpoint
from o11y.promql import selector
from o11y.severity import Priority

CERT_EXPIRY = "CertificateExpiringSoon"
TLS_PROBE_FAILING = "TlsEndpointProbeFailing"

TLS_GROUP = "tls-endpoints"
# Certificates expiring within 30 days are a P3.
CERT_EXPIRY_DAYS = 30
_DAY = 86400


def certificate_alerts(endpoint: TlsEndpoint) -> list[ProvenAlert]:
    return [_tls_probe(endpoint), _cert_expiry(endpoint)]


def _tls_labels(endpoint: TlsEndpoint) -> dict[str, str]:
    return {TLS_ENDPOINT_LABEL: endpoint.name}


def _tls_target(endpoint: TlsEndpoint) -> dict[str, str]:
    return {TLS_ENDPOINT_LABEL: endpoint.name, "job": "probe/tls", "instance": endpoint.url}


def _tls_probe(endpoint: TlsEndpoint) -> ProvenAlert:
    probe = selector(METRIC_PROBE_SUCCESS, tls_endpoint_selector(endpoint.name))
    definition = AlertDefinition(
        name=TLS_PROBE_FAILING,
        group=TLS_GROUP,
        expr=f"max by ({TLS_ENDPOINT_LABEL}) ({probe}) == 0",
        for_="5m",
        priority=Priority.P2,
        team=endpoint.team,
        labels=_tls_labels(endpoint),
        summary=f"HTTPS probe of {endpoint.url} fails.",
        description=f"The blackbox HTTPS probe of {endpoint.url} has failed for 5 minutes (TLS handshake, DNS or HTTP error).",
        symptom="The public HTTPS endpoint cannot be reached or its TLS handshake fails.",
        impact="Users cannot reach the endpoint; its certificate expiry cannot be measured.",
        triage=(
            TriageQuery(
                "Probe result per phase",
                f"probe_http_duration_seconds{{{tls_endpoint_selector(endpoint.name)}}}",
            ),
            TriageQuery("Probe result", probe),
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
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                "the probe fails",
                (series(METRIC_PROBE_SUCCESS, _tls_target(endpoint), steady(0, 15)),),
                "10m",
                _tls_labels(endpoint),
            ),
        ),
        silent=lambda: (
            Case(
                "the probe succeeds",
                (series(METRIC_PROBE_SUCCESS, _tls_target(endpoint), steady(1, 15)),),
                "10m",
            ),
        ),
    )


def _cert_expiry(endpoint: TlsEndpoint) -> ProvenAlert:
    expiry = selector("probe_ssl_earliest_cert_expiry", tls_endpoint_selector(endpoint.name))
    definition = AlertDefinition(
        name=CERT_EXPIRY,
        group=TLS_GROUP,
        expr=f"min by ({TLS_ENDPOINT_LABEL}) ({expiry}) - time() < {CERT_EXPIRY_DAYS} * {_DAY}",
        for_="1h",
        priority=Priority.P3,
        team=endpoint.team,
        labels=_tls_labels(endpoint),
        summary=f"The certificate of {endpoint.url} expires in less than {CERT_EXPIRY_DAYS} days.",
        description=(
            f"The earliest-expiring certificate in the chain served by {endpoint.url} expires "
            f"within {CERT_EXPIRY_DAYS} days."
        ),
        symptom="A served certificate is close to its expiry date.",
        impact="None yet; when it expires, browsers and API clients refuse the connection.",
        triage=(TriageQuery("Days until expiry", f"({expiry} - time()) / {_DAY}"),),
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
    target = _tls_target(endpoint)
    return ProvenAlert(
        definition,
        fires=lambda: (
            Case(
                "the certificate expires in 10 days",
                (series("probe_ssl_earliest_cert_expiry", target, steady(10 * _DAY, 90)),),
                "80m",
                _tls_labels(endpoint),
            ),
        ),
        silent=lambda: (
            Case(
                "the certificate expires in 60 days",
                (series("probe_ssl_earliest_cert_expiry", target, steady(60 * _DAY, 90)),),
                "80m",
            ),
        ),
    )
