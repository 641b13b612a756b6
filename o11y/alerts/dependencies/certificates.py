"""TLS endpoint alerts: the HTTPS probe fails, the served certificate expires soon.

Metric names are those of the blackbox exporter; each endpoint's team owns its alerts.
Runbooks: o11y/alerts/runbooks/dependencies/certificates.py.
"""

from o11y.alertdef import AlertSpec, Owner
from o11y.conventions import METRIC_PROBE_SUCCESS, TLS_ENDPOINT_LABEL, tls_endpoint_selector
from o11y.model.catalog import TlsEndpoint
from o11y.model.stack import Stack
from o11y.promql import selector
from o11y.severity import Priority

CERT_EXPIRY = "CertificateExpiringSoon"
TLS_PROBE_FAILING = "TlsEndpointProbeFailing"

TLS_GROUP = "tls-endpoints"
# Certificates expiring within 30 days are a P3.
CERT_EXPIRY_DAYS = 30
DAY = 86400


def probe(endpoint: TlsEndpoint) -> str:
    return selector(METRIC_PROBE_SUCCESS, tls_endpoint_selector(endpoint.name))


def expiry(endpoint: TlsEndpoint) -> str:
    return selector("probe_ssl_earliest_cert_expiry", tls_endpoint_selector(endpoint.name))


def _labels(endpoint: TlsEndpoint) -> dict[str, str]:
    return {TLS_ENDPOINT_LABEL: endpoint.name}


ALERTS: tuple[AlertSpec[TlsEndpoint], ...] = (
    AlertSpec(
        TLS_PROBE_FAILING,
        expr=lambda endpoint: f"max by ({TLS_ENDPOINT_LABEL}) ({probe(endpoint)}) == 0",
        for_="5m",
        priority=Priority.P2,
        labels=_labels,
    ),
    AlertSpec(
        CERT_EXPIRY,
        expr=lambda endpoint: (
            f"min by ({TLS_ENDPOINT_LABEL}) ({expiry(endpoint)}) - time() "
            f"< {CERT_EXPIRY_DAYS} * {DAY}"
        ),
        for_="1h",
        priority=Priority.P3,
        labels=_labels,
    ),
)


def subjects(stack: Stack) -> list[tuple[TlsEndpoint, Owner]]:
    """Every TLS endpoint of the catalog; its team owns it."""
    return [(endpoint, Owner(TLS_GROUP, endpoint.team)) for endpoint in stack.tls_endpoints]
