"""What the command line costs on generated catalogs, next to the Pulumi SDK's own cost.

    .venv/bin/python benchmarks/synthesis.py [SERVICES ...] [--runs N]   # default: 8 100 500

For each size, a production-profile stack with that many generated services (benchmarks/
catalogs.py) is written to a temporary stack file and each command runs in a process of its
own: `plan --json`, `render` and `check` (without charts), and a bare-SDK program that
registers the very resources `plan` lists, with the same inputs, parents and providers, under
the same mocks, and does nothing else: the floor any Pulumi program of that size pays. CPU
seconds are user + system time of the process and its children (os.wait4), the median of
`--runs` alternated runs; peak memory is the largest resident set among them. Printed as a
Markdown table with the ratios plan / bare SDK, render / plan and check / render.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.catalogs import write_stack_file  # noqa: E402

STACK = "generated"
DEFAULT_SIZES = (8, 100, 500)
MODES = ("bare SDK", "plan", "render", "check")


@dataclass(frozen=True)
class Run:
    cpu_seconds: float
    peak_mib: float


def measured(command: Sequence[str]) -> Run:
    """One process's CPU time (user + system, its children included) and peak resident set."""
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {process.returncode}")
    # Linux reports ru_maxrss in KiB.
    return Run(usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def commands(stack_file: Path, out: Path, registrations: Path) -> dict[str, list[str]]:
    cli = [sys.executable, "-m", "cli"]
    stack = ["--stack", STACK, "--config-file", str(stack_file)]
    return {
        "bare SDK": [sys.executable, __file__, "--bare-sdk", str(registrations)],
        "plan": [*cli, "plan", *stack, "--json"],
        "render": [*cli, "render", *stack, "--out", str(out)],
        "check": [*cli, "check", *stack],
    }


def write_registrations(stack_file: Path, path: Path) -> None:
    """What the real program registers for this stack, as JSON for the bare-SDK program."""
    from cli.offline import run_program
    from o11y.config import load_offline, read_stack_file, with_secret_placeholders
    from o11y.model.stack import required_secrets

    raw = read_stack_file(stack_file)
    secrets = required_secrets(load_offline(stack_file, ROOT, STACK))
    registrations = run_program(with_secret_placeholders(raw, secrets), STACK)
    rows = [
        {
            "urn": r.urn,
            "type": r.type,
            "name": r.name,
            "parent": r.parent,
            "custom": r.custom,
            "provider": r.provider.rsplit("::", 1)[0] if r.provider else "",
            "inputs": r.inputs,
        }
        for r in registrations
    ]
    path.write_text(json.dumps(rows), encoding="utf-8")


def bare_sdk(registrations: Path) -> None:
    """Registers every row of `registrations` as a plain resource under the program's mocks.

    Through a subclass of each resource kind, as every provider SDK's classes and every
    component are: Pulumi records where a resource was constructed (a walk of the call stack)
    only when a subclass constructs it, so calling `pulumi.CustomResource` itself would skip
    work no real program skips."""
    import pulumi

    from cli.mocks import record

    class Custom(pulumi.CustomResource):
        def __init__(
            self, t: str, name: str, props: dict[str, object], opts: pulumi.ResourceOptions
        ) -> None:
            super().__init__(t, name, props, opts)

    class Provider(pulumi.ProviderResource):
        def __init__(
            self, package: str, name: str, props: dict[str, object], opts: pulumi.ResourceOptions
        ) -> None:
            super().__init__(package, name, props, opts)

    class Component(pulumi.ComponentResource):
        def __init__(self, t: str, name: str, opts: pulumi.ResourceOptions) -> None:
            super().__init__(t, name, None, opts)

    rows = json.loads(registrations.read_text(encoding="utf-8"))

    def program() -> None:
        created: dict[str, pulumi.Resource] = {}
        for row in rows:
            parent = created.get(row["parent"])
            provider = created.get(row["provider"])
            opts = pulumi.ResourceOptions(
                parent=parent,
                provider=provider if isinstance(provider, pulumi.ProviderResource) else None,
            )
            resource: pulumi.Resource
            if row["type"].startswith("pulumi:providers:"):
                package = row["type"].removeprefix("pulumi:providers:")
                resource = Provider(package, row["name"], row["inputs"], opts)
            elif row["custom"]:
                resource = Custom(row["type"], row["name"], row["inputs"], opts)
            else:
                resource = Component(row["type"], row["name"], opts)
            created[row["urn"]] = resource

    record(program, STACK)


def measure(services: int, runs: int) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="o11y-synthesis-") as tmp:
        directory = Path(tmp)
        stack_file = write_stack_file(directory, STACK, services)
        registrations = directory / "registrations.json"
        # In a process of its own: a child's peak memory starts from its parent's (Linux).
        listed = [sys.executable, __file__, "--registrations", str(stack_file), str(registrations)]
        subprocess.run(listed, cwd=ROOT, check=True)
        resources = len(json.loads(registrations.read_text(encoding="utf-8")))
        to_run = commands(stack_file, directory / "out", registrations)
        results: dict[str, list[Run]] = {mode: [] for mode in MODES}
        # Alternated, so a slow moment of a shared machine does not land on one mode only.
        for _ in range(runs):
            for mode in MODES:
                results[mode].append(measured(to_run[mode]))
    cpu = {mode: statistics.median(r.cpu_seconds for r in results[mode]) for mode in MODES}
    peak = {mode: max(r.peak_mib for r in results[mode]) for mode in MODES}
    return [
        str(services),
        str(resources),
        *(f"{cpu[mode]:.1f} s / {peak[mode]:.0f} MiB" for mode in MODES),
        f"{cpu['plan'] / cpu['bare SDK']:.2f}",
        f"{cpu['render'] / cpu['plan']:.2f}",
        f"{cpu['check'] / cpu['render']:.2f}",
    ]


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/synthesis.py")
    parser.add_argument("sizes", type=int, nargs="*", default=list(DEFAULT_SIZES))
    parser.add_argument("--runs", type=int, default=1, help="runs per mode; the median counts")
    parser.add_argument("--bare-sdk", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--registrations", type=Path, nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.registrations is not None:
        write_registrations(*args.registrations)
        return 0
    if args.bare_sdk is not None:
        bare_sdk(args.bare_sdk)
        return 0
    header = [
        "services",
        "resources",
        *(f"{mode}: CPU / peak memory" for mode in MODES),
        "plan / bare SDK",
        "render / plan",
        "check / render",
    ]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for services in args.sizes:
        print("| " + " | ".join(measure(services, args.runs)) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
