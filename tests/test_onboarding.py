"""Onboarding as the README tells it, on a copy of the project: its example service and a new
team added to the catalog, then every stack renders and passes promtool and amtool."""

import re
import shutil
from pathlib import Path

import pytest
import yaml

from o11y.artifacts import render
from o11y.check import check_artifacts
from o11y.config import load_offline, stack_file, stack_names
from o11y.routing import ALERTMANAGER_FILE

ROOT = Path(__file__).resolve().parents[1]

NEW_TEAM = {
    "name": "newcomers",
    "display_name": "Newcomers",
    "slack_channel": "#alerts-newcomers",
    "email": "newcomers-oncall@example.com",
    "rotation": [
        {"name": "Pat One", "email": "pat@example.com"},
        {"name": "Sam Two", "email": "sam@example.com"},
    ],
    "lead": {"name": "Lee Three", "email": "lee@example.com", "role": "manager"},
}


def readme_service() -> dict[str, object]:
    """The catalog entry the README's "Onboarding a service" section tells a user to add."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Onboarding a service", 1)[1]
    (block,) = re.findall(r"```yaml\n(.*?)```", section.split("\n## ", 1)[0], re.DOTALL)
    (entry,) = yaml.safe_load(block)
    assert isinstance(entry, dict)
    return entry


def onboarded_service(catalog: dict[str, list[dict[str, object]]]) -> dict[str, object]:
    """The README's entry, renamed if the catalog already has a service of that name or port."""
    entry = readme_service()
    taken = {(str(s["name"]), str(s["display_name"]), s["port"]) for s in catalog["services"]}
    names, titles, ports = (set(column) for column in zip(*taken, strict=True))
    suffix = 0
    while (
        f"{entry['name']}{suffix or ''}" in names
        or f"{entry['display_name']}{suffix or ''}" in titles
    ):
        suffix += 1
    port = int(str(entry["port"]))
    while port in ports:
        port += 1
    return {
        **entry,
        "name": f"{entry['name']}{suffix or ''}",
        "display_name": f"{entry['display_name']}{suffix or ''}",
        "port": port,
    }


@pytest.fixture(scope="module")
def onboarded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project's stacks with the README's service, owned by a new team, and an
    existing service moved to that team."""
    root = tmp_path_factory.mktemp("project")
    for path in ROOT.glob("Pulumi.*.yaml"):
        shutil.copy(path, root / path.name)
    shutil.copytree(ROOT / "stacks", root / "stacks")
    catalog_path = root / "stacks" / "catalog.yaml"
    catalog = yaml.safe_load(catalog_path.read_text(encoding="utf-8"))
    catalog["teams"].append(NEW_TEAM)
    catalog["services"][-1]["team"] = NEW_TEAM["name"]
    catalog["services"].append({**onboarded_service(catalog), "team": NEW_TEAM["name"]})
    catalog_path.write_text(yaml.safe_dump(catalog, sort_keys=False), encoding="utf-8")
    return root


@pytest.mark.tools
@pytest.mark.parametrize("name", stack_names(ROOT))
def test_every_stack_still_renders_and_validates_after_onboarding(
    name: str, onboarded: Path, promtool: str, amtool: str, tmp_path: Path
) -> None:
    stack = load_offline(stack_file(onboarded, name), onboarded, name)
    service = stack.services[-1].name
    assert service.startswith(str(readme_service()["name"]))
    assert stack.service(service).team == NEW_TEAM["name"]
    files = render(stack)
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text, encoding="utf-8")
    report = check_artifacts(tmp_path)
    assert report.problems == []
    assert f"service: {service}" in files["prometheus/rules/services.yaml"]
    routing = yaml.safe_load(files[ALERTMANAGER_FILE])
    receivers = {r["name"] for r in routing["receivers"]}
    assert {f"slack-{NEW_TEAM['name']}", f"email-{NEW_TEAM['name']}"} <= receivers
