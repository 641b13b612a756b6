"""Same config, same output: byte for byte, across processes and hash seeds."""

import subprocess
import sys
from pathlib import Path

from o11y.artifacts import render
from o11y.model.stack import Stack

ROOT = Path(__file__).resolve().parents[2]


def tree(directory: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def test_rendering_twice_in_one_process_is_identical(prod_stack: Stack) -> None:
    assert render(prod_stack) == render(prod_stack)


def test_two_processes_with_different_hash_seeds_render_the_same_bytes(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "4242"):
        out = tmp_path / seed
        done = subprocess.run(
            [sys.executable, "-m", "cli", "render", "--stack", "prod", "--out", str(out)],
            cwd=ROOT,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(tree(out))
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) > 100


def test_no_two_generators_write_the_same_file(dev_stack: Stack) -> None:
    areas = {path.split("/", 1)[0] for path in render(dev_stack)}
    assert areas == {"alertmanager", "grafana", "helm", "kubernetes", "prometheus", "runbooks"}
