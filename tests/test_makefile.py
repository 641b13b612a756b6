"""Every `make <target>` the README, the docs, the runbooks and the program's messages tell a
reader to run exists in the Makefile and does something."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# A rule line: `target [target…]: [prerequisites]` (not a `:=` assignment).
_RULE = re.compile(r"^([A-Za-z0-9_.$(){}/ -]+?)\s*:(?!=)\s*(.*)$")
_FENCE = re.compile(r"^\s*```[^\n]*\n(.*?)^\s*```", re.DOTALL | re.MULTILINE)
_SPAN = re.compile(r"`([^`\n]+)`")
_TARGET = re.compile(r"[a-z][a-z0-9-]*")


def makefile_targets(text: str) -> dict[str, tuple[list[str], bool]]:
    """Target -> (prerequisites, has a recipe), from a Makefile's text."""
    targets: dict[str, tuple[list[str], bool]] = {}
    lines = text.replace("\\\n", " ").splitlines()
    for number, line in enumerate(lines):
        if line.startswith(("\t", "#", ".")) or "=" in line.split(":", 1)[0]:
            continue
        rule = _RULE.match(line)
        if rule is None:
            continue
        following = lines[number + 1] if number + 1 < len(lines) else ""
        for target in rule.group(1).split():
            targets[target] = (rule.group(2).split(), following.startswith("\t"))
    return targets


def runs_something(target: str, targets: dict[str, tuple[list[str], bool]]) -> bool:
    """A recipe of its own, or prerequisites that all run something."""
    if target not in targets:
        return False
    prerequisites, recipe = targets[target]
    return recipe or (
        bool(prerequisites) and all(runs_something(p, targets) for p in prerequisites)
    )


def make_commands(text: str) -> set[str]:
    """Targets of every `make …` in the code blocks and code spans of a text."""
    code: list[str] = list(_FENCE.findall(text))
    code += _SPAN.findall(_FENCE.sub("", text))
    found: set[str] = set()
    for piece in code:
        for line in piece.splitlines():
            words = line.split()
            for index, word in enumerate(words):
                if word != "make":
                    continue
                for argument in words[index + 1 :]:
                    if "=" in argument or argument.startswith("-"):
                        continue
                    if not _TARGET.fullmatch(argument):
                        break
                    found.add(argument)
    return found


def documented_commands() -> dict[str, set[str]]:
    """Target -> the files that tell a reader to run it."""
    sources = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    sources += sorted(
        path for folder in ("o11y", "components") for path in (ROOT / folder).rglob("*.py")
    )
    mentions: dict[str, set[str]] = {}
    for path in sources:
        for target in make_commands(path.read_text(encoding="utf-8")):
            mentions.setdefault(target, set()).add(str(path.relative_to(ROOT)))
    return mentions


def test_the_parser_tells_a_recipe_from_a_mere_mention() -> None:
    targets = makefile_targets(
        "X := a\n.PHONY: all real empty\nall: real\nreal: x.txt\n\techo real\nempty:\n\n"
        "aggregate: real \\\n  all\n"
    )
    assert runs_something("real", targets)
    assert runs_something("all", targets)
    assert runs_something("aggregate", targets)
    assert not runs_something("empty", targets)
    assert not runs_something("missing", targets)


def test_make_commands_are_read_from_code_only() -> None:
    text = (
        "To make sure, run `make check STACK=dev` or `sudo make tools charts`.\n"
        "```sh\nmake -j2 test && make drill STACK=prod\n```\n"
    )
    assert make_commands(text) == {"check", "tools", "charts", "test", "drill"}


def test_the_docs_mention_make_targets() -> None:
    # The test below proves nothing if it finds no mention at all.
    assert {"check", "golden", "runbooks", "tools"} <= documented_commands().keys()


@pytest.mark.parametrize("target", sorted(documented_commands()))
def test_every_documented_make_target_runs_something(target: str) -> None:
    targets = makefile_targets((ROOT / "Makefile").read_text(encoding="utf-8"))
    sources = sorted(documented_commands()[target])
    assert runs_something(target, targets), (
        f"`make {target}` (in {', '.join(sources[:3])}, …) has no recipe in the Makefile"
    )
