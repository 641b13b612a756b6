"""`import-file` (cli/adopt.py): adopting existing PagerDuty users and teams."""

import json
from pathlib import Path

import pytest
import yaml

from tests.cli.run import command
from tests.oncall_stacks import stack_data


def _small_paging_stack_file(tmp_path: Path) -> Path:
    """A stack file with the small on-call catalog (nothing of the shared one) and a token."""
    data = {
        **{
            key: []
            for key in (
                "dependencies",
                "tls_endpoints",
                "business_rules",
                "business_domains",
                "security_rules",
            )
        },
        **stack_data(),
    }
    # The program builds an SLO dashboard, which needs an SLO to show.
    services = data["services"]
    assert isinstance(services, list)
    services[0]["slos"] = [{"name": "availability", "objective": 99.9}]
    config: dict[str, object] = {
        f"o11y:{key}": value for key, value in data.items() if key not in ("secrets", "environment")
    }
    config["o11y:secrets"] = {"pagerduty_token": {"secure": "token"}}
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(yaml.safe_dump({"config": config}), encoding="utf-8")
    return path


def test_import_file_adopts_the_given_pagerduty_users_and_teams(tmp_path: Path) -> None:
    config = _small_paging_stack_file(tmp_path)
    out = tmp_path / "import.json"
    done = command(
        "import-file",
        "--stack",
        "dev",
        "--config-file",
        str(config),
        "--user",
        "ann@corp.test=PANN",
        "--team",
        "core=PCORE",
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    assert [(r["name"], r["id"]) for r in document["resources"]] == [
        ("o11y-oncall-user-ann-corp-test", "PANN"),
        ("o11y-oncall-team-core", "PCORE"),
        ("o11y-oncall-member-core-ann-corp-test", "PANN:PCORE"),
    ]
    assert document["nameTable"]["oncall"] == (
        "urn:pulumi:dev::o11y::o11y:stack:ObservabilityStack$o11y:oncall:OnCall::o11y-oncall"
    )
    assert "pulumi up --target 'urn:pulumi:dev::o11y::" in done.stdout
    assert f"pulumi import --file {out} --generate-code=false --protect=false" in done.stdout


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        pytest.param(
            "zed@corp.test=PZED",
            "error: --user zed@corp.test: nobody with that e-mail is on call in this stack",
            id="an unknown person",
        ),
        pytest.param(
            "ann@corp.test",
            "error: --user ann@corp.test: expected KEY=ID, e.g. --user name=PABC123",
            id="a person without an ID",
        ),
    ],
)
def test_import_file_refuses_ids_it_cannot_place(
    tmp_path: Path, argument: str, message: str
) -> None:
    config = _small_paging_stack_file(tmp_path)
    done = command(
        "import-file",
        "--stack",
        "dev",
        "--config-file",
        str(config),
        "--user",
        argument,
        "--out",
        str(tmp_path / "import.json"),
    )
    assert done.returncode == 2
    assert done.stderr.strip() == message
    assert not (tmp_path / "import.json").exists()
