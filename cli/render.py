"""`render`: every artifact of a stack as files, replacing only what an earlier render wrote."""

import argparse
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from cli.command import CommandError, load, plan_rows
from o11y.artifacts import render as render_files
from o11y.model.stack import Stack
from o11y.plan import PlanRow, plan_json

# `render` lists the files it wrote in this file of its output directory. A later render into
# the same directory replaces and removes only those, never a file someone else put there, and
# a non-empty directory without the list is refused rather than mixed with generated files.
RENDER_LIST = ".o11y-rendered"
RENDER_LIST_HEADER = "# Files written by `python -m cli render`; it replaces only these.\n"


@dataclass(frozen=True)
class Written:
    """What one render did to its output directory."""

    files: list[str]
    removed: list[str]


def write(stack: Stack, rows: list[PlanRow], out: Path) -> Written:
    files = render_files(stack)
    files["plan.json"] = plan_json(rows)
    try:
        owned = _owned_files(out)
        removed = sorted(owned - files.keys())
        foreign = sorted(p for p in files if p not in owned and (out / p).exists())
        if foreign:
            raise CommandError(
                f"{out}: would overwrite {len(foreign)} file(s) `render` did not write "
                f"({', '.join(foreign[:3])}{', …' if len(foreign) > 3 else ''}); move them away"
            )
        out.mkdir(parents=True, exist_ok=True)
        for relative in removed:
            (out / relative).unlink(missing_ok=True)
            _remove_empty_parents(out, out / relative)
        (out / RENDER_LIST).write_text(
            RENDER_LIST_HEADER + "".join(f"{p}\n" for p in sorted(files)), encoding="utf-8"
        )
        for relative, text in files.items():
            target = out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    except OSError as error:
        raise CommandError(f"cannot write {out}: {error.strerror}") from None
    return Written(sorted(files), removed)


def _owned_files(out: Path) -> set[str]:
    """The files an earlier render wrote into `out`; none for a new or empty directory.

    Anything else in `out` is somebody's own: a non-empty directory without the list of an
    earlier render is refused.
    """
    if not out.exists():
        return set()
    if not out.is_dir():
        raise CommandError(f"{out}: not a directory")
    listing = out / RENDER_LIST
    if not listing.is_file():
        if any(out.iterdir()):
            raise CommandError(
                f"{out} is not empty and was not written by `render`; give --out a new or "
                "empty directory (render replaces only the files it wrote there itself)"
            )
        return set()
    owned = set()
    for line in listing.read_text(encoding="utf-8").splitlines():
        path = PurePosixPath(line)
        # The list is only trusted to name files below `out`.
        if line and not line.startswith("#") and not path.is_absolute() and ".." not in path.parts:
            owned.add(line)
    return owned


def _remove_empty_parents(out: Path, removed: Path) -> None:
    for parent in removed.parents:
        if parent == out or not parent.is_relative_to(out):
            return
        if any(parent.iterdir()):
            return
        parent.rmdir()


def render(args: argparse.Namespace) -> int:
    offline = load(args)
    written = write(offline.stack, plan_rows(offline), args.out)
    areas = Counter(path.split("/", 1)[0] for path in written.files)
    summary = ", ".join(f"{count} {area}" for area, count in sorted(areas.items()))
    print(f"wrote {len(written.files)} files to {args.out} ({summary})")
    if written.removed:
        print(
            f"removed {len(written.removed)} file(s) the previous render wrote and this one does not:"
        )
        for path in written.removed:
            print(f"  {path}")
    return 0
