"""TLS endpoint alerts: the probe and the certificate expiry, proven by promtool."""

from pathlib import Path

from o11y.alerts.areas import CERTIFICATES
from o11y.alerts.dependencies.certificates import CERT_EXPIRY, DAY, TLS_PROBE_FAILING
from o11y.conventions import METRIC_PROBE_SUCCESS, TLS_ENDPOINT_LABEL
from o11y.model.catalog import TlsEndpoint
from o11y.model.stack import Stack
from o11y.severity import Priority
from tests.o11y.alerts.scenario import Case, Proof, Proofs, area_proofs, prove, series, steady


def _labels(endpoint: TlsEndpoint) -> dict[str, str]:
    return {TLS_ENDPOINT_LABEL: endpoint.name}


def _target(endpoint: TlsEndpoint) -> dict[str, str]:
    return {**_labels(endpoint), "job": "probe/tls", "instance": endpoint.url}


def _probe(endpoint: TlsEndpoint) -> Proof:
    return Proof(
        fires=(
            Case(
                "the probe fails",
                (series(METRIC_PROBE_SUCCESS, _target(endpoint), steady(0, 15)),),
                "10m",
                _labels(endpoint),
            ),
        ),
        silent=(
            Case(
                "the probe succeeds",
                (series(METRIC_PROBE_SUCCESS, _target(endpoint), steady(1, 15)),),
                "10m",
            ),
        ),
    )


def _expiry(endpoint: TlsEndpoint) -> Proof:
    return Proof(
        fires=(
            Case(
                "the certificate expires in 10 days",
                (
                    series(
                        "probe_ssl_earliest_cert_expiry", _target(endpoint), steady(10 * DAY, 90)
                    ),
                ),
                "80m",
                _labels(endpoint),
            ),
        ),
        silent=(
            Case(
                "the certificate expires in 60 days",
                (
                    series(
                        "probe_ssl_earliest_cert_expiry", _target(endpoint), steady(60 * DAY, 90)
                    ),
                ),
                "80m",
            ),
        ),
    )


PROOFS: Proofs[TlsEndpoint] = {TLS_PROBE_FAILING: _probe, CERT_EXPIRY: _expiry}


def test_certificates_expiring_within_30_days_notify_their_team(stack: Stack) -> None:
    certs = [a for a in CERTIFICATES(stack) if a.name == CERT_EXPIRY]
    assert [(c.team, c.priority) for c in certs] == [("core", Priority.P3), ("web", Priority.P3)]
    assert certs[0].expr == (
        'min by (endpoint) (probe_ssl_earliest_cert_expiry{endpoint="api"}) - time() < 30 * 86400'
    )


def test_certificate_alerts_fire_and_stay_silent_in_promtool(
    stack: Stack, promtool: str, tmp_path: Path
) -> None:
    prove(promtool, stack, area_proofs(CERTIFICATES, PROOFS, stack), tmp_path)
