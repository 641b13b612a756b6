"""The CI matrix: every stack file is a matrix entry, with its runner and kubeconfig secret."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.stack_matrix import kubeconfig_secret, matrix

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod-eu.yaml", "Pulumi.qa.yml"):
        (tmp_path / name).write_text("config: {}\n", encoding="utf-8")
    return tmp_path


def test_every_stack_file_is_an_entry_on_its_own_self_hosted_runner(project: Path) -> None:
    assert matrix(project, "") == {
        "include": [
            {
                "stack": "dev",
                "runner": ["self-hosted", "o11y-dev"],
                "kubeconfig_secret": "KUBECONFIG_DEV",
            },
            {
                "stack": "prod-eu",
                "runner": ["self-hosted", "o11y-prod-eu"],
                "kubeconfig_secret": "KUBECONFIG_PROD_EU",
            },
        ]
    }


def test_a_stack_may_run_on_other_runners(project: Path) -> None:
    entries = matrix(project, json.dumps({"prod-eu": "ubuntu-24.04", "dev": ["self-hosted", "x"]}))
    runners = {e["stack"]: e["runner"] for e in entries["include"]}
    assert runners == {"dev": ["self-hosted", "x"], "prod-eu": ["ubuntu-24.04"]}


@pytest.mark.parametrize(
    ("runners", "message"),
    [
        ('{"staging": "ubuntu-24.04"}', "O11Y_RUNNERS: no stack file for staging"),
        ('{"dev": []}', "O11Y_RUNNERS.dev: expected a runner label or a list of labels"),
        ('["dev"]', "O11Y_RUNNERS: expected a JSON object, stack -> runner labels"),
    ],
)
def test_a_wrong_runner_map_is_refused(project: Path, runners: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        matrix(project, runners)


def test_secret_names_are_what_github_accepts() -> None:
    assert kubeconfig_secret("prod.eu-2") == "KUBECONFIG_PROD_EU_2"


def test_the_script_prints_a_github_output_line_for_this_project() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "stack_matrix.py")],
        capture_output=True,
        text=True,
        check=False,
        env={"O11Y_RUNNERS": "", "O11Y_STACK_ORDER": ""},
    )
    assert done.returncode == 0, done.stderr
    key, _, value = done.stdout.strip().partition("=")
    assert key == "matrix"
    stacks = sorted(p.name.split(".")[1] for p in ROOT.glob("Pulumi.*.yaml"))
    assert [e["stack"] for e in json.loads(value)["include"]] == stacks


def test_deploys_follow_the_given_order_then_the_rest_by_name(project: Path) -> None:
    (project / "Pulumi.staging.yaml").write_text("config: {}\n", encoding="utf-8")
    entries = matrix(project, "", '["staging", "dev"]')["include"]
    assert [e["stack"] for e in entries] == ["staging", "dev", "prod-eu"]


def test_an_order_naming_no_stack_file_is_refused(project: Path) -> None:
    with pytest.raises(ValueError, match="O11Y_STACK_ORDER: no stack file for prod"):
        matrix(project, "", '["prod"]')
