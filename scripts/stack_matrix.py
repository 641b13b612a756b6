"""The CI matrix: one entry per stack file (`Pulumi.<stack>.yaml`), with where its jobs run.

    python3 scripts/stack_matrix.py >> "$GITHUB_OUTPUT"     # matrix={"include": [...]}

Standard library only: it runs before the project's virtualenv exists. Each entry names:

- `stack`: the stack (and the GitHub environment its deploy job uses);
- `runner`: the runner labels. By default `[self-hosted, o11y-<stack>]`: a runner inside the
  network that reaches the stack's cluster and Grafana URL. The repository variable
  `O11Y_RUNNERS` (JSON, stack -> label or labels) overrides it, e.g. `{"prod": "ubuntu-24.04"}`
  for a cluster whose API server and Grafana ingress are reachable from GitHub's runners;
- `kubeconfig_secret`: the secret holding a base64 kubeconfig for the stack
  (`KUBECONFIG_<STACK>`, upper case, `-` and `.` as `_`). Optional on a self-hosted runner that
  has its own kubeconfig.

Entries come in the order deploys run (one at a time): the stacks the repository variable
`O11Y_STACK_ORDER` lists (JSON, e.g. `["dev", "staging", "prod"]`) in that order, then the
others by name.
"""

import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_STACK_FILE = re.compile(r"^Pulumi\.(?P<stack>[A-Za-z0-9][A-Za-z0-9._-]*)\.yaml$")


def stacks(root: Path) -> list[str]:
    """Every stack of the project, one per `Pulumi.<stack>.yaml`, sorted."""
    names = (_STACK_FILE.match(path.name) for path in root.iterdir() if path.is_file())
    return sorted(match["stack"] for match in names if match)


def kubeconfig_secret(stack: str) -> str:
    return "KUBECONFIG_" + re.sub(r"[^A-Z0-9]", "_", stack.upper())


def runner(stack: str, overrides: dict[str, object]) -> list[str]:
    labels = overrides.get(stack, ["self-hosted", f"o11y-{stack}"])
    if isinstance(labels, str):
        return [labels]
    if isinstance(labels, list) and labels and all(isinstance(x, str) for x in labels):
        return [str(x) for x in labels]
    raise ValueError(f"O11Y_RUNNERS.{stack}: expected a runner label or a list of labels")


def ordered(names: list[str], order_json: str) -> list[str]:
    """`names` with those `order_json` lists first, in its order, then the rest as they are."""
    order = json.loads(order_json) if order_json.strip() else []
    if not isinstance(order, list) or not all(isinstance(n, str) for n in order):
        raise ValueError("O11Y_STACK_ORDER: expected a JSON list of stack names")
    unknown = sorted(set(order) - set(names))
    if unknown:
        raise ValueError(f"O11Y_STACK_ORDER: no stack file for {', '.join(unknown)}")
    return [n for n in order if n in names] + [n for n in names if n not in order]


def matrix(
    root: Path, runners_json: str, order_json: str = ""
) -> dict[str, list[dict[str, object]]]:
    overrides = json.loads(runners_json) if runners_json.strip() else {}
    if not isinstance(overrides, dict):
        raise ValueError("O11Y_RUNNERS: expected a JSON object, stack -> runner labels")
    unknown = sorted(set(overrides) - set(stacks(root)))
    if unknown:
        raise ValueError(f"O11Y_RUNNERS: no stack file for {', '.join(unknown)}")
    return {
        "include": [
            {
                "stack": stack,
                "runner": runner(stack, overrides),
                "kubeconfig_secret": kubeconfig_secret(stack),
            }
            for stack in ordered(stacks(root), order_json)
        ]
    }


def main() -> int:
    try:
        result = matrix(
            ROOT, os.environ.get("O11Y_RUNNERS", ""), os.environ.get("O11Y_STACK_ORDER", "")
        )
    except (ValueError, json.JSONDecodeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print("matrix=" + json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
