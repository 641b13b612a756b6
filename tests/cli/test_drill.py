"""`drill` (cli/drill.py): unknown scenarios, missing programs, and an interrupt that stops everything."""

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.run import ROOT, command


def test_drill_names_an_unknown_scenario_and_the_known_ones() -> None:
    done = command("drill", "--stack", "dev", "--only", "flood")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    if "the drill needs" in done.stderr:  # binaries missing: that message comes first
        pytest.skip("the drill's binaries are not installed")
    assert done.stderr.startswith("error: no scenario named 'flood' (known: postgres-down, ")


def test_drill_says_which_binaries_are_missing_and_how_to_install_them(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cli", "drill", "--stack", "dev"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": str(tmp_path)},  # nothing installed
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "prometheus-alertmanager" in done.stderr
    assert "apt-get install -y --no-install-recommends" in done.stderr
    assert "redis-server" in done.stderr


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


@pytest.mark.tools
def test_an_interrupted_drill_stops_every_program_it_started(prometheus_bin: str) -> None:
    arguments = ["drill", "--stack", "dev", "--only", "redis-down", "--baseline", "0"]
    drill = subprocess.Popen(
        [sys.executable, "-m", "cli", *arguments],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        started: set[int] = set()
        # Redis, its exporter, the blackbox exporter, Alertmanager and Prometheus.
        while len(started) < 5 and time.monotonic() < deadline:
            started = _children(drill.pid)
            time.sleep(0.5)
        assert len(started) >= 5, started
        drill.terminate()
        _, stderr = drill.communicate(timeout=60)
    finally:
        drill.kill()
    assert drill.returncode == 130, stderr
    assert "interrupted: every program the drill started is stopped" in stderr
    assert not [pid for pid in started if Path(f"/proc/{pid}").exists()]


# A small project of its own for the broken-file cases: two teams, two services, one stack.
