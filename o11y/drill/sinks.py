"""Loopback HTTP stand-ins: a receiver sink (PagerDuty Events API v2, Slack) and a tiny exporter."""

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.trees import as_dict

PAGERDUTY_PATH = "/v2/enqueue"
SLACK_PATH = "/slack"


@dataclass
class Received:
    """Requests a sink got, by path, as decoded JSON bodies (read them with tests.trees)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    bodies: dict[str, list[dict[str, object]]] = field(default_factory=dict)

    def add(self, path: str, body: dict[str, object]) -> None:
        with self.lock:
            self.bodies.setdefault(path, []).append(body)

    def at(self, path: str) -> list[dict[str, object]]:
        with self.lock:
            return list(self.bodies.get(path, []))


class _SinkHandler(BaseHTTPRequestHandler):
    received: Received

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = as_dict(json.loads(self.rfile.read(length) or b"{}"), f"body of POST {self.path}")
        self.received.add(self.path, body)
        if self.path == PAGERDUTY_PATH:
            # What the Events API v2 answers to an accepted event.
            reply = {"status": "success", "message": "Event processed"}
            reply["dedup_key"] = str(body.get("dedup_key", ""))
            self._answer(202, json.dumps(reply).encode(), "application/json")
        else:
            self._answer(200, b"ok", "text/plain")

    def _answer(self, code: int, body: bytes, content_type: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _ExporterHandler(BaseHTTPRequestHandler):
    metrics: Callable[[], str]

    def do_GET(self) -> None:
        body = self.metrics().encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def _serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def receiver_sink() -> Iterator[tuple[int, Received]]:
    """A local server answering like PagerDuty (202) and Slack (200); yields (port, received)."""
    received = Received()
    handler = type("Sink", (_SinkHandler,), {"received": received})
    with _serving(handler) as port:
        yield port, received


@contextmanager
def exporter(metrics: Callable[[], str]) -> Iterator[int]:
    """A local /metrics endpoint serving `metrics()` on every scrape."""
    handler = type("Exporter", (_ExporterHandler,), {"metrics": staticmethod(metrics)})
    with _serving(handler) as port:
        yield port
