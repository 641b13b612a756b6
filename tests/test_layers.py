"""Dependencies point one way: cli -> __main__ -> components + stacks -> o11y; the core imports
no Pulumi, and nothing below the command line imports it."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module.split(".")[0])
    return modules


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        (
            "o11y",
            {
                "pulumi",
                "pulumi_kubernetes",
                "pulumi_pagerduty",
                "pulumi_random",
                "pulumiverse_grafana",
                "components",
                "stacks",
                "cli",
            },
        ),
        ("components", {"stacks", "cli"}),
        ("stacks", {"cli"}),
    ],
)
def test_a_layer_does_not_import_the_layers_above_it(package: str, forbidden: set[str]) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_modules(path) & forbidden)
        for path in (ROOT / package).rglob("*.py")
        if imported_modules(path) & forbidden
    }
    assert offenders == {}
