"""Loopback stand-ins for the outside world of Alertmanager: one HTTP server answering like
PagerDuty's Events API v2 (202) and like Slack and webhook receivers (200), an SMTP server
taking e-mail, and a tiny exporter. Every request is recorded with the time it arrived."""

import json
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGERDUTY_PATH = "/v2/enqueue"
SLACK_PATH = "/slack"
EMAIL_PATH = "smtp"


@dataclass(frozen=True)
class Delivery:
    """One notification as the receiving end saw it."""

    path: str
    body: dict[str, object]
    at: float  # time.monotonic() when it arrived


@dataclass
class Received:
    """Requests a sink got, by path, as decoded JSON bodies (e-mails under EMAIL_PATH as
    `{"to": ..., "subject": ...}`)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    deliveries: list[Delivery] = field(default_factory=list)

    def add(self, path: str, body: dict[str, object]) -> None:
        with self.lock:
            self.deliveries.append(Delivery(path, body, time.monotonic()))

    def at(self, path: str) -> list[dict[str, object]]:
        with self.lock:
            return [d.body for d in self.deliveries if d.path == path]

    def since(self, started: float) -> list[Delivery]:
        with self.lock:
            return [d for d in self.deliveries if d.at >= started]


def _object(raw: bytes, where: str) -> dict[str, object]:
    decoded: object = json.loads(raw or b"{}")
    if not isinstance(decoded, dict):
        raise ValueError(f"{where}: expected a JSON object")
    return {str(k): v for k, v in decoded.items()}


class _SinkHandler(BaseHTTPRequestHandler):
    received: Received

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = _object(self.rfile.read(length), f"body of POST {self.path}")
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


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for Alertmanager's client: no STARTTLS, no AUTH."""

    received: Received

    def _say(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self._say("220 drill-sink ESMTP")
        recipients: list[str] = []
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self._say("250 drill-sink")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip(" <>"))
                self._say("250 OK")
            elif verb == "DATA":
                self._say("354 End data with <CR><LF>.<CR><LF>")
                self._read_message(recipients)
                recipients = []
                self._say("250 OK")
            elif verb == "QUIT":
                self._say("221 Bye")
                return
            else:  # MAIL, RSET, NOOP
                self._say("250 OK")

    def _read_message(self, recipients: list[str]) -> None:
        lines: list[bytes] = []
        while (line := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        message = message_from_bytes(b"".join(lines))
        self.received.add(EMAIL_PATH, {"to": recipients, "subject": str(message["Subject"])})


@contextmanager
def _serving(server: socketserver.TCPServer) -> Iterator[int]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _ThreadingTCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@contextmanager
def receiver_sink() -> Iterator[tuple[int, Received]]:
    """A local server answering like PagerDuty (202) and Slack (200); yields (port, received)."""
    received = Received()
    handler = type("Sink", (_SinkHandler,), {"received": received})
    with _serving(ThreadingHTTPServer(("127.0.0.1", 0), handler)) as port:
        yield port, received


@contextmanager
def smtp_sink(received: Received) -> Iterator[int]:
    """A local SMTP server recording each e-mail's recipients and subject; yields its port."""
    handler = type("Smtp", (_SmtpHandler,), {"received": received})
    with _serving(_ThreadingTCPServer(("127.0.0.1", 0), handler)) as port:
        yield port


@contextmanager
def exporter(metrics: Callable[[], str]) -> Iterator[int]:
    """A local /metrics endpoint serving `metrics()` on every scrape."""
    handler = type("Exporter", (_ExporterHandler,), {"metrics": staticmethod(metrics)})
    with _serving(ThreadingHTTPServer(("127.0.0.1", 0), handler)) as port:
        yield port
