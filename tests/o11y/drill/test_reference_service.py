"""The reference service keeps the contract: metrics with its names and labels, exemplars,
/health, W3C trace context, JSON logs; and takes the drill's faults."""

import io
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import redirect_stdout
from http.server import ThreadingHTTPServer

import pytest

from o11y.drill.reference_service import FAULTS_PATH, ReferenceService, handler_for

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
TRACEPARENT = f"00-{TRACE_ID}-b7ad6b7169203331-01"


@pytest.fixture
def shop() -> Iterator[str]:
    service = ReferenceService("shop", [("POST", "/cart/:id")], [0.5])
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(service))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _call(
    url: str, method: str = "GET", headers: dict[str, str] | None = None, data: bytes | None = None
) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_a_request_continues_the_callers_trace_and_logs_it(shop: str) -> None:
    out = io.StringIO()
    with redirect_stdout(out):
        status, headers, _ = _call(f"{shop}/cart/42", "POST", {"traceparent": TRACEPARENT}, b"{}")
    assert status == 200
    assert headers["x-trace-id"] == TRACE_ID
    assert headers["traceparent"].startswith(f"00-{TRACE_ID}-")
    (line,) = [json.loads(x) for x in out.getvalue().splitlines()]
    assert (line["level"], line["trace_id"], line["route"], line["status"]) == (
        "info",
        TRACE_ID,
        "/cart/:id",
        200,
    )
    assert len(line["span_id"]) == 16


def test_metrics_use_the_route_template_and_carry_a_trace_exemplar_in_openmetrics(
    shop: str,
) -> None:
    with redirect_stdout(io.StringIO()):
        _call(f"{shop}/cart/7", "POST", {"traceparent": TRACEPARENT}, b"{}")
    _, _, text = _call(f"{shop}/metrics")
    assert 'http_requests_total{route="/cart/:id",method="POST",code="200"} 1\n' in text
    assert 'http_requests_total{route="/cart/:id",method="POST",code="503"} 0\n' in text
    assert (
        'http_request_duration_seconds_bucket{route="/cart/:id",method="POST",le="0.5"} 1\n' in text
    )
    assert "# {" not in text  # no exemplars in the plain text format
    _, headers, om = _call(f"{shop}/metrics", headers={"Accept": "application/openmetrics-text"})
    assert headers["Content-Type"].startswith("application/openmetrics-text")
    assert f'code="200"}} 1 # {{trace_id="{TRACE_ID}"}} 1 ' in om
    assert om.endswith("# EOF\n")


def test_unknown_paths_are_404_and_not_counted(shop: str) -> None:
    assert _call(f"{shop}/nope", "POST", data=b"{}")[0] == 404
    assert "nope" not in _call(f"{shop}/metrics")[2]


def test_faults_fail_requests_and_the_health_check(shop: str) -> None:
    assert _call(f"{shop}/health")[0] == 200
    faults = json.dumps({"error_ratio": 1.0, "healthy": False}).encode()
    with redirect_stdout(io.StringIO()):
        assert _call(f"{shop}{FAULTS_PATH}", "POST", data=faults)[0] == 200
        assert _call(f"{shop}/cart/1", "POST", data=b"{}")[0] == 503
    assert _call(f"{shop}/health")[0] == 503
    assert 'code="503"} 1\n' in _call(f"{shop}/metrics")[2]
