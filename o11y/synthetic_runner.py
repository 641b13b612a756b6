"""Runs one synthetic flow once and pushes its result to a Prometheus Pushgateway.

Shipped into the cluster as it is (a ConfigMap mounted into a stock Python image, run by a
CronJob): standard library only. Usage:

    python synthetic_runner.py FLOW_JSON PUSHGATEWAY_URL

FLOW_JSON is written by o11y/synthetics.py: {"flow", "steps": [{"name", "method", "url",
"headers", "body", "expect_status", "expect_json", "capture", "always", "timeout_seconds"}]}.
Credentials arrive as environment variables `FLOW_<NAME>` (from a Kubernetes Secret) and
fill `${name}` like captured values. Requests, bodies and credentials are never logged.

Pushed per run (the group `job="synthetic", flow="<flow>"` is replaced as a whole, so the
steps a run skipped disappear): `synthetic_flow_success`, `synthetic_flow_duration_seconds`,
`synthetic_step_success{step}`, `synthetic_step_duration_seconds{step}`. The Pushgateway adds
`push_time_seconds`, which tells that the flow stopped running.
"""

import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

JsonValue: TypeAlias = str | int | float | bool | list["JsonValue"] | dict[str, "JsonValue"] | None

JOB = "synthetic"
CREDENTIAL_ENV_PREFIX = "FLOW_"
VARIABLE = re.compile(r"\$\{([a-z_][a-z0-9_]*)\}")
MISSING = object()


@dataclass(frozen=True)
class Step:
    name: str
    method: str
    url: str
    headers: Mapping[str, str]
    body: str | None
    expect_status: Sequence[int]
    expect_json: Sequence[str]
    capture: Mapping[str, str]
    always: bool
    timeout_seconds: float


@dataclass(frozen=True)
class Flow:
    name: str
    steps: Sequence[Step]


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes


@dataclass
class StepResult:
    step: str
    success: bool
    duration_seconds: float
    reason: str = ""


@dataclass
class FlowResult:
    flow: str
    steps: list[StepResult] = field(default_factory=list)
    duration_seconds: float = 0.0

    @property
    def success(self) -> bool:
        return bool(self.steps) and all(s.success for s in self.steps)


Transport: TypeAlias = Callable[[Step, str, Mapping[str, str], bytes | None], Response]


class StepFailed(Exception):
    """The answer was not what the step expects; the message says why, without the body."""


def parse_flow(text: str) -> Flow:
    raw = json.loads(text)
    steps = [
        Step(
            name=str(s["name"]),
            method=str(s["method"]),
            url=str(s["url"]),
            headers={str(k): str(v) for k, v in s.get("headers", {}).items()},
            body=None if s.get("body") is None else str(s["body"]),
            expect_status=[int(c) for c in s.get("expect_status", [200])],
            expect_json=[str(p) for p in s.get("expect_json", [])],
            capture={str(k): str(v) for k, v in s.get("capture", {}).items()},
            always=bool(s.get("always", False)),
            timeout_seconds=float(s.get("timeout_seconds", 10)),
        )
        for s in raw["steps"]
    ]
    return Flow(name=str(raw["flow"]), steps=steps)


def credentials_from(environ: Mapping[str, str]) -> dict[str, str]:
    """`FLOW_PASSWORD=...` -> {"password": ...}."""
    return {
        key.removeprefix(CREDENTIAL_ENV_PREFIX).lower(): value
        for key, value in environ.items()
        if key.startswith(CREDENTIAL_ENV_PREFIX)
    }


def substitute(text: str, variables: Mapping[str, str], *, quote: bool = False) -> str:
    """`${name}` -> its value; a missing variable raises KeyError. In URLs values are quoted."""

    def value(match: re.Match[str]) -> str:
        found = variables[match.group(1)]
        return urllib.parse.quote(found, safe="") if quote else found

    return VARIABLE.sub(value, text)


def json_field(document: JsonValue, path: str) -> object:
    """The value at a dotted path (`data.items.0.id`), or MISSING."""
    current: object = document
    for part in path.split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return MISSING
    return current


def check_response(step: Step, response: Response) -> dict[str, str]:
    """The captured variables; raises StepFailed when the answer is not the expected one."""
    if response.status not in step.expect_status:
        raise StepFailed(f"status {response.status}, expected {list(step.expect_status)}")
    if not step.expect_json and not step.capture:
        return {}
    try:
        document: JsonValue = json.loads(response.body)
    except ValueError:
        raise StepFailed("the answer is not JSON") from None
    for path in step.expect_json:
        if json_field(document, path) is MISSING:
            raise StepFailed(f"no field {path} in the answer")
    captured: dict[str, str] = {}
    for variable, path in step.capture.items():
        value = json_field(document, path)
        if value is MISSING or value is None:
            raise StepFailed(f"no field {path} to capture as {variable}")
        captured[variable] = value if isinstance(value, str) else json.dumps(value)
    return captured


def http_transport(
    step: Step, url: str, headers: Mapping[str, str], body: bytes | None
) -> Response:
    request = urllib.request.Request(url, data=body, headers=dict(headers), method=step.method)
    try:
        with urllib.request.urlopen(request, timeout=step.timeout_seconds) as answer:
            return Response(status=answer.status, body=answer.read())
    except urllib.error.HTTPError as error:
        return Response(status=error.code, body=error.read())


def run_flow(
    flow: Flow,
    credentials: Mapping[str, str],
    transport: Transport = http_transport,
    clock: Callable[[], float] = time.monotonic,
    log: Callable[[str], None] = print,
) -> FlowResult:
    """Every step in order; after a failure only `always` steps run, if their variables exist."""
    variables = dict(credentials)
    result = FlowResult(flow=flow.name)
    started = clock()
    failed = False
    for step in flow.steps:
        if failed and not step.always:
            continue
        try:
            url = substitute(step.url, variables, quote=True)
            headers = {k: substitute(v, variables) for k, v in step.headers.items()}
            body = None if step.body is None else substitute(step.body, variables).encode()
        except KeyError:
            continue  # a clean-up step for something an earlier step never created
        begin = clock()
        try:
            variables.update(check_response(step, transport(step, url, headers, body)))
            outcome = StepResult(step.name, True, clock() - begin)
        except (StepFailed, OSError) as error:
            outcome = StepResult(
                step.name, False, clock() - begin, str(error) or type(error).__name__
            )
            failed = True
        result.steps.append(outcome)
        log(_log_line(flow.name, outcome))
    result.duration_seconds = clock() - started
    return result


def _log_line(flow: str, outcome: StepResult) -> str:
    line = {
        "level": "info" if outcome.success else "error",
        "flow": flow,
        "step": outcome.step,
        "success": outcome.success,
        "duration_seconds": round(outcome.duration_seconds, 3),
    }
    if outcome.reason:
        line["reason"] = outcome.reason
    return json.dumps(line, sort_keys=True)


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def exposition(result: FlowResult) -> str:
    """The run in the Prometheus text format, as the Pushgateway takes it."""
    lines = [
        "# HELP synthetic_flow_success Whether every step of the last run passed.",
        "# TYPE synthetic_flow_success gauge",
        f"synthetic_flow_success {int(result.success)}",
        "# HELP synthetic_flow_duration_seconds Duration of the last run.",
        "# TYPE synthetic_flow_duration_seconds gauge",
        f"synthetic_flow_duration_seconds {result.duration_seconds:.6f}",
        "# HELP synthetic_step_success Whether the step passed in the last run.",
        "# TYPE synthetic_step_success gauge",
        *(
            f'synthetic_step_success{{step="{_label(s.step)}"}} {int(s.success)}'
            for s in result.steps
        ),
        "# HELP synthetic_step_duration_seconds Response time of the step in the last run.",
        "# TYPE synthetic_step_duration_seconds gauge",
        *(
            f'synthetic_step_duration_seconds{{step="{_label(s.step)}"}} {s.duration_seconds:.6f}'
            for s in result.steps
        ),
    ]
    return "\n".join(lines) + "\n"


def push(result: FlowResult, pushgateway: str, timeout: float = 10) -> None:
    """PUT replaces the flow's whole group: steps a run skipped do not linger."""
    url = f"{pushgateway.rstrip('/')}/metrics/job/{JOB}/flow/{urllib.parse.quote(result.flow, safe='')}"
    request = urllib.request.Request(
        url,
        data=exposition(result).encode(),
        headers={"Content-Type": "text/plain; version=0.0.4"},
        method="PUT",
    )
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        if answer.status // 100 != 2:
            raise OSError(f"pushgateway answered {answer.status}")


def main(argv: Sequence[str], environ: Mapping[str, str]) -> int:
    """0 once the result is pushed, pass or fail: failures are alerted on from the metrics,
    not from failed Jobs. 1 when the result could not be pushed (the flow then goes stale)."""
    if len(argv) != 3:
        print("usage: synthetic_runner.py FLOW_JSON PUSHGATEWAY_URL", file=sys.stderr)
        return 2
    flow = parse_flow(Path(argv[1]).read_text(encoding="utf-8"))
    result = run_flow(flow, credentials_from(environ))
    try:
        push(result, argv[2])
    except OSError as error:
        print(
            json.dumps({"level": "error", "flow": flow.name, "push": str(error)}), file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv, os.environ))
