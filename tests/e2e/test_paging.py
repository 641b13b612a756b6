"""End to end on loopback: an outage of one catalog service pages once through PagerDuty,
the ticket for the same SLO is inhibited, the heartbeat reaches the dead man's switch, and the
page resolves when the service recovers.

Real Debian binaries (/usr/bin/prometheus 2.42, /usr/bin/prometheus-alertmanager 0.25) run the
product's rendered rules (every file of `o11y.rules.rule_files`, unmodified) and its rendered
Alertmanager config, rewritten only in paths and URLs: secret files point into tmp_path (fake
keys), PagerDuty's URL and the Slack webhook point at a local sink. Notification timings and the
dead man's switch URL are the stack's own settings (`oncall.page/ticket`, and the secret
`dead_mans_switch_url`, passed as the program passes it), set for the test, not by rewriting.

The outage: every request of the service answers 5xx. The alerts that page for it are the
availability SLO's multi-window burn-rate alerts, whose `for` is 0s (the windows do the
debouncing), so no `for` needs shortening; the fast burn is a page (critical), the slow burn a
ticket (high) for the same SLO, which the page must inhibit.
"""

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from o11y.alertdef import AlertDefinition
from o11y.conventions import HTTP_CODE_LABEL, METRIC_HTTP_REQUESTS, ROUTE_LABEL
from o11y.drill.processes import free_port, http_ready, running, wait_for
from o11y.drill.sinks import PAGERDUTY_PATH, SLACK_PATH, Received, exporter, receiver_sink
from o11y.model.oncall import NotificationTiming
from o11y.model.stack import Stack
from o11y.pagerduty import pagerduty_services
from o11y.routing import (
    DEAD_MANS_SWITCH_SECRET,
    SECRETS_DIR,
    SLACK_WEBHOOK_KEY,
    alertmanager_yaml,
)
from o11y.rules import rule_files
from o11y.slo import SLO_ALERT_LABEL, SLO_NAME_LABEL, slo_alerts
from tests.small_stacks import small_stack
from tests.trees import as_list, dig

pytestmark = pytest.mark.tools

SERVICE = "shop"  # availability 99.9% in tests/small_stacks.py
SLO = "availability"
HEARTBEAT_PATH = "/heartbeat"
# Short enough that the whole test stays well under its 90 s budget.
FAST_PAGE = NotificationTiming(group_wait="1s", group_interval="2s", repeat_interval="1h")
# Tickets wait longer than pages (as in the defaults, 1m vs 30s), so the page that inhibits
# them is already in Alertmanager when the ticket group is flushed.
FAST_TICKET = NotificationTiming(group_wait="3s", group_interval="2s", repeat_interval="1h")
# Requests per second the simulated service answers.
RPS = 10.0
# On recovery, a burst of successful requests (retries draining) pushes the error ratio of every
# burn-rate window (5m .. 3d) under its threshold within one scrape. At a constant rate those
# windows would stay above it for minutes to hours: this compresses time, the rules are untouched.
RECOVERY_BURST = 10_000_000.0


def _e2e_stack(sink: str) -> Stack:
    stack = small_stack("prod")
    oncall = stack.oncall.model_copy(
        update={
            "page": FAST_PAGE,
            "ticket": FAST_TICKET,
            "notify": FAST_TICKET,
        }
    )
    secrets = frozenset({"pagerduty_token", SLACK_WEBHOOK_KEY, DEAD_MANS_SWITCH_SECRET})
    return stack.model_copy(update={"secrets": secrets, "oncall": oncall})


def _burn_alert(stack: Stack, kind: str) -> AlertDefinition:
    """The service's availability burn-rate alert of one kind (page or ticket)."""
    (found,) = [
        a
        for a in slo_alerts(stack)
        if a.service == SERVICE
        and a.labels.get(SLO_NAME_LABEL) == SLO
        and a.labels.get(SLO_ALERT_LABEL) == kind
    ]
    return found


@dataclass
class Service:
    """The simulated service: its request counters, and whether it fails every request."""

    failing: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    ok: float = 0.0
    errors: float = 0.0
    last: float = field(default_factory=time.monotonic)

    def recover(self) -> None:
        with self.lock:
            self.ok += RECOVERY_BURST
            self.failing.clear()

    def metrics(self) -> str:
        with self.lock:
            now = time.monotonic()
            served = RPS * (now - self.last)
            self.last = now
            if self.failing.is_set():
                self.errors += served
            else:
                self.ok += served
            route = f'{ROUTE_LABEL}="/game/slots/play",method="POST"'
            return (
                f"# TYPE {METRIC_HTTP_REQUESTS} counter\n"
                f'{METRIC_HTTP_REQUESTS}{{{route},{HTTP_CODE_LABEL}="200"}} {self.ok}\n'
                f'{METRIC_HTTP_REQUESTS}{{{route},{HTTP_CODE_LABEL}="503"}} {self.errors}\n'
            )


@dataclass
class World:
    received: Received
    service: Service
    prometheus: str
    alertmanager: str
    routing_key: str
    stack: Stack


def _get(url: str) -> object:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def _prometheus_config(rules_dir: Path, alertmanager_port: int, exporter_port: int) -> str:
    return yaml.safe_dump(
        {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(rules_dir / "*.yaml")],
            "alerting": {
                "alertmanagers": [
                    {"static_configs": [{"targets": [f"127.0.0.1:{alertmanager_port}"]}]}
                ]
            },
            "scrape_configs": [
                {
                    "job_name": SERVICE,
                    # What the service's ServiceMonitor would attach in the cluster.
                    "static_configs": [
                        {
                            "targets": [f"127.0.0.1:{exporter_port}"],
                            "labels": {"service": SERVICE, "namespace": "apps"},
                        }
                    ],
                }
            ],
        }
    )


@pytest.fixture
def world(prometheus_bin: str, alertmanager_bin: str, tmp_path: Path) -> Iterator[World]:
    service = Service()
    with receiver_sink() as (sink_port, received), exporter(service.metrics) as exporter_port:
        sink = f"http://127.0.0.1:{sink_port}"
        stack = _e2e_stack(sink)
        secrets = tmp_path / "secrets"
        secrets.mkdir()
        routing_keys = {s.routing_key_name: f"fake-key-{s.key}" for s in pagerduty_services(stack)}
        for key, value in routing_keys.items():
            (secrets / key).write_text(value)
        (secrets / SLACK_WEBHOOK_KEY).write_text(f"{sink}{SLACK_PATH}")

        # The rendered file as Alertmanager reads it (it expands the shared PagerDuty settings
        # itself), the dead man's switch pointed at the sink; only secret paths and PagerDuty's
        # URL change.
        rendered = alertmanager_yaml(stack, f"{sink}{HEARTBEAT_PATH}")
        assert "<<: *pagerduty" in rendered or "<<: &pagerduty" in rendered
        am_config = tmp_path / "alertmanager.yaml"
        am_config.write_text(
            f"global:\n  pagerduty_url: {sink}{PAGERDUTY_PATH}\n"
            + rendered.replace(SECRETS_DIR, str(secrets))
        )

        rules_dir = tmp_path / "rules"
        rules_dir.mkdir()
        for path, text in rule_files(stack).items():
            (rules_dir / Path(path).name).write_text(text)

        am_port, prom_port = free_port(), free_port()
        prom_config = tmp_path / "prometheus.yaml"
        prom_config.write_text(_prometheus_config(rules_dir, am_port, exporter_port))
        alertmanager = f"http://127.0.0.1:{am_port}"
        prometheus = f"http://127.0.0.1:{prom_port}"
        am_args = [
            alertmanager_bin,
            f"--config.file={am_config}",
            f"--storage.path={tmp_path / 'am-data'}",
            f"--web.listen-address=127.0.0.1:{am_port}",
            "--cluster.listen-address=",  # no gossip port: a single, loopback-only instance
        ]
        prom_args = [
            prometheus_bin,
            f"--config.file={prom_config}",
            f"--storage.tsdb.path={tmp_path / 'prom-data'}",
            f"--web.listen-address=127.0.0.1:{prom_port}",
            # Prometheus drops the alerts of its first evaluation if the Alertmanager list is
            # not synced yet and re-sends firing alerts only every resend delay (1m default).
            "--rules.alert.resend-delay=1s",
        ]
        with (
            running(am_args, tmp_path / "alertmanager.log", http_ready(f"{alertmanager}/-/ready")),
            running(prom_args, tmp_path / "prometheus.log", http_ready(f"{prometheus}/-/ready")),
        ):
            yield World(
                received,
                service,
                prometheus,
                alertmanager,
                routing_keys[f"pagerduty-{SERVICE}"],
                stack,
            )


def _events(world: World, action: str) -> list[dict[str, object]]:
    return [e for e in world.received.at(PAGERDUTY_PATH) if e.get("event_action") == action]


def _firing_in_prometheus(world: World) -> set[str]:
    reply = _get(f"{world.prometheus}/api/v1/alerts")
    assert isinstance(reply, dict)
    return {a["labels"]["alertname"] for a in reply["data"]["alerts"] if a["state"] == "firing"}


def _inhibited_in_alertmanager(world: World) -> set[str]:
    alerts = _get(f"{world.alertmanager}/api/v2/alerts?inhibited=true")
    assert isinstance(alerts, list)
    return {a["labels"]["alertname"] for a in alerts if a["status"]["inhibitedBy"]}


def _scraped_up(world: World) -> bool:
    reply = _get(f"{world.prometheus}/api/v1/query?query=up")
    assert isinstance(reply, dict)
    return any(r["value"][1] == "1" for r in reply["data"]["result"])


def test_an_outage_pages_once_inhibits_the_ticket_and_resolves(world: World) -> None:
    started = time.monotonic()
    page = _burn_alert(world.stack, "page")
    ticket = _burn_alert(world.stack, "ticket")
    wait_for(lambda: _scraped_up(world), 15, "the service scraped healthy")
    time.sleep(2)  # a little healthy history
    assert not _events(world, "trigger"), "paged while healthy"

    world.service.failing.set()
    wait_for(lambda: bool(_events(world, "trigger")), 40, "a PagerDuty trigger event")
    wait_for(lambda: ticket.name in _inhibited_in_alertmanager(world), 10, "ticket inhibited")
    assert {page.name, ticket.name} <= _firing_in_prometheus(world)
    time.sleep(4)  # longer than the ticket's group_wait: a ticket notification would be out

    (trigger,) = _events(world, "trigger")
    assert trigger["routing_key"] == world.routing_key
    payload = trigger["payload"]
    assert isinstance(payload, dict)
    assert payload["severity"] == "critical"
    assert payload["summary"] == page.summary
    assert payload["source"] == SERVICE
    assert payload["class"] == page.name
    assert payload["component"] == SLO
    assert payload["group"] == world.stack.service(SERVICE).team
    links = trigger["links"]
    assert isinstance(links, list)
    runbook = f"{world.stack.alerting.runbook_base_url}/{page.name}.md"
    assert {"href": runbook, "text": "Runbook"} in links
    assert any(link["text"] == "Grafana" for link in links)

    # The page also reaches the team's Slack channel; the ticket reaches nobody.
    slack = json.dumps(world.received.at(SLACK_PATH))
    assert page.name in slack
    assert ticket.name not in slack
    # The Watchdog heartbeat reaches the dead man's switch, and nothing else does.
    heartbeats = world.received.at(HEARTBEAT_PATH)
    assert heartbeats
    alertnames = {dig(a, "labels", "alertname") for h in heartbeats for a in as_list(h["alerts"])}
    assert alertnames == {"Watchdog"}

    world.service.recover()
    wait_for(lambda: bool(_events(world, "resolve")), 40, "a PagerDuty resolve event")
    (resolve,) = _events(world, "resolve")
    assert resolve["dedup_key"] == trigger["dedup_key"]
    assert resolve["routing_key"] == world.routing_key
    assert len(_events(world, "trigger")) == 1
    # The ticket clears with the page. Whether Slack hears of it in the instant both resolve is
    # up to Alertmanager (its inhibitor sees the page resolved before or after the ticket), so
    # the inhibition is asserted above, while the page fires.
    wait_for(
        lambda: not {page.name, ticket.name} & _firing_in_prometheus(world), 10, "both resolved"
    )
    assert time.monotonic() - started < 90
