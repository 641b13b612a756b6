"""Programs started on loopback: ready when they answer, stopped by PID when done, their log
shown when they fail to start."""

import sys
from pathlib import Path

import pytest

from o11y.drill.processes import free_port, running, tcp_ready

# A Python listener on a port, standing in for any server program.
LISTEN = (
    "import socket, sys, time\n"
    "s = socket.socket()\n"
    "s.bind(('127.0.0.1', int(sys.argv[1])))\n"
    "s.listen()\n"
    "print('listening', flush=True)\n"
    "time.sleep(60)\n"
)


def test_free_ports_are_never_handed_out_twice() -> None:
    ports = [free_port() for _ in range(20)]
    assert len(set(ports)) == len(ports)


def test_a_program_runs_once_ready_and_is_stopped_when_the_context_ends(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "listener.log"
    with running([sys.executable, "-c", LISTEN, str(port)], log, tcp_ready(port)) as program:
        assert program.running()
        assert tcp_ready(port)()
    assert not program.running()
    assert "listening" in log.read_text()


def test_a_program_that_exits_before_it_is_ready_fails_with_its_log(tmp_path: Path) -> None:
    crash = "import sys; print('no config file'); sys.exit(3)"
    with (
        pytest.raises(RuntimeError, match="no config file"),
        running([sys.executable, "-c", crash], tmp_path / "crash.log", tcp_ready(free_port())),
    ):
        pass
