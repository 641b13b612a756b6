"""Run the drill: each scenario in its own lane (o11y/drill/world.py), lanes in parallel,
plus a baseline lane running everything unbroken. Reports, per scenario, which alerts fired,
after how long, where each notification went and which alerts were inhibited.

Lane timing is the stack's own: scrape and evaluation interval, the rules' `for`, the
routes' group_wait. A scenario waits for its alerts up to the longest `for` among them plus
the time a scrape, a probe, an evaluation and a notification group take.
"""

import json
import re
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from o11y.drill.scenarios import (
    LATENCY_FACTOR,
    REQUESTS_PER_SECOND,
    Fault,
    Scenario,
    Subject,
    expected_alerts,
    heartbeats,
    postgres_of,
    redis_of,
    unexercised_alerts,
)
from o11y.drill.sinks import EMAIL_PATH, PAGERDUTY_PATH, SLACK_PATH, Delivery
from o11y.drill.world import HEARTBEAT_PATH, POSTGRES_MAX_CONNECTIONS, Lane, Subjects, lane
from o11y.model.catalog import Service
from o11y.model.stack import Stack
from o11y.model.types import duration_seconds
from o11y.pagerduty import pagerduty_services
from o11y.routing import DEAD_MANS_SWITCH_SECRET
from o11y.rules import alerts_by_file

# Beyond the longest `for`: a scrape and a probe to see the fault, an evaluation, the
# notification group's wait, and slack for a machine shared with other work.
MARGIN_SECONDS = 240
POLL_SECONDS = 1.0
# What can go wrong starting or driving a lane's programs; reported as the lane's problem.
LANE_FAILURES = (OSError, RuntimeError, TimeoutError, subprocess.SubprocessError)
# How long a lane's targets may take to be scraped for the first time (probes every 60s).
SETTLE_SECONDS = 180
# Labels that say what an alert is about; an alert about something a lane does not run is
# not that lane's business.
SUBJECT_LABELS = ("service", "dependency")


@dataclass
class Fired:
    alert: str
    after: float  # seconds from the fault to firing in Prometheus
    labels: dict[str, str]


@dataclass
class Outcome:
    scenario: str
    description: str
    expected: frozenset[str]
    fired: list[Fired] = field(default_factory=list)
    inhibited: set[str] = field(default_factory=set)
    notifications: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.problems


# Set when the user interrupts the drill: every lane stops waiting and cleans up.
INTERRUPTED = threading.Event()


class DrillInterrupted(Exception):
    """The drill was interrupted; raised in each lane so that it stops its programs."""


def pause(seconds: float) -> None:
    if INTERRUPTED.wait(seconds):
        raise DrillInterrupted


def _get(url: str) -> object:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def _alerts(world: Lane) -> list[dict[str, object]]:
    reply = _get(f"{world.prometheus}/api/v1/alerts")
    if not isinstance(reply, dict):
        return []
    data = reply.get("data")
    alerts = data.get("alerts", []) if isinstance(data, dict) else []
    return [a for a in alerts if isinstance(a, dict)]


def _labels(alert: dict[str, object]) -> dict[str, str]:
    labels = alert.get("labels")
    return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}


def _about(labels: dict[str, str], subjects: set[str]) -> bool:
    """Whether an alert concerns something this lane runs (or names no subject at all)."""
    named = [labels[k] for k in SUBJECT_LABELS if k in labels]
    return not named or any(n in subjects for n in named)


def all_targets_up(world: Lane) -> bool:
    reply = _get(f"{world.prometheus}/api/v1/targets?state=active")
    data = reply.get("data") if isinstance(reply, dict) else None
    targets = data.get("activeTargets", []) if isinstance(data, dict) else []
    return bool(targets) and all(isinstance(t, dict) and t.get("health") == "up" for t in targets)


def settle(world: Lane, stack: Stack) -> None:
    """Until every target has been scraped healthy, then one evaluation more: alerts that
    went pending on series not scraped yet (absent()) are inactive again."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while not all_targets_up(world):
        if time.monotonic() > deadline:
            raise TimeoutError(f"targets not all up after {SETTLE_SECONDS}s")
        pause(POLL_SECONDS)
    pause(duration_seconds(stack.platform.scrape_interval) + 5)


def active_alerts(world: Lane, subjects: set[str]) -> dict[str, tuple[str, dict[str, str]]]:
    """alertname -> (state, labels) of this lane's pending or firing alerts."""
    result: dict[str, tuple[str, dict[str, str]]] = {}
    for alert in _alerts(world):
        labels = _labels(alert)
        if _about(labels, subjects):
            state = str(alert.get("state"))
            if result.get(labels["alertname"], ("", {}))[0] != "firing":
                result[labels["alertname"]] = (state, labels)
    return result


def inhibited_alerts(world: Lane) -> set[str]:
    reply = _get(f"{world.alertmanager}/api/v2/alerts?inhibited=true&silenced=false")
    names = set()
    for alert in reply if isinstance(reply, list) else []:
        status = alert.get("status", {}) if isinstance(alert, dict) else {}
        if isinstance(status, dict) and status.get("inhibitedBy"):
            names.add(str(_labels(alert).get("alertname")))
    return names


@dataclass(frozen=True)
class Notification:
    alert: str
    about: str  # the service (or team) it names
    where: str


def notification(stack: Stack, delivery: Delivery) -> Notification | None:
    """What the sink got, read back; None for heartbeats."""
    body = delivery.body
    if delivery.path == PAGERDUTY_PATH:
        keys = {f"drill-{s.routing_key_name}": s.name for s in pagerduty_services(stack)}
        payload = body.get("payload")
        fields = payload if isinstance(payload, dict) else {}
        service = keys.get(str(body.get("routing_key")), "unknown service")
        where = f"PagerDuty '{service}' {body.get('event_action')} ({fields.get('severity')})"
        return Notification(str(fields.get("class")), str(fields.get("source")), where)
    if delivery.path == SLACK_PATH:
        attachments = body.get("attachments")
        first = attachments[0] if isinstance(attachments, list) and attachments else {}
        title = str(first.get("title", "")) if isinstance(first, dict) else ""
        text = str(first.get("text", "")) if isinstance(first, dict) else ""
        about = re.search(r"service=([^\s:]*)", text)
        where = f"Slack {body.get('channel', '?')}" + (
            " (resolved)" if title.startswith("[RESOLVED]") else ""
        )
        return Notification(title.split("] ", 1)[-1], about[1] if about else "", where)
    if delivery.path == EMAIL_PATH:
        to = body.get("to")
        recipients = ", ".join(str(t) for t in to) if isinstance(to, list) else "?"
        return Notification(str(body.get("subject", "")), "", f"e-mail {recipients}")
    return None


def lane_notifications(world: Lane, since: float, fired: dict[str, Fired]) -> list[Notification]:
    """Notifications about the alerts this lane fired (others name what the lane does not run:
    a service missing here is down as far as its rules can tell)."""
    result = []
    for delivery in world.received.since(since):
        note = notification(world.stack, delivery)
        if note is None or note.alert not in fired:
            continue
        service = fired[note.alert].labels.get("service")
        if service is None or note.about in ("", service):
            result.append(note)
    return result


class Traffic:
    """Steady requests to each running service, as users would send them."""

    def __init__(self, world: Lane) -> None:
        self.world = world
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self._send, args=(name,), daemon=True)
            for name in world.services
        ]

    def __enter__(self) -> "Traffic":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=15)

    def _send(self, name: str) -> None:
        service = self.world.stack.service(name)
        endpoints = [(e.method, e.route.replace(":", "")) for e in service.endpoints] or [
            ("GET", "/")
        ]
        port = self.world.services[name]
        index = 0
        while not self.stop.wait(1 / REQUESTS_PER_SECOND):
            method, path = endpoints[index % len(endpoints)]
            index += 1
            threading.Thread(target=_request, args=(port, method, path), daemon=True).start()


def _request(port: int, method: str, path: str) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=b"{}" if method == "POST" else None, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=30):
            pass
    except OSError:
        pass  # a 5xx, a refused connection: what the scenario is about


def subjects_of(stack: Stack, chosen: Scenario, target: Service) -> Subjects:
    if chosen.subject is Subject.POSTGRES:
        return Subjects(postgres=True)
    if chosen.subject is Subject.REDIS:
        return Subjects(redis=True)
    return Subjects(services=(target.name,))


def subject_names(stack: Stack, subjects: Subjects) -> set[str]:
    names = set(subjects.services)
    if subjects.postgres and (db := postgres_of(stack)) is not None:
        names.add(db.name)
    if subjects.redis and (cache := redis_of(stack)) is not None:
        names.add(cache.name)
    return names


def break_it(world: Lane, chosen: Scenario, target: Service) -> None:
    if chosen.fault is Fault.DEPENDENCY_DOWN:
        world.programs["postgres" if chosen.subject is Subject.POSTGRES else "redis"].stop()
    elif chosen.fault is Fault.CONNECTIONS_EXHAUSTED:
        # All but the exporter's own connection and one spare.
        world.open_postgres_connections(POSTGRES_MAX_CONNECTIONS - 2)
    elif chosen.fault is Fault.HEALTH_FAILING:
        world.set_faults(target.name, {"healthy": False})
    elif chosen.fault is Fault.ERROR_STORM:
        world.set_faults(target.name, {"error_ratio": 1.0})
    elif chosen.fault is Fault.LATENCY:
        world.set_faults(
            target.name, {"latency_seconds": target.latency_p99_seconds * LATENCY_FACTOR}
        )
    else:
        world.programs[target.name].kill()


def rule_for_seconds(stack: Stack) -> dict[str, int]:
    return {d.name: duration_seconds(d.for_) for ds in alerts_by_file(stack).values() for d in ds}


def routed_as_the_severity_model_says(
    stack: Stack, fired: list[Fired], notes: list[Notification]
) -> list[str]:
    """Pages reach PagerDuty and the team's Slack; tickets reach Slack only."""
    labels = stack.alerting.severity_labels
    problems = []
    for alert in fired:
        where = [n.where for n in notes if n.alert == alert.alert]
        severity = alert.labels.get("severity")
        paged = any(w.startswith("PagerDuty") for w in where)
        slacked = any(w.startswith("Slack") for w in where)
        if severity == labels.page and not (paged and slacked):
            problems.append(f"{alert.alert} is a page but reached {where or 'nobody'}")
        if severity == labels.ticket and (paged or not slacked):
            problems.append(f"{alert.alert} is a ticket but reached {where or 'nobody'}")
    return problems


def drill_scenario(
    stack: Stack, chosen: Scenario, target: Service, say: Callable[[str], None]
) -> Outcome:
    try:
        return _drill_scenario(stack, chosen, target, say)
    except LANE_FAILURES as error:
        outcome = Outcome(chosen.name, chosen.description, frozenset())
        outcome.problems.append(f"the lane failed: {error}")
        return outcome


def _drill_scenario(
    stack: Stack, chosen: Scenario, target: Service, say: Callable[[str], None]
) -> Outcome:
    expected = expected_alerts(stack, chosen, target)
    outcome = Outcome(chosen.name, chosen.description, expected)
    started = time.monotonic()
    subjects = subjects_of(stack, chosen, target)
    names = subject_names(stack, subjects)
    quiet = heartbeats(stack) | set(unexercised_alerts(stack))
    for_seconds = rule_for_seconds(stack)
    timeout = max(for_seconds.get(a, 0) for a in expected) + MARGIN_SECONDS
    with lane(stack, subjects) as world, Traffic(world):
        # Healthy first: every target scraped, nothing of this lane pending.
        settle(world, stack)
        noisy = {n for n, _ in active_alerts(world, names).items()} - quiet
        if noisy:
            outcome.problems.append(f"active before the fault: {', '.join(sorted(noisy))}")
        say(f"{chosen.name}: breaking it ({chosen.description})")
        broken = time.monotonic()
        break_it(world, chosen, target)
        seen: dict[str, Fired] = {}
        while time.monotonic() - broken < timeout:
            for name, (state, labels) in active_alerts(world, names).items():
                if state == "firing" and name not in seen and name not in quiet:
                    seen[name] = Fired(name, time.monotonic() - broken, labels)
                    say(f"{chosen.name}: {name} fired after {seen[name].after:.0f}s")
            notified = {n.alert for n in lane_notifications(world, broken, seen)}
            if expected <= notified:
                break
            pause(POLL_SECONDS)
        pause(3)  # inhibitions settle, the last notifications arrive
        outcome.inhibited = inhibited_alerts(world) & _names_about(world, names)
        outcome.fired = sorted(seen.values(), key=lambda f: f.after)
        notes = lane_notifications(world, broken, seen)
        outcome.notifications = [f"{n.alert}: {n.where}" for n in notes]
        missing = expected - set(seen)
        if missing:
            outcome.problems.append(f"did not fire within {timeout}s: {', '.join(sorted(missing))}")
        fired_expected = [f for f in outcome.fired if f.alert in expected]
        outcome.problems += routed_as_the_severity_model_says(world.stack, fired_expected, notes)
    outcome.seconds = time.monotonic() - started
    return outcome


def _names_about(world: Lane, subjects: set[str]) -> set[str]:
    return set(active_alerts(world, subjects))


def drill_baseline(stack: Stack, say: Callable[[str], None], seconds: float) -> Outcome:
    """Everything running and unbroken: nothing but heartbeats may fire or be pending."""
    try:
        return _drill_baseline(stack, say, seconds)
    except LANE_FAILURES as error:
        outcome = Outcome("baseline", "everything running, nothing broken", frozenset())
        outcome.problems.append(f"the lane failed: {error}")
        return outcome


def _drill_baseline(stack: Stack, say: Callable[[str], None], seconds: float) -> Outcome:
    outcome = Outcome("baseline", "everything running, nothing broken", frozenset())
    started = time.monotonic()
    subjects = Subjects(
        services=tuple(s.name for s in stack.services),
        postgres=postgres_of(stack) is not None,
        redis=redis_of(stack) is not None,
        node=True,
    )
    names = subject_names(stack, subjects)
    outside = set(unexercised_alerts(stack)) | heartbeats(stack)
    with lane(stack, subjects) as world, Traffic(world):
        settle(world, stack)
        deadline = time.monotonic() + seconds
        active: dict[str, tuple[str, dict[str, str]]] = {}
        while time.monotonic() < deadline:
            active |= active_alerts(world, names)
            pause(POLL_SECONDS * 5)
        for name, (state, labels) in sorted(active.items()):
            if name in outside:
                continue
            outcome.problems.append(f"{name} {state} at baseline ({labels.get('service', '')})")
        outcome.fired = [
            Fired(n, 0.0, labels) for n, (s, labels) in sorted(active.items()) if s == "firing"
        ]
        beats = len(world.received.at(HEARTBEAT_PATH))
        if DEAD_MANS_SWITCH_SECRET in stack.secrets and beats == 0:
            outcome.problems.append("the heartbeat never reached the dead man's switch")
        elif beats:
            outcome.notifications.append(f"heartbeat: the dead man's switch, {beats} time(s)")
    outcome.seconds = time.monotonic() - started
    say(f"baseline: {'clean' if outcome.passed else 'NOT clean'} after {seconds:.0f}s")
    return outcome


def drill(
    stack: Stack,
    scenarios: list[Scenario],
    target: Service,
    lanes: int,
    baseline_seconds: float,
    say: Callable[[str], None],
) -> list[Outcome]:
    """Every chosen scenario (and the baseline, if asked for) in parallel lanes."""
    with ThreadPoolExecutor(max_workers=max(1, lanes)) as pool:
        futures = []
        if baseline_seconds > 0:
            futures.append(pool.submit(drill_baseline, stack, say, baseline_seconds))
        futures += [pool.submit(drill_scenario, stack, s, target, say) for s in scenarios]
        try:
            return [f.result() for f in futures]
        except KeyboardInterrupt:
            INTERRUPTED.set()
            for future in futures:
                future.exception()  # each lane has stopped its programs
            raise
