"""One lane of the drill on loopback: the real Prometheus and Alertmanager with the stack's
rendered rules and Alertmanager config, the reference service for chosen catalog services,
PostgreSQL and Redis with their exporters, the blackbox exporter with the stack's modules,
node-exporter, Prometheus scraping itself, and the sink standing in for PagerDuty, Slack,
e-mail and the dead man's switch.

The rules are the rendered files, unmodified. The Alertmanager config is the rendered one with
secrets and URLs pointed at the sink; the scrape jobs are the stack's ServiceMonitors and
Probes (o11y/drill/scrape.py). Every process is stopped by PID when the lane ends.
"""

import json
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from o11y.conventions import RELEASE_PROMETHEUS, exporter_release
from o11y.drill.processes import Program, free_port, http_ready, running, tcp_ready
from o11y.drill.reference_service import FAULTS_PATH
from o11y.drill.scrape import Loopback, scrape_configs
from o11y.drill.sinks import PAGERDUTY_PATH, SLACK_PATH, Received, receiver_sink
from o11y.drill.sinks import smtp_sink as start_smtp_sink
from o11y.helm.exporters import blackbox_values
from o11y.model.catalog import Postgres, Redis, Service
from o11y.model.stack import Stack
from o11y.monitors import Json, custom_resources
from o11y.routing import ALERTMANAGER_FILE, SECRETS_DIR, alertmanager_files
from o11y.rules import rule_files

HEARTBEAT_PATH = "/heartbeat"
# Debian and Ubuntu install each PostgreSQL major under its own directory (Debian 12: 15,
# Ubuntu 24.04: 16); the drill runs the newest one the `postgresql` package brought.
POSTGRES_BIN = max(
    Path("/usr/lib/postgresql").glob("*/bin"),
    key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else -1,
    default=Path("/usr/lib/postgresql/15/bin"),
)
# Connections PostgreSQL accepts here: small, so "connections near the limit" is a few sockets.
POSTGRES_MAX_CONNECTIONS = 20
NODE_EXPORTER_JOB = "node-exporter"  # the job kube-prometheus-stack's node-exporter monitor sets
# The job of Prometheus scraping itself: kube-prometheus-stack's self-monitoring ServiceMonitor
# (`prometheus.serviceMonitor.selfMonitor`, on by default) names it after the release's Service.
PROMETHEUS_JOB = f"{RELEASE_PROMETHEUS}-prometheus"

# Debian package of each program the drill runs.
PACKAGES = {
    "prometheus": "prometheus",
    "prometheus-alertmanager": "prometheus-alertmanager",
    "prometheus-blackbox-exporter": "prometheus-blackbox-exporter",
    "prometheus-node-exporter": "prometheus-node-exporter",
    "prometheus-postgres-exporter": "prometheus-postgres-exporter",
    "prometheus-redis-exporter": "prometheus-redis-exporter",
    "redis-server": "redis-server",
    str(POSTGRES_BIN / "postgres"): "postgresql",
}


def missing_programs() -> dict[str, str]:
    """Program -> the Debian package that provides it, for every program not installed."""
    return {
        program: package
        for program, package in PACKAGES.items()
        if shutil.which(program) is None and not Path(program).is_file()
    }


@dataclass
class Lane:
    """What a scenario acts on and reads from while the lane runs."""

    stack: Stack
    prometheus: str
    alertmanager: str
    received: Received
    services: dict[str, int] = field(default_factory=dict)  # catalog service -> its port
    programs: dict[str, Program] = field(default_factory=dict)  # what a scenario may stop
    postgres_port: int | None = None
    connections: list[socket.socket] = field(default_factory=list)

    def set_faults(self, service: str, faults: dict[str, Json]) -> None:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.services[service]}{FAULTS_PATH}",
            data=json.dumps(faults).encode(),
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5):
            pass

    def open_postgres_connections(self, count: int) -> None:
        """Hold `count` idle client connections to the catalog database."""
        assert self.postgres_port is not None
        database = next(d for d in self.stack.dependencies if isinstance(d, Postgres))
        for _ in range(count):
            self.connections.append(postgres_connection(self.postgres_port, database.database))

    def close(self) -> None:
        for connection in self.connections:
            connection.close()
        self.connections.clear()


def postgres_connection(port: int, database: str) -> socket.socket:
    """A connected, authenticated (trust) PostgreSQL session, in protocol 3.0."""
    conn = socket.create_connection(("127.0.0.1", port), timeout=5)
    params = b"".join(
        f"{k}\0{v}\0".encode() for k, v in (("user", "postgres"), ("database", database))
    )
    body = struct.pack("!I", 196608) + params + b"\0"
    conn.sendall(struct.pack("!I", len(body) + 4) + body)
    while True:  # until ReadyForQuery ('Z')
        kind = conn.recv(1)
        (length,) = struct.unpack("!I", _read(conn, 4))
        payload = _read(conn, length - 4)
        if kind == b"E":
            raise RuntimeError(f"PostgreSQL refused a connection: {payload!r}")
        if kind == b"Z":
            return conn


def _read(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise RuntimeError("PostgreSQL closed the connection")
        data += chunk
    return data


def drill_stack(stack: Stack) -> Stack:
    """The stack with every receiver's secret set, so that each notification reaches the sink
    (a stack without PagerDuty or Slack secrets would send them nowhere), and without its
    synthetic flows: they call the services' public paths with real credentials, which no
    loopback lane has (their alerts are listed as not exercised)."""
    secrets = stack.secrets | {"pagerduty_token", "slack_webhook_url", "smtp_password"}
    return stack.model_copy(update={"secrets": frozenset(secrets), "synthetic_flows": []})


def alertmanager_config(stack: Stack, secrets: Path, sink: str, smtp_port: int) -> str:
    """The rendered config with secret files in `secrets` and every URL at the sink."""
    config = yaml.safe_load(alertmanager_files(stack)[ALERTMANAGER_FILE])
    config["global"] = {**(config.get("global") or {}), "pagerduty_url": f"{sink}{PAGERDUTY_PATH}"}
    for receiver in config["receivers"]:
        for settings in receiver.get("pagerduty_configs", []) + receiver.get("slack_configs", []):
            for key in ("routing_key_file", "api_url_file"):
                if key in settings:
                    name = Path(settings[key]).name
                    value = f"drill-{name}" if key == "routing_key_file" else f"{sink}{SLACK_PATH}"
                    (secrets / name).write_text(value)
                    settings[key] = str(secrets / name)
        for settings in receiver.get("email_configs", []):
            settings["smarthost"] = f"127.0.0.1:{smtp_port}"
            settings["require_tls"] = False
            if "auth_password_file" in settings:
                del settings["auth_password_file"]
                del settings["auth_username"]
        for settings in receiver.get("webhook_configs", []):
            settings["url"] = f"{sink}{HEARTBEAT_PATH}"
    text: str = yaml.safe_dump(config, sort_keys=False)
    if SECRETS_DIR in text:
        raise ValueError(f"a secret file under {SECRETS_DIR} was not stood in for")
    return text


def prometheus_config(
    stack: Stack,
    rules: Path,
    alertmanager_port: int,
    loopback: Loopback,
    node_port: int | None,
    prometheus_port: int | None = None,
) -> str:
    interval = stack.platform.scrape_interval
    jobs = scrape_configs(custom_resources(stack), loopback)
    if prometheus_port is not None:
        jobs.append(
            {
                "job_name": PROMETHEUS_JOB,
                "static_configs": [{"targets": [f"127.0.0.1:{prometheus_port}"]}],
            }
        )
    if node_port is not None:
        jobs.append(
            {
                "job_name": NODE_EXPORTER_JOB,
                "static_configs": [{"targets": [f"127.0.0.1:{node_port}"]}],
            }
        )
    config = {
        # As kube-prometheus-stack sets them (o11y/helm/kube_prometheus_stack.py).
        "global": {"scrape_interval": interval, "evaluation_interval": interval},
        "rule_files": [str(rules / "*.yaml")],
        "alerting": {
            "alertmanagers": [{"static_configs": [{"targets": [f"127.0.0.1:{alertmanager_port}"]}]}]
        },
        "scrape_configs": jobs,
    }
    return yaml.safe_dump(config, sort_keys=False)


def service_args(service: Service, port: int) -> list[str]:
    routes = [f"{e.method}:{e.route}" for e in service.endpoints] or ["GET:/"]
    args = [sys.executable, "-m", "o11y.drill.reference_service"]
    args += ["--name", service.name, "--port", str(port)]
    args += [f"--route={r}" for r in routes]
    args += [f"--bucket={b:g}" for b in service.latency_buckets]
    return args


def postgres_ready(port: int) -> Callable[[], bool]:
    """Ready once PostgreSQL accepts sessions (it takes TCP connections while starting up)."""

    def check() -> bool:
        done = subprocess.run(
            [str(POSTGRES_BIN / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)],
            check=False,
            timeout=10,
        )
        return done.returncode == 0

    return check


def start_postgres(stack: Stack, workdir: Path, exits: ExitStack) -> tuple[Program, int, int]:
    """PostgreSQL 15 as the `postgres` user, and postgres_exporter, stopped with `exits`;
    returns PostgreSQL, its port and the exporter's."""
    database = next(d for d in stack.dependencies if isinstance(d, Postgres))
    data = workdir / "postgres"
    data.mkdir()
    shutil.chown(data, "postgres")
    subprocess.run(
        [str(POSTGRES_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"],
        user="postgres",
        check=True,
        capture_output=True,
        timeout=120,
    )
    port, exporter_port = free_port(), free_port()
    log = data / "postgres.log"
    args = [str(POSTGRES_BIN / "postgres"), "-D", str(data), "-p", str(port), "-k", str(data)]
    args += [
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        f"max_connections={POSTGRES_MAX_CONNECTIONS}",
    ]
    server = exits.enter_context(
        running(args, log, postgres_ready(port), timeout=60, user="postgres")
    )
    subprocess.run(
        [
            str(POSTGRES_BIN / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
            database.database,
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    dsn = f"postgresql://postgres@127.0.0.1:{port}/{database.database}?sslmode=disable"
    exits.enter_context(
        running(
            ["prometheus-postgres-exporter", f"--web.listen-address=127.0.0.1:{exporter_port}"],
            workdir / "postgres-exporter.log",
            http_ready(f"http://127.0.0.1:{exporter_port}/metrics"),
            env={"DATA_SOURCE_NAME": dsn, "PATH": "/usr/bin:/bin"},
        )
    )
    return server, port, exporter_port


@dataclass(frozen=True)
class Subjects:
    """What one lane runs besides Prometheus, Alertmanager and the sink."""

    services: tuple[str, ...] = ()
    postgres: bool = False
    redis: bool = False
    node: bool = False


@contextmanager
def lane(stack: Stack, subjects: Subjects) -> Iterator[Lane]:
    """Start everything of one lane; stop all of it, by PID, when the context ends."""
    stack = drill_stack(stack)
    with ExitStack() as exits:
        workdir = Path(exits.enter_context(tempfile.TemporaryDirectory(prefix="o11y-drill-")))
        workdir.chmod(0o755)
        sink_port, received = exits.enter_context(receiver_sink())
        smtp_port = exits.enter_context(start_smtp_sink(received))
        sink = f"http://127.0.0.1:{sink_port}"
        ports: dict[str, int] = {}
        programs: dict[str, Program] = {}

        def start(name: str, args: list[str], ready_path: str, port: int) -> None:
            programs[name] = exits.enter_context(
                running(
                    args,
                    workdir / f"{name}.log",
                    http_ready(f"http://127.0.0.1:{port}{ready_path}"),
                )
            )

        for name in subjects.services:
            port = free_port()
            ports[name] = port
            start(name, service_args(stack.service(name), port), "/health", port)
        postgres_port: int | None = None
        if subjects.postgres:
            database = next(d for d in stack.dependencies if isinstance(d, Postgres))
            server, postgres_port, exporter_port = start_postgres(stack, workdir, exits)
            programs["postgres"] = server
            ports[exporter_release(database.name)] = exporter_port
        if subjects.redis:
            cache = next(d for d in stack.dependencies if isinstance(d, Redis))
            redis_port, exporter_port = free_port(), free_port()
            redis_args = ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1"]
            redis_args += ["--save", "", "--appendonly", "no", "--dir", str(workdir)]
            programs["redis"] = exits.enter_context(
                running(redis_args, workdir / "redis.log", tcp_ready(redis_port))
            )
            exporter_args = [
                "prometheus-redis-exporter",
                f"-redis.addr=redis://127.0.0.1:{redis_port}",
            ]
            exporter_args.append(f"-web.listen-address=127.0.0.1:{exporter_port}")
            start("redis-exporter", exporter_args, "/metrics", exporter_port)
            ports[exporter_release(cache.name)] = exporter_port
        blackbox = workdir / "blackbox.yaml"
        blackbox.write_text(yaml.safe_dump(blackbox_values(stack)["config"]))
        prober = free_port()
        start(
            "blackbox",
            [
                "prometheus-blackbox-exporter",
                f"--config.file={blackbox}",
                f"--web.listen-address=127.0.0.1:{prober}",
            ],
            "/-/healthy",
            prober,
        )
        node_port: int | None = None
        if subjects.node:
            node_port = free_port()
            start(
                "node-exporter",
                ["prometheus-node-exporter", f"--web.listen-address=127.0.0.1:{node_port}"],
                "/metrics",
                node_port,
            )

        secrets = workdir / "secrets"
        secrets.mkdir()
        am_config = workdir / "alertmanager.yaml"
        am_config.write_text(alertmanager_config(stack, secrets, sink, smtp_port))
        rules = workdir / "rules"
        rules.mkdir()
        for path, text in rule_files(stack).items():
            (rules / Path(path).name).write_text(text)
        am_port, prom_port = free_port(), free_port()
        prom_config = workdir / "prometheus.yaml"
        prom_config.write_text(
            prometheus_config(stack, rules, am_port, Loopback(ports, prober), node_port, prom_port)
        )
        alertmanager = f"http://127.0.0.1:{am_port}"
        prometheus = f"http://127.0.0.1:{prom_port}"
        am_args = [
            "prometheus-alertmanager",
            f"--config.file={am_config}",
            f"--storage.path={workdir / 'am-data'}",
            f"--web.listen-address=127.0.0.1:{am_port}",
            "--cluster.listen-address=",  # no gossip port: a single, loopback-only instance
        ]
        prom_args = [
            "prometheus",
            f"--config.file={prom_config}",
            f"--storage.tsdb.path={workdir / 'prom-data'}",
            f"--web.listen-address=127.0.0.1:{prom_port}",
            # Prometheus re-sends firing alerts every resend delay (1m by default); a drill
            # wants Alertmanager to hear of them at the evaluation that fires them.
            "--rules.alert.resend-delay=1s",
        ]
        exits.enter_context(
            running(am_args, workdir / "alertmanager.log", http_ready(f"{alertmanager}/-/ready"))
        )
        exits.enter_context(
            running(
                prom_args,
                workdir / "prometheus.log",
                http_ready(f"{prometheus}/-/ready"),
                timeout=60,
            )
        )
        services = {name: ports[name] for name in subjects.services}
        world = Lane(stack, prometheus, alertmanager, received, services, programs, postgres_port)
        exits.callback(world.close)
        yield world
