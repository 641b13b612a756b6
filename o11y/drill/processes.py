"""Start real programs on loopback ports and always stop them: by PID, bounded in time."""

import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

# How long a program gets to exit after SIGTERM before it is killed.
STOP_TIMEOUT = 5.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def http_ready(url: str) -> Callable[[], bool]:
    """Ready once `url` answers 200."""

    def check() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    return check


def tcp_ready(port: int) -> Callable[[], bool]:
    """Ready once 127.0.0.1:`port` accepts connections."""

    def check() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False

    return check


class Program:
    """One started program: its process, its log, and how to stop or kill it."""

    def __init__(
        self,
        args: Sequence[str],
        log: Path,
        user: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.args = list(args)
        self.log = log
        self._out = log.open("ab")
        self.process = subprocess.Popen(
            self.args,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            user=user,
            env=None if env is None else dict(env),
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def running(self) -> bool:
        return self.process.poll() is None

    def wait_ready(self, ready: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running():
                raise RuntimeError(f"{self.args[0]} exited:\n{self.tail()}")
            if ready():
                return
            time.sleep(0.1)
        raise TimeoutError(f"{self.args[0]} not ready after {timeout:g}s:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        self._out.flush()
        text = self.log.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def kill(self) -> None:
        """SIGKILL, as a crashing or OOM-killed process would end."""
        if self.running():
            self.process.kill()
        self.process.wait(timeout=STOP_TIMEOUT)

    def stop(self) -> None:
        if self.running():
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_TIMEOUT)
        self._out.close()


@contextmanager
def running(
    args: Sequence[str],
    log: Path,
    ready: Callable[[], bool],
    timeout: float = 20,
    user: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Iterator[Program]:
    """Run `args` until the context ends; wait until `ready()` holds."""
    program = Program(args, log, user=user, env=env)
    try:
        program.wait_ready(ready, timeout)
        yield program
    finally:
        program.stop()


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
