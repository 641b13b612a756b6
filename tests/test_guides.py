"""The operator guides (docs/onboarding.md, docs/queries.md, docs/cost.md): every query parses
(PromQL by promtool, LogQL and TraceQL by Grafana's grammars), every command exists with the
options it is shown with, and the cost guide's numbers follow from the prod configuration."""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from o11y.config import parse_stack, read_catalog, read_stack_file
from o11y.conventions import UNBOUNDED_LABELS
from o11y.model.platform import LogLevel
from o11y.model.types import duration_seconds

ROOT = Path(__file__).resolve().parents[1]
GUIDES = ("onboarding.md", "queries.md", "cost.md")
_BLOCK = re.compile(r"^ *```(\w+)\n(.*?)^ *```", re.DOTALL | re.MULTILINE)
# Grafana's Lezer grammars as `make lezer` installs them, and the script that parses with them.
NODE_MODULES = ROOT / ".tools" / "lezer" / "node_modules"
LEZER_PARSE = ROOT / "tests" / "o11y" / "lezer_parse.cjs"
# Tools the guides expect on an operator's machine, beyond the repository's own.
OPERATOR_TOOLS = {"kubectl", "git"}


def blocks(language: str) -> list[tuple[str, str]]:
    """(guide, text) of every fenced block in `language`, one per query or command: blocks
    hold several, separated by blank lines (queries) or lines (commands)."""
    found = []
    for guide in GUIDES:
        text = (ROOT / "docs" / guide).read_text(encoding="utf-8")
        for match in _BLOCK.finditer(text):
            if match.group(1) != language:
                continue
            body = "\n".join(line.strip() for line in match.group(2).splitlines())
            parts = body.split("\n") if language == "sh" else body.split("\n\n")
            found += [(guide, part.strip()) for part in parts if part.strip()]
    return found


def test_the_readme_links_every_guide() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for guide in GUIDES:
        assert f"(docs/{guide})" in readme


def test_every_guide_has_queries_and_commands() -> None:
    assert len(blocks("promql")) >= 20
    assert len(blocks("logql")) >= 5
    assert len(blocks("traceql")) >= 5
    assert len(blocks("sh")) >= 8


def test_every_promql_query_parses(promtool: str, tmp_path: Path) -> None:
    queries = blocks("promql")
    rules = [{"record": f"guide:query:{i}", "expr": query} for i, (_, query) in enumerate(queries)]
    path = tmp_path / "guides.yaml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "guides", "rules": rules}]}), "utf-8")
    done = subprocess.run(
        [promtool, "check", "rules", "--lint=none", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="session")
def grammars() -> Path:
    node = shutil.which("node")
    if node is None or not (NODE_MODULES / "@grafana" / "lezer-traceql").is_dir():
        if os.environ.get("CI"):
            pytest.fail("Grafana's query grammars are not installed; CI runs `make lezer`")
        pytest.skip("Grafana's LogQL/TraceQL grammars not installed (`make lezer`)")
    return NODE_MODULES


@pytest.mark.parametrize("language", ["logql", "traceql"])
def test_every_logql_and_traceql_query_parses(language: str, grammars: Path) -> None:
    queries = blocks(language)
    done = subprocess.run(
        ["node", str(LEZER_PARSE)],
        input=json.dumps([{"language": language, "query": q} for _, q in queries]),
        env={**os.environ, "NODE_PATH": str(grammars)},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    guide_by_query = {q: g for g, q in queries}
    broken = [(guide_by_query[p["query"]], p["query"], p["at"]) for p in json.loads(done.stdout)]
    assert broken == []


def test_a_broken_query_is_caught(grammars: Path) -> None:
    done = subprocess.run(
        ["node", str(LEZER_PARSE)],
        input=json.dumps([{"language": "logql", "query": '{service="x" |'}]),
        env={**os.environ, "NODE_PATH": str(grammars)},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert json.loads(done.stdout) != []


def _makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][a-z-]*):", text, re.MULTILINE))


def _help(command: list[str]) -> str:
    done = subprocess.run(
        [*command, "--help"], cwd=ROOT, capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, f"{' '.join(command)} --help: {done.stderr}"
    return done.stdout + done.stderr


def _options(words: list[str]) -> list[str]:
    return [w.split("=", 1)[0] for w in words if w.startswith("--")]


@pytest.mark.parametrize(("guide", "line"), blocks("sh"))
def test_every_command_exists_with_its_options(guide: str, line: str) -> None:
    words = shlex.split(line)
    program = words[0]
    if program == "make":
        assert {w for w in words[1:] if "=" not in w} <= _makefile_targets(), line
    elif program == ".venv/bin/python" and words[1:3] == ["-m", "cli"]:
        text = _help([sys.executable, "-m", "cli", words[3]])
        for option in _options(words[4:]):
            assert option in text, f"{line}: no {option}"
    elif program == ".venv/bin/python" and words[1:3] == ["-m", "pytest"]:
        assert all((ROOT / w).exists() for w in words[3:] if not w.startswith("-")), line
    elif program in ("promtool", "amtool"):
        tool = shutil.which(program)
        if tool is None:
            pytest.skip(f"{program} not installed")
        subcommands = [w for w in words[1:3] if not w.startswith("-") and "=" not in w]
        text = _help([tool, *subcommands])
        for option in _options(words[1:]):
            assert option in text, f"{line}: no {option}"
    else:
        assert program in OPERATOR_TOOLS, f"{guide}: {line}: unknown program {program}"


def test_the_cost_guide_follows_the_prod_configuration() -> None:
    stack = parse_stack(read_stack_file(ROOT / "Pulumi.prod.yaml"), read_catalog(ROOT), "prod")
    text = (ROOT / "docs" / "cost.md").read_text(encoding="utf-8")
    platform = stack.platform
    retention = platform.retention
    cap = stack.alerting.max_series_per_service
    (interval,) = {duration_seconds(s.scrape_interval) for s in stack.services}
    per_second = cap / interval
    per_day = per_second * 86400
    expected = [
        f"**{cap} series**",
        f"**{interval}s**",
        f"| samples per second | {per_second:.0f} |",
        f"| samples per day | {per_day / 1e6:.1f} million |",
        f"retention (about 1.5 bytes a sample after compression) | "
        f"{per_day * duration_seconds(retention.metrics) / 86400 * 1.5 / 1e9:.1f} GB |",
        f"| Mimir, {retention.long_term_metrics} retention | "
        f"{per_day * duration_seconds(retention.long_term_metrics) / 86400 * 1.5 / 1e9:.1f} GB |",
        f"**{retention.metrics_size}**",
        f"**{platform.tracing.slow_threshold_ms} ms**",
        f"**{platform.tracing.sampling_percent:g}%**",
        f"**{retention.traces}**",
        *(f"`{label}`" for label in UNBOUNDED_LABELS),
        *(f"`{op}`" for op in platform.tracing.keep_operations),
    ]
    kept = 0.02 + platform.tracing.sampling_percent / 100 * 0.98
    expected += [f"| traces stored | {kept:.1%} ", f"every trace | {1 - kept:.1%} |"]
    mix: dict[LogLevel, float] = {"debug": 0.4, "info": 0.5, "warn": 0.08, "error": 0.02}
    days = sum(
        share * duration_seconds(retention.logs_by_level[level]) / 86400
        for level, share in mix.items()
    )
    expected += [
        *(f"**{level} {retention.logs_by_level[level]}**" for level in mix),
        f"| {days:.1f} (",
        f"everything 90d | {1 - days / 90:.1%} |",
        f"everything 30d | {1 - days / 30:.1%} |",
    ]
    missing = [e for e in expected if e not in text]
    assert missing == []
