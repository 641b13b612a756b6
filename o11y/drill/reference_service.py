"""A small service that keeps every promise of docs/CONTRACT.md: the example to copy when
instrumenting a service, and what the fire drill runs for each catalog service.

    python -m o11y.drill.reference_service --name api-gateway --port 7000 \\
        --route POST:/game/slots/play --bucket 0.5

- `GET /metrics`: `http_requests_total{route,method,code}` and the histogram
  `http_request_duration_seconds{route,method}` (with a bucket at every latency SLO threshold,
  `--bucket`), in the Prometheus text format, or in OpenMetrics with a `trace_id` exemplar on
  each series when the scraper asks for it (`Accept: application/openmetrics-text`).
- `GET /health`: 200 while the service can serve, 503 otherwise.
- Every other request is served on its route template (`route` is the template, never the raw
  path); one JSON log line per request on stdout with `level`, `msg`, `trace_id`, `span_id`,
  `route`, `status`, `duration_ms`.
- W3C trace context: a `traceparent` request header is continued, else a trace starts here;
  the answer carries `traceparent` and `x-trace-id`. Spans go over OTLP (gRPC) when
  `OTEL_EXPORTER_OTLP_ENDPOINT` is set, as the OpenTelemetry SDK reads it.
- `POST /drill/faults` (the fire drill's handle, loopback only): `{"error_ratio": 1.0}` answers
  that share of requests with 503, `{"latency_seconds": 3}` delays every request,
  `{"healthy": false}` fails the health check.
"""

import argparse
import json
import os
import random
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from o11y.conventions import (
    HTTP_CODE_LABEL,
    METRIC_HTTP_DURATION,
    METRIC_HTTP_REQUESTS,
    ROUTE_LABEL,
)
from o11y.model.catalog import DEFAULT_BUCKETS

FAULTS_PATH = "/drill/faults"
HEALTH_PATH = "/health"
METRICS_PATH = "/metrics"
OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8"
TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8"
PROPAGATOR = TraceContextTextMapPropagator()


@dataclass
class Faults:
    error_ratio: float = 0.0
    latency_seconds: float = 0.0
    healthy: bool = True


@dataclass
class Exemplar:
    trace_id: str
    value: float
    at: float


@dataclass
class RequestMetrics:
    """The contract's two request metrics, with the last trace of each series as exemplar."""

    buckets: tuple[float, ...]
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: dict[tuple[str, str, str], float] = field(default_factory=dict)
    request_exemplars: dict[tuple[str, str, str], Exemplar] = field(default_factory=dict)
    counts: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    sums: dict[tuple[str, str], float] = field(default_factory=dict)
    bucket_exemplars: dict[tuple[str, str, int], Exemplar] = field(default_factory=dict)

    def declare(self, route: str, method: str) -> None:
        """Series at 0 from start-up, so the first failure is an increase."""
        with self.lock:
            for code in ("200", "503"):
                self.requests.setdefault((route, method, code), 0.0)
            self.counts.setdefault((route, method), [0.0] * (len(self.buckets) + 1))
            self.sums.setdefault((route, method), 0.0)

    def observe(self, route: str, method: str, code: str, seconds: float, trace_id: str) -> None:
        now = time.time()
        with self.lock:
            key = (route, method, code)
            self.requests[key] = self.requests.get(key, 0.0) + 1
            self.request_exemplars[key] = Exemplar(trace_id, 1.0, now)
            counts = self.counts.setdefault((route, method), [0.0] * (len(self.buckets) + 1))
            index = next((i for i, le in enumerate(self.buckets) if seconds <= le), len(counts) - 1)
            counts[index] += 1
            self.sums[(route, method)] = self.sums.get((route, method), 0.0) + seconds
            self.bucket_exemplars[(route, method, index)] = Exemplar(trace_id, seconds, now)

    def exposition(self, openmetrics: bool) -> str:
        def exemplar(e: Exemplar | None) -> str:
            if not openmetrics or e is None:
                return ""
            return f' # {{trace_id="{e.trace_id}"}} {e.value:.6g} {e.at:.3f}'

        lines = [f"# TYPE {METRIC_HTTP_REQUESTS.removesuffix('_total')} counter"]
        if not openmetrics:
            lines = [f"# TYPE {METRIC_HTTP_REQUESTS} counter"]
        with self.lock:
            for (route, method, code), value in sorted(self.requests.items()):
                labels = f'{ROUTE_LABEL}="{route}",method="{method}",{HTTP_CODE_LABEL}="{code}"'
                lines.append(
                    f"{METRIC_HTTP_REQUESTS}{{{labels}}} {value:g}"
                    + exemplar(self.request_exemplars.get((route, method, code)))
                )
            lines.append(f"# TYPE {METRIC_HTTP_DURATION} histogram")
            for (route, method), counts in sorted(self.counts.items()):
                labels = f'{ROUTE_LABEL}="{route}",method="{method}"'
                cumulative = 0.0
                bounds = [*(f"{le:g}" for le in self.buckets), "+Inf"]
                for index, (le, count) in enumerate(zip(bounds, counts, strict=True)):
                    cumulative += count
                    lines.append(
                        f'{METRIC_HTTP_DURATION}_bucket{{{labels},le="{le}"}} {cumulative:g}'
                        + exemplar(self.bucket_exemplars.get((route, method, index)))
                    )
                lines.append(f"{METRIC_HTTP_DURATION}_sum{{{labels}}} {self.sums[(route, method)]}")
                lines.append(f"{METRIC_HTTP_DURATION}_count{{{labels}}} {cumulative:g}")
        if openmetrics:
            lines.append("# EOF")
        return "\n".join(lines) + "\n"


def log(level: str, msg: str, **fields: object) -> None:
    """One JSON object per line on stdout, as the log collector reads it."""
    record = {"ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "level": level, "msg": msg}
    sys.stdout.write(json.dumps({**record, **fields}) + "\n")
    sys.stdout.flush()


class ReferenceService:
    def __init__(
        self, name: str, routes: Sequence[tuple[str, str]], buckets: Sequence[float]
    ) -> None:
        self.name = name
        self.routes = {(method, route) for method, route in routes}
        self.metrics = RequestMetrics(tuple(sorted(set(buckets))))
        self.faults = Faults()
        for method, route in self.routes:
            self.metrics.declare(route, method)
        provider = TracerProvider(resource=Resource.create({"service.name": name}))
        if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
            from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        self.tracer = provider.get_tracer(__name__)
        self.provider = provider

    def route_of(self, method: str, path: str) -> str | None:
        """The route template serving `path` (`:param` segments match any one segment)."""
        parts = path.split("?", 1)[0].strip("/").split("/")
        for m, route in self.routes:
            template = route.strip("/").split("/")
            if (
                m == method
                and len(template) == len(parts)
                and all(t.startswith(":") or t == p for t, p in zip(template, parts, strict=True))
            ):
                return route
        return None


def handler_for(service: ReferenceService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            if self.path == METRICS_PATH:
                openmetrics = "application/openmetrics-text" in self.headers.get("Accept", "")
                body = service.metrics.exposition(openmetrics).encode()
                self._answer(200, body, OPENMETRICS if openmetrics else TEXT_FORMAT)
            elif self.path == HEALTH_PATH:
                healthy = service.faults.healthy
                self._answer(200 if healthy else 503, b"ok" if healthy else b"unhealthy")
            else:
                self._serve("GET")

        def do_POST(self) -> None:
            if self.path == FAULTS_PATH:
                length = int(self.headers.get("Content-Length", "0"))
                wanted = json.loads(self.rfile.read(length) or b"{}")
                service.faults = Faults(
                    error_ratio=float(wanted.get("error_ratio", 0.0)),
                    latency_seconds=float(wanted.get("latency_seconds", 0.0)),
                    healthy=bool(wanted.get("healthy", True)),
                )
                log("warn", "faults injected", faults=wanted)
                self._answer(200, b"ok")
            else:
                self._serve("POST")

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            if length:
                self.rfile.read(length)
            route = service.route_of(method, self.path)
            if route is None:
                self._answer(404, b"not found")
                return
            started = time.monotonic()
            context = PROPAGATOR.extract(carrier={k.lower(): v for k, v in self.headers.items()})
            with service.tracer.start_as_current_span(
                f"{method} {route}", context=context, kind=SpanKind.SERVER
            ) as span:
                faults = service.faults
                if faults.latency_seconds:
                    time.sleep(faults.latency_seconds)
                failed = random.random() < faults.error_ratio
                status = 503 if failed else 200
                span.set_attribute("http.route", route)
                span.set_attribute("http.response.status_code", status)
                if failed:
                    span.set_status(Status(StatusCode.ERROR))
                ids = span.get_span_context()
                trace_id, span_id = f"{ids.trace_id:032x}", f"{ids.span_id:016x}"
                headers: dict[str, str] = {}
                PROPAGATOR.inject(headers)
                headers["x-trace-id"] = trace_id
                seconds = time.monotonic() - started
                service.metrics.observe(route, method, str(status), seconds, trace_id)
                log(
                    "error" if failed else "info",
                    "request failed" if failed else "request served",
                    trace_id=trace_id,
                    span_id=span_id,
                    route=route,
                    status=status,
                    duration_ms=round(seconds * 1000, 3),
                )
                self._answer(status, b"failed" if failed else b"ok", headers=headers)

        def _answer(
            self,
            code: int,
            body: bytes,
            content_type: str = "text/plain",
            headers: dict[str, str] | None = None,
        ) -> None:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # the JSON request log above is the access log

    return Handler


def parse_route(text: str) -> tuple[str, str]:
    method, _, route = text.partition(":")
    if not route.startswith("/"):
        raise argparse.ArgumentTypeError(f"{text!r}: expected METHOD:/route/template")
    return method.upper(), route


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="reference_service", description=__doc__.split("\n")[0])
    parser.add_argument("--name", required=True, help="the catalog service name")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--route", type=parse_route, action="append", default=[])
    parser.add_argument("--bucket", type=float, action="append", default=[])
    args = parser.parse_args(argv)
    service = ReferenceService(
        args.name, args.route or [("GET", "/")], [*DEFAULT_BUCKETS, *args.bucket]
    )
    server = ThreadingHTTPServer((args.host, args.port), handler_for(service))
    server.daemon_threads = True
    log("info", "listening", service=args.name, port=args.port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        service.provider.shutdown()


if __name__ == "__main__":
    main()
