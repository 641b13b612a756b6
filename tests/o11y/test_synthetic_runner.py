"""The synthetic flow runner: step logic on a fake transport, then for real against a local
HTTP service, a real Pushgateway and a real Prometheus running the generated rules."""

import json
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
import yaml

from o11y.drill.processes import free_port, http_ready, running, wait_for
from o11y.synthetic_runner import (
    Flow,
    Response,
    Step,
    credentials_from,
    exposition,
    parse_flow,
    run_flow,
)
from o11y.synthetics import RUNNER_SOURCE, recording_groups, runner_spec
from tests.o11y.synthetic_fixtures import ITEM_FLOW, flow_stack, with_flows

SECRET = "s3cret-value"


def _step(name: str, url: str, **changes: object) -> Step:
    fields: dict[str, object] = {
        "name": name,
        "method": "GET",
        "url": url,
        "headers": {},
        "body": None,
        "expect_status": [200],
        "expect_json": [],
        "capture": {},
        "always": False,
        "timeout_seconds": 5.0,
    }
    fields.update(changes)
    return Step(**fields)  # type: ignore[arg-type]


FLOW = Flow(
    "items",
    [
        _step(
            "log-in",
            "http://svc/login",
            method="POST",
            body='{"p": "${password}"}',
            capture={"token": "token"},
        ),
        _step(
            "create",
            "http://svc/items",
            method="POST",
            expect_status=[201],
            capture={"item": "item.id"},
        ),
        _step("verify", "http://svc/items/${item}", expect_json=["item.name"]),
        _step(
            "delete", "http://svc/items/${item}", method="DELETE", expect_status=[204], always=True
        ),
    ],
)


class FakeService:
    """Answers like the item API; `broken` names a step that answers 500."""

    def __init__(self, broken: str = "") -> None:
        self.broken = broken
        self.calls: list[tuple[str, str, str]] = []

    def __call__(
        self, step: Step, url: str, headers: Mapping[str, str], body: bytes | None
    ) -> Response:
        self.calls.append((step.method, url, (body or b"").decode()))
        if step.name == self.broken:
            return Response(500, b"oops")
        answers = {
            "log-in": Response(200, b'{"token": "t-1"}'),
            "create": Response(201, b'{"item": {"id": "a b/7"}}'),
            "verify": Response(200, b'{"item": {"name": "x"}}'),
            "delete": Response(204, b""),
        }
        return answers[step.name]


def _ticks() -> Iterator[float]:
    t = 0.0
    while True:
        yield t
        t += 0.25


def _run(service: FakeService, logs: list[str] | None = None) -> list[tuple[str, bool]]:
    clock = _ticks()
    result = run_flow(
        FLOW,
        {"password": SECRET},
        transport=service,
        clock=lambda: next(clock),
        log=(logs if logs is not None else []).append,
    )
    return [(s.step, s.success) for s in result.steps]


def test_a_passing_flow_carries_captured_values_and_credentials_forward() -> None:
    service = FakeService()
    assert _run(service) == [("log-in", True), ("create", True), ("verify", True), ("delete", True)]
    assert service.calls[0] == ("POST", "http://svc/login", '{"p": "s3cret-value"}')
    # Captured values are quoted into URLs.
    assert service.calls[2][1] == "http://svc/items/a%20b%2F7"


def test_after_a_failed_step_only_the_clean_up_runs() -> None:
    service = FakeService(broken="verify")
    assert _run(service) == [
        ("log-in", True),
        ("create", True),
        ("verify", False),
        ("delete", True),
    ]


def test_a_clean_up_for_something_never_created_is_skipped() -> None:
    service = FakeService(broken="create")
    assert _run(service) == [("log-in", True), ("create", False)]
    assert [c[1] for c in service.calls] == ["http://svc/login", "http://svc/items"]


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (Response(404, b""), "status 404, expected [200]"),
        (Response(200, b"<html>"), "the answer is not JSON"),
        (Response(200, b'{"item": {}}'), "no field item.name in the answer"),
    ],
)
def test_a_wrong_answer_fails_the_step_with_its_reason(answer: Response, reason: str) -> None:
    flow = Flow("one", [_step("verify", "http://svc/items/1", expect_json=["item.name"])])
    result = run_flow(flow, {}, transport=lambda *_: answer, log=lambda _: None)
    assert [(s.success, s.reason) for s in result.steps] == [(False, reason)]
    assert not result.success


def test_log_lines_are_json_and_never_carry_credentials_or_bodies() -> None:
    logs: list[str] = []
    _run(FakeService(broken="verify"), logs)
    parsed = [json.loads(line) for line in logs]
    assert parsed[2] == {
        "level": "error",
        "flow": "items",
        "step": "verify",
        "success": False,
        "duration_seconds": 0.25,
        "reason": "status 500, expected [200]",
    }
    assert not any(SECRET in line or "t-1" in line for line in logs)


def test_the_pushed_text_has_flow_and_step_results() -> None:
    clock = _ticks()
    result = run_flow(
        FLOW,
        {},
        transport=FakeService(broken="verify"),
        clock=lambda: next(clock),
        log=lambda _: None,
    )
    text = exposition(result)
    assert "synthetic_flow_success 0\n" in text
    assert 'synthetic_step_success{step="verify"} 0\n' in text
    assert 'synthetic_step_success{step="delete"} 1\n' in text
    assert 'synthetic_step_duration_seconds{step="create"} 0.250000\n' in text


def test_credentials_come_from_flow_environment_variables() -> None:
    assert credentials_from({"FLOW_PASSWORD": "p", "FLOW_USER": "u", "HOME": "/"}) == {
        "password": "p",
        "user": "u",
    }


# For real ---------------------------------------------------------------------------------


class ItemApi(BaseHTTPRequestHandler):
    """Log in, create, read and delete items; `/broken/` paths lose every item's name."""

    items: ClassVar[dict[str, dict[str, str]]] = {}
    created: ClassVar[list[str]] = []
    deleted: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self, status: int, document: object = None) -> None:
        body = b"" if document is None else json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _authorized(self) -> bool:
        return self.headers.get("Authorization") == "Bearer token-42"

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        path = urllib.parse.urlparse(self.path).path
        if path.endswith("/login"):
            if body == {"user": "robot", "password": SECRET}:
                self._answer(200, {"token": "token-42"})
            else:
                self._answer(401, {"error": "bad credentials"})
        elif path.endswith("/items") and self._authorized():
            item = f"item-{len(self.created) + 1}"
            self.created.append(item)
            self.items[item] = {"id": item, "name": "n"}
            self._answer(201, {"item": {"id": item}})
        else:
            self._answer(404)

    def do_GET(self) -> None:
        item = self.path.rsplit("/", 1)[-1]
        if item in self.items and self._authorized():
            found = dict(self.items[item])
            if self.path.startswith("/broken/"):
                del found["name"]
            self._answer(200, {"item": found})
        else:
            self._answer(404)

    def do_DELETE(self) -> None:
        item = self.path.rsplit("/", 1)[-1]
        if self.items.pop(item, None) is not None and self._authorized():
            self.deleted.append(item)
            self._answer(204)
        else:
            self._answer(404)


def _flow_at(base: str, name: str, verify_prefix: str = "") -> dict[str, object]:
    steps = json.loads(json.dumps(ITEM_FLOW["steps"]))
    for step in steps:
        path = step["url"].removeprefix("http://127.0.0.1:1")
        if step["name"] == "verify":
            path = verify_prefix + path
        step["url"] = base + path
    return {**ITEM_FLOW, "name": name, "steps": steps}


def _query(prometheus: str, expr: str) -> list[dict[str, object]]:
    url = f"{prometheus}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(url, timeout=5) as answer:
        found: list[dict[str, object]] = json.loads(answer.read())["data"]["result"]
    return found


def _values(prometheus: str, expr: str, label: str) -> dict[str, float]:
    return {
        str(r["metric"][label]): float(r["value"][1])  # type: ignore[index]
        for r in _query(prometheus, expr)
    }


def test_runs_are_pushed_and_read_by_a_real_prometheus_with_the_generated_rules(
    prometheus_bin: str, pushgateway_bin: str, tmp_path: Path
) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), ItemApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    stack = with_flows(
        flow_stack(), _flow_at(base, "items-ok"), _flow_at(base, "items-broken", "/broken")
    )
    push_port, prom_port = free_port(), free_port()
    pushgateway = f"http://127.0.0.1:{push_port}"
    prometheus = f"http://127.0.0.1:{prom_port}"
    (tmp_path / "rules.yaml").write_text(
        yaml.safe_dump({"groups": recording_groups(stack)[:1]}), encoding="utf-8"
    )
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(tmp_path / "rules.yaml")],
        "scrape_configs": [
            {
                "job_name": "synthetic-pushgateway",
                "honor_labels": True,
                "static_configs": [{"targets": [f"127.0.0.1:{push_port}"]}],
            }
        ],
    }
    (tmp_path / "prometheus.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    with ExitStack() as stack_of_processes:
        stack_of_processes.callback(server.shutdown)
        stack_of_processes.enter_context(
            running(
                [pushgateway_bin, f"--web.listen-address=127.0.0.1:{push_port}"],
                tmp_path / "pushgateway.log",
                http_ready(f"{pushgateway}/-/ready"),
            )
        )
        stack_of_processes.enter_context(
            running(
                [
                    prometheus_bin,
                    f"--config.file={tmp_path / 'prometheus.yaml'}",
                    f"--storage.tsdb.path={tmp_path / 'prom-data'}",
                    f"--web.listen-address=127.0.0.1:{prom_port}",
                ],
                tmp_path / "prometheus.log",
                http_ready(f"{prometheus}/-/ready"),
            )
        )
        for flow in stack.synthetic_flows:
            spec = tmp_path / f"{flow.name}.json"
            spec.write_text(runner_spec(stack, flow), encoding="utf-8")
            done = subprocess.run(
                [sys.executable, "-I", str(RUNNER_SOURCE), str(spec), pushgateway],
                env={"FLOW_USER": "robot", "FLOW_PASSWORD": SECRET},
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert done.returncode == 0, done.stderr
            assert SECRET not in done.stdout + done.stderr

        def recorded() -> bool:
            return len(_query(prometheus, "flow:synthetic_success:last")) == 2

        wait_for(recorded, 30, "the per-flow records")
        assert _values(prometheus, "flow:synthetic_success:last", "flow") == {
            "items-ok": 1,
            "items-broken": 0,
        }
        assert _values(prometheus, "flow:synthetic_step_errors:ratio", "flow") == {
            "items-ok": 0,
            "items-broken": 0.25,
        }
        broken_steps = 'synthetic_step_success{job="synthetic",flow="items-broken"}'
        assert _values(prometheus, broken_steps, "step") == {
            "log-in": 1,
            "create": 1,
            "verify": 0,
            "delete": 1,
        }
        assert _query(prometheus, 'push_time_seconds{job="synthetic",flow="items-ok"}')
        # Both flows cleaned up after themselves, the broken one too.
        assert sorted(ItemApi.deleted) == ["item-1", "item-2"]
        assert ItemApi.items == {}


def test_the_runner_is_standard_library_only() -> None:
    imported = [
        line.split()[1].split(".")[0]
        for line in RUNNER_SOURCE.read_text(encoding="utf-8").splitlines()
        if line.startswith(("import ", "from "))
    ]
    assert set(imported) <= set(sys.stdlib_module_names)


def test_a_spec_round_trips_through_the_runner() -> None:
    stack = with_flows(flow_stack(), ITEM_FLOW)
    flow = parse_flow(runner_spec(stack, stack.synthetic_flows[0]))
    assert flow.steps[0].body == '{"user": "${user}", "password": "${password}"}'
