"""The command line end to end: plan, render, check and bad input, as a user runs them."""

import json
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from benchmarks.catalogs import write_stack_file
from cli import main as cli
from o11y.config import load_offline, stack_names
from tests.oncall_stacks import stack_data
from tests.trees import dig

ROOT = Path(__file__).resolve().parents[2]


def command(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


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


def test_render_writes_every_kind_of_artifact(tmp_path: Path) -> None:
    done = command("render", "--stack", "dev", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert list((tmp_path / "prometheus" / "rules").glob("*.yaml"))
    assert (tmp_path / "alertmanager" / "alertmanager.yaml").is_file()
    assert list((tmp_path / "grafana" / "dashboards").glob("*.json"))
    assert list((tmp_path / "helm").glob("*.values.yaml"))
    assert list((tmp_path / "runbooks").glob("*.md"))
    assert json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))


def test_render_refuses_a_non_empty_directory_it_did_not_write(tmp_path: Path) -> None:
    notes = tmp_path / "prometheus" / "notes.md"
    notes.parent.mkdir()
    notes.write_text("mine", encoding="utf-8")
    done = command("render", "--stack", "dev", "--out", str(tmp_path))
    assert done.returncode == 2
    assert "is not empty and was not written by `render`" in done.stderr
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "prometheus",
        "prometheus/notes.md",
    ]


def test_render_again_replaces_only_its_own_files_and_says_what_it_removed(
    tmp_path: Path,
) -> None:
    assert command("render", "--stack", "dev", "--out", str(tmp_path)).returncode == 0
    listing = tmp_path / ".o11y-rendered"
    assert "alertmanager/alertmanager.yaml" in listing.read_text(encoding="utf-8").splitlines()
    # A file of the user's next to the generated ones, and one an older render wrote.
    mine = tmp_path / "grafana" / "dashboards" / "mine.json"
    mine.write_text("{}", encoding="utf-8")
    stale = tmp_path / "grafana" / "retired" / "old.json"
    stale.parent.mkdir()
    stale.write_text("{}", encoding="utf-8")
    with listing.open("a", encoding="utf-8") as f:
        f.write("grafana/retired/old.json\n../outside.txt\n")
    outside = tmp_path.parent / "outside.txt"
    outside.write_text("not render's", encoding="utf-8")
    rules = tmp_path / "alertmanager" / "alertmanager.yaml"
    rules.write_text("edited", encoding="utf-8")

    done = command("render", "--stack", "dev", "--out", str(tmp_path))

    assert done.returncode == 0, done.stderr
    assert "removed 1 file(s) the previous render wrote" in done.stdout
    assert "  grafana/retired/old.json" in done.stdout
    assert not stale.parent.exists()
    assert mine.read_text(encoding="utf-8") == "{}"
    assert outside.read_text(encoding="utf-8") == "not render's"
    assert rules.read_text(encoding="utf-8") != "edited"


def test_render_never_overwrites_a_file_it_did_not_write(tmp_path: Path) -> None:
    assert command("render", "--stack", "dev", "--out", str(tmp_path)).returncode == 0
    listing = tmp_path / ".o11y-rendered"
    kept = [
        line
        for line in listing.read_text(encoding="utf-8").splitlines()
        if line != "alertmanager/alertmanager.yaml"
    ]
    listing.write_text("\n".join(kept) + "\n", encoding="utf-8")
    config = tmp_path / "alertmanager" / "alertmanager.yaml"
    config.write_text("hand-written", encoding="utf-8")

    done = command("render", "--stack", "dev", "--out", str(tmp_path))

    assert done.returncode == 2
    assert "alertmanager/alertmanager.yaml" in done.stderr
    assert config.read_text(encoding="utf-8") == "hand-written"


def test_render_never_writes_a_secret_value(tmp_path: Path) -> None:
    config = tmp_path / "Pulumi.dev.yaml"
    secret = "pd-token-that-must-not-leak"
    text = (ROOT / "Pulumi.dev.yaml").read_text(encoding="utf-8")
    config.write_text(
        text + f"  o11y:secrets:\n    pagerduty_token:\n      secure: {secret}\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    done = command("render", "--stack", "dev", "--config-file", str(config), "--out", str(out))
    assert done.returncode == 0, done.stderr
    for path in out.rglob("*"):
        if path.is_file():
            assert secret not in path.read_text(encoding="utf-8"), path


@pytest.mark.parametrize("stack", stack_names(ROOT))
def test_check_passes_for_the_example_stacks(stack: str, promtool: str, amtool: str) -> None:
    done = command("check", "--stack", stack)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"OK: {stack} stack renders and validates" in done.stdout


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


def test_a_third_stack_renders_from_its_own_stack_file(tmp_path: Path) -> None:
    config = tmp_path / "Pulumi.qa.yaml"
    config.write_text(
        "config:\n"
        '  pulumi:disable-default-providers: ["*"]\n'
        "  o11y:profile: development\n"
        "  o11y:kubernetes: {context: qa-cluster, namespace: observability}\n"
        "  o11y:grafana: {url: http://grafana.observability.svc}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    done = command("render", "--stack", "qa", "--config-file", str(config), "--out", str(out))
    assert done.returncode == 0, done.stderr
    values = yaml.safe_load(
        (out / "helm" / "kube-prometheus-stack.values.yaml").read_text(encoding="utf-8")
    )
    assert dig(values, "prometheus", "prometheusSpec", "externalLabels") == {"environment": "qa"}
    rows = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert {row["parent"] for row in rows} - {row["name"] for row in rows} == {"o11y-qa"}


def test_a_generated_catalog_plans_and_renders_every_object_it_applies(tmp_path: Path) -> None:
    # 1,000 services take minutes under mocks; tests/o11y/test_manifests.py renders and sizes
    # the objects of 1,000 without the program.
    config = write_stack_file(tmp_path, "generated", 40)
    out = tmp_path / "out"
    done = command(
        "render", "--stack", "generated", "--config-file", str(config), "--out", str(out)
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    planned = sorted(
        row["name"].removeprefix("o11y-alerting-")
        for row in rows
        if row["type"] == "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
    )
    files = sorted(p.stem for p in (out / "kubernetes" / "prometheusrules").glob("*.yaml"))
    assert planned == files
    # SLOs and service alerts per service, one per data store, infrastructure, observability.
    assert len(files) == 2 * 40 + 4 + 2
    planned_kinds = Counter(row["type"].rsplit(":", 1)[-1] for row in rows)
    assert planned_kinds["ServiceMonitor"] == 40 + 4  # services, exporters of 2 dbs and 2 caches
    assert planned_kinds["Probe"] == 40 + 1  # health of each service, and Grafana's


def test_a_stack_without_a_stack_file_is_told_which_stacks_exist() -> None:
    done = command("plan", "--stack", "nosuch")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    known = ", ".join(stack_names(ROOT))
    assert done.stderr == (
        f"error: no stack 'nosuch': expected Pulumi.nosuch.yaml in {ROOT} (stacks: {known}); "
        "or pass --config-file\n"
    )


def test_a_stack_name_pulumi_would_refuse_is_one_message() -> None:
    done = command("render", "--stack", "../prod", "--out", "out")
    assert done.returncode == 2
    assert done.stderr == (
        "error: --stack '../prod': a stack name is letters, digits, '-', '_' and '.'\n"
    )


def test_a_missing_config_file_is_one_message(tmp_path: Path) -> None:
    done = command(
        "render",
        "--stack",
        "dev",
        "--config-file",
        str(tmp_path / "nope.yaml"),
        "--out",
        str(tmp_path),
    )
    assert done.returncode == 2
    assert done.stderr == f"error: {tmp_path / 'nope.yaml'}: no such file\n"


def test_slo_converts_a_sloth_spec_into_a_rule_file(tmp_path: Path, promtool: str) -> None:
    out = tmp_path / "rules.yaml"
    spec = ROOT / "tests" / "fixtures" / "sloth" / "getting-started" / "spec.yml"
    done = command("slo", str(spec), "--out", str(out))
    assert done.returncode == 0, done.stderr
    checked = subprocess.run(
        [promtool, "check", "rules", str(out)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_slo_names_the_bad_key_of_a_spec(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yml"
    spec.write_text(
        'version: "prometheus/v1"\nservice: x\nslos:\n  - name: a\n    objective: 120\n'
        '    sli: {events: {error_query: "e[{{.window}}]", total_query: "t[{{.window}}]"}}\n',
        encoding="utf-8",
    )
    done = command("slo", str(spec), "--out", str(tmp_path / "rules.yaml"))
    assert done.returncode == 2
    assert f"  {spec}: slos[0].objective: must be < 100" in done.stderr.splitlines()
    assert "Traceback" not in done.stderr


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
    monkeypatch.setattr(cli, "PROJECT_ROOT", tmp_path)
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
