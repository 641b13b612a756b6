"""The command line end to end: plan, and bad input as a user runs it."""

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from cli import command as command_module
from cli import main as cli
from o11y.config import load_offline
from tests.cli.run import command


@pytest.fixture(scope="module")
def prod_plan() -> list[dict[str, str]]:
    done = command("plan", "--stack", "prod", "--json")
    assert done.returncode == 0, done.stderr
    rows: list[dict[str, str]] = json.loads(done.stdout)
    return rows


def test_plan_json_lists_each_resource_with_what_it_waits_for(
    prod_plan: list[dict[str, str]],
) -> None:
    assert prod_plan, "the prod plan is empty"
    fields = {"type", "name", "parent", "provider", "protect", "dependencies", "inputs"}
    assert all(set(row) == fields for row in prod_plan)
    names = {row["name"] for row in prod_plan}
    # Every parent is a resource of the plan or the stack itself.
    assert {row["parent"] for row in prod_plan} - names == {"o11y-prod"}


def test_plan_prints_a_tree_with_counts() -> None:
    done = command("plan", "--stack", "dev")
    assert done.returncode == 0, done.stderr
    assert "o11y:stack:ObservabilityStack  o11y" in done.stdout
    assert "resources" in done.stdout


def test_bad_config_gives_one_line_per_problem_and_no_traceback(tmp_path: Path) -> None:
    config = tmp_path / "Pulumi.bad.yaml"
    config.write_text(
        "config:\n"
        "  o11y:profile: production\n"
        "  o11y:kubernetes: {context: c, namespace: Observability}\n"
        "  o11y:grafana: {url: not-a-url}\n"
        "  o11y:colour: blue\n",
        encoding="utf-8",
    )
    done = command("plan", "--stack", "prod", "--config-file", str(config))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert lines[0] == f"error: {config}: 4 problems"
    assert lines[1] == "  unknown key 'colour'"
    assert any(
        line.startswith("  kubernetes.namespace: must be a lowercase name of letters")
        for line in lines
    )
    assert "  grafana.url: must be an http:// or https:// URL (got 'not-a-url')" in lines


SMALL_CATALOG = """\
teams:
  - name: core
    display_name: Core
    slack_channel: "#alerts-core"
    email: core@corp.test
    rotation:
      - {name: Ann, email: ann@corp.test}
    lead: {name: Lea, email: lea@corp.test, role: manager}
  - name: web
    display_name: Web
    slack_channel: "#alerts-web"
    email: web@corp.test
    rotation:
      - {name: Cy, email: cy@corp.test}
    lead: {name: Dee, email: dee@corp.test, role: manager}
services:
  - name: checkout
    display_name: Checkout
    team: core
    namespace: shop
    port: 7000
    slos:
      - {name: availability, objective: 99.9}
  - name: search
    display_name: Search
    team: web
    namespace: shop
    port: 7001
"""

SMALL_STACK = """\
config:
  o11y:profile: development
  o11y:kubernetes:
    context: kind-test
    namespace: observability
  o11y:grafana: {url: http://grafana.observability.svc}
  o11y:alerting: {platform_team: core}
"""


def _edited(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def _catalog(old: str, new: str) -> str:
    return _edited(SMALL_CATALOG, old, new)


def _stack(old: str, new: str) -> str:
    return _edited(SMALL_STACK, old, new)


def _eleven_services_of(team: str) -> str:
    services = "".join(
        f"  - {{name: shop-{i:02d}, display_name: Shop {i:02d}, team: {team}, namespace: shop, "
        f"port: {7000 + i}}}\n"
        for i in range(11)
    )
    return SMALL_CATALOG.split("services:\n")[0] + "services:\n" + services


@dataclass(frozen=True)
class BrokenProject:
    """Files of a project with one mistake, and what the command line must say about it."""

    catalog: str | bytes | None = SMALL_CATALOG
    stack: str | bytes | None = SMALL_STACK
    command: str = "check"
    # The whole of stderr; {catalog}, {stack} and {root} stand for the files' paths.
    expected: str = ""
    extra: tuple[str, ...] = ()


BROKEN_PROJECTS: list[tuple[str, BrokenProject]] = [
    (
        "a tab in the catalog's indentation is named with its line and column",
        BrokenProject(
            catalog=_catalog("    team: web\n", "\tteam: web\n"),
            expected="error: {catalog}:26:1: tabs are not allowed for indentation in YAML; "
            "use spaces\n",
        ),
    ),
    (
        "a key indented less than its neighbours is an indentation problem",
        BrokenProject(
            catalog=_catalog("    port: 7000\n", "   port: 7000\n"),
            command="render",
            expected="error: {catalog}:21:4: this line's indentation does not line up with "
            "the lines above it\n",
        ),
    ),
    (
        "an unclosed bracket names the line it opens on",
        BrokenProject(
            catalog=_catalog("objective: 99.9}\n", "objective: 99.9\n"),
            expected="error: {catalog}:24:9: a map opened with '{{' on line 23 is not closed "
            "with '}}', or an item in it lacks a ','\n",
        ),
    ),
    (
        "an unclosed quote names the line it opens on",
        BrokenProject(
            catalog=_catalog('"#alerts-web"', '"#alerts-web'),
            command="plan",
            expected="error: {catalog}:29:1: a quoted string is never closed (it opens on "
            "line 11)\n",
        ),
    ),
    (
        "a key written twice in a service is refused, not silently overwritten",
        BrokenProject(
            catalog=_catalog("    port: 7000\n", "    port: 7000\n    port: 7001\n"),
            expected="error: {catalog}:22:5: the key 'port' appears twice in the same map "
            "(first on line 21); remove one\n",
        ),
    ),
    (
        "a key written twice inside a stack file's structured value is refused",
        BrokenProject(
            stack=_stack("    context: kind-test\n", "    context: kind-test\n    context: b\n"),
            expected="error: {stack}:5:5: the key 'context' appears twice in the same map "
            "(first on line 4); remove one\n",
        ),
    ),
    (
        "a missing catalog is named",
        BrokenProject(catalog=None, expected="error: {catalog}: no such file\n"),
    ),
    (
        "a missing stack file given on the command line is named",
        BrokenProject(
            extra=("--config-file", "{root}/Pulumi.gone.yaml"),
            expected="error: {root}/Pulumi.gone.yaml: no such file\n",
        ),
    ),
    (
        "a stack without its stack file is told which stacks exist",
        BrokenProject(
            stack=None,
            command="drill",
            expected="error: no stack 'test': expected Pulumi.test.yaml in {root} (stacks: "
            "none); or pass --config-file\n",
        ),
    ),
    (
        "an empty catalog is named",
        BrokenProject(
            catalog="# nothing yet\n",
            expected="error: {catalog}: the file is empty; expected a map of keys such as "
            "teams: and services:\n",
        ),
    ),
    (
        "a catalog that is a list at the top level is named",
        BrokenProject(
            catalog="- name: checkout\n",
            expected="error: {catalog}: expected a map of keys such as teams: and services: at "
            "the top level, found a list\n",
        ),
    ),
    (
        "a stack file whose config is not a map is named",
        BrokenProject(
            stack="config: [o11y:profile]\n",
            expected="error: {stack}: `config:` must be a map of keys such as o11y:profile\n",
        ),
    ),
    (
        "secrets that are not a map are named under the stack file",
        BrokenProject(
            stack=SMALL_STACK + "  o11y:secrets: abc\n",
            expected="error: {stack}: 2 problems\n"
            "  secrets: stored in plain text; set each value with pulumi config set --secret "
            "--path 'secrets.<name>'\n"
            "  secrets: must be a map of secret names to secret values\n",
        ),
    ),
    (
        "a quoted port is text, not a number",
        BrokenProject(
            catalog=_catalog("port: 7001", 'port: "7001"'),
            command="render",
            expected="error: {catalog}: 1 problem\n"
            "  services[search].port: write 7001 without quotes: a number, not text\n",
        ),
    ),
    (
        "a quoted objective is text, not a number",
        BrokenProject(
            catalog=_catalog("objective: 99.9", 'objective: "99.9"'),
            expected="error: {catalog}: 1 problem\n"
            "  services[checkout].slos[availability].objective: write 99.9 without quotes: a "
            "number, not text\n",
        ),
    ),
    (
        "a misspelled key gets the key it was meant to be, without the knock-on required",
        BrokenProject(
            catalog=_catalog("port: 7000", "prot: 7000"),
            command="plan",
            expected="error: {catalog}: 1 problem\n"
            "  services[checkout]: unknown key 'prot' — did you mean 'port'?\n",
        ),
    ),
    (
        "a misspelled top-level key of the catalog is the catalog's problem",
        BrokenProject(
            catalog=_catalog("services:", "servics:"),
            expected="error: {catalog}: 1 problem\n"
            "  unknown key 'servics' — did you mean 'services'?\n",
        ),
    ),
    (
        "a misspelled key of the stack file is the stack file's problem",
        BrokenProject(
            stack=_stack("o11y:grafana:", "o11y:grafnaa:"),
            expected="error: {stack}: 1 problem\n"
            "  unknown key 'grafnaa' — did you mean 'grafana'?\n",
        ),
    ),
    (
        "an unknown team gets the team it was meant to be",
        BrokenProject(
            catalog=_catalog("team: web", "team: wbe"),
            expected="error: {catalog}: 1 problem\n"
            "  services[search].team: unknown team 'wbe' — did you mean 'web'?\n",
        ),
    ),
    (
        "a misspelled team in eleven services is one problem",
        BrokenProject(
            catalog=_eleven_services_of("cor"),
            command="import-file",
            expected="error: {catalog}: 1 problem\n"
            "  unknown team 'cor' — did you mean 'core'? (in 11 places: services[shop-00].team, "
            "services[shop-01].team, services[shop-02].team, services[shop-03].team, "
            "services[shop-04].team and 6 more)\n",
        ),
    ),
    (
        "a bad value in a stack file is reported under the stack file",
        BrokenProject(
            stack=_stack("namespace: observability", "namespace: Observability"),
            command="drill",
            expected="error: {stack}: 1 problem\n"
            "  kubernetes.namespace: must be a lowercase name of letters, digits and '-', "
            "starting and ending with a letter or digit, at most 63 characters (got "
            "'Observability')\n",
        ),
    ),
    (
        "a quoted boolean in a stack file is text, not true or false",
        BrokenProject(
            stack=_stack(
                "namespace: observability\n",
                'namespace: observability\n    control_plane_metrics: "true"\n',
            ),
            expected="error: {stack}: 1 problem\n"
            "  kubernetes.control_plane_metrics: write true without quotes: true or false\n",
        ),
    ),
    (
        "problems in both files are each reported under their own file",
        BrokenProject(
            catalog=_catalog("port: 7001", "port: 70001"),
            stack=_stack("namespace: observability", "namespace: Observability"),
            expected="error: {catalog}: 1 problem\n"
            "  services[search].port: must be <= 65535 (got 70001)\n"
            "error: {stack}: 1 problem\n"
            "  kubernetes.namespace: must be a lowercase name of letters, digits and '-', "
            "starting and ending with a letter or digit, at most 63 characters (got "
            "'Observability')\n",
        ),
    ),
    (
        "a catalog that is not UTF-8 is named with the line of the bad byte",
        BrokenProject(
            catalog=_catalog("Search", "S\xe9arch").encode("latin-1"),
            expected="error: {catalog}:25:20: not UTF-8 text (byte 0xe9); save the file as UTF-8\n",
        ),
    ),
    (
        "empty lists of services and teams say how many items they need",
        BrokenProject(
            catalog="teams: []\nservices: []\n",
            expected="error: {catalog}: 1 problem\n"
            "  must have at least 1 item (in 2 places: services, teams)\n",
        ),
    ),
    (
        "a catalog without services and teams is the catalog's problem, not the stack file's",
        BrokenProject(
            catalog="team: []\n",
            expected="error: {catalog}: 2 problems\n"
            "  unknown key 'team' — did you mean 'teams'?\n"
            "  services: required\n",
        ),
    ),
]


def _write_project(root: Path, project: BrokenProject) -> None:
    for relative, content in (
        ("stacks/catalog.yaml", project.catalog),
        ("Pulumi.test.yaml", project.stack),
    ):
        if content is None:
            continue
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def _arguments(project: BrokenProject, root: Path) -> list[str]:
    arguments = [project.command, "--stack", "test"]
    if project.command in ("render", "import-file"):
        arguments += ["--out", str(root / "out")]
    return arguments + [a.format(root=root) for a in project.extra]


@pytest.mark.parametrize(
    "project", [pytest.param(project, id=name) for name, project in BROKEN_PROJECTS]
)
def test_a_mistake_in_the_users_files_is_one_message_and_exit_code_2(
    project: BrokenProject,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _write_project(tmp_path, project)
    monkeypatch.setattr(command_module, "PROJECT_ROOT", tmp_path)
    assert cli.main(_arguments(project, tmp_path)) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert captured.out == ""
    assert captured.err == project.expected.format(
        catalog=tmp_path / "stacks" / "catalog.yaml",
        stack=tmp_path / "Pulumi.test.yaml",
        root=tmp_path,
    )


def test_the_small_project_of_the_broken_cases_is_valid(tmp_path: Path) -> None:
    # Each broken case differs from this project by its one mistake only.
    _write_project(tmp_path, BrokenProject())
    stack = load_offline(tmp_path / "Pulumi.test.yaml", tmp_path, "test")
    assert [s.name for s in stack.services] == ["checkout", "search"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "config:\n  o11y:profile: development\n\to11y:grafana: {}\n",
            "{stack}:3:1: tabs are not allowed for indentation in YAML; use spaces",
            id="a tab in a stack file",
        ),
        pytest.param(
            "config:\n  o11y:profile: development\n  o11y:profile: production\n",
            "{stack}:3:3: the key 'o11y:profile' appears twice in the same map (first on line 2); "
            "remove one",
            id="a config key set twice",
        ),
    ],
)
def test_a_broken_stack_file_is_one_line_from_the_real_command(
    tmp_path: Path, text: str, expected: str
) -> None:
    stack = tmp_path / "Pulumi.broken.yaml"
    stack.write_text(text, encoding="utf-8")
    done = command("check", "--stack", "broken", "--config-file", str(stack))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"error: {expected.format(stack=stack)}\n"
