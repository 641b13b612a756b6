"""How large the Kubernetes objects the program applies get, on generated catalogs.

    .venv/bin/python benchmarks/object_sizes.py [SERVICES ...]    # default: 8 200 1000

For each size, a production-profile stack with that many generated services (benchmarks/
catalogs.py: two SLOs, three endpoint budgets and two dependencies per service, one team per
ten services, one PagerDuty service per catalog service) is validated and turned into every
object applied outside Helm (o11y.manifests). Printed as a Markdown table: the number of
objects of each kind and the largest one as compact JSON, the form sent to the API server,
next to the limit `check` enforces; the Alertmanager configuration Secret also as Kubernetes
stores it (`data`, base64).
"""

import base64
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.catalogs import write_stack_file  # noqa: E402
from o11y.config import load_offline  # noqa: E402
from o11y.manifests import OBJECT_SIZE_LIMIT, kubernetes_objects, object_size  # noqa: E402
from o11y.routing import alertmanager_yaml  # noqa: E402

# Kind -> column heading.
KINDS = {
    "PrometheusRule": "PrometheusRules",
    "Secret": "Secrets",
    "ServiceMonitor": "ServiceMonitors",
    "Probe": "Probes",
    "NetworkPolicy": "NetworkPolicies",
}
DEFAULT_SIZES = (8, 200, 1000)


def kib(size: int) -> str:
    return f"{size / 1024:.1f} KiB"


def measure(services: int) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="o11y-sizes-") as tmp:
        stack = load_offline(write_stack_file(Path(tmp), "generated", services), ROOT)
    started = time.monotonic()
    objects = kubernetes_objects(stack)
    seconds = time.monotonic() - started
    counts = Counter(str(o["kind"]) for o in objects)
    largest: dict[str, tuple[int, str]] = {}
    for manifest in objects:
        kind, size = str(manifest["kind"]), object_size(manifest)
        metadata = manifest["metadata"]
        assert isinstance(metadata, dict)
        if size > largest.get(kind, (0, ""))[0]:
            largest[kind] = (size, str(metadata["name"]))
    config = alertmanager_yaml(stack).encode("utf-8")
    stored = len(base64.b64encode(config))
    cells = [
        f"{counts[kind]} / {kib(largest[kind][0])}" if kind in largest else "0" for kind in KINDS
    ]
    worst, name = max(largest.values())
    return [
        str(services),
        str(len(objects)),
        *cells,
        f"{kib(len(config))} ({kib(stored)} base64)",
        f"{worst / OBJECT_SIZE_LIMIT:.0%} ({name})",
        f"{seconds:.1f} s",
    ]


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or list(DEFAULT_SIZES)
    header = [
        "services",
        "objects",
        *(f"{heading}: count / largest" for heading in KINDS.values()),
        "Alertmanager config",
        "largest object / limit",
        "build time",
    ]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for services in sizes:
        print("| " + " | ".join(measure(services)) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
