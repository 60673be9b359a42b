"""The sample outputs in README.md and docs/warehouse.md, made by running their commands: they cannot go stale.

A ```text block whose first line is `$ rolesignal …` or `$ .venv/bin/rolesignal …` is a sample. Each `$` line in it
is run in order, in a folder of its own holding a copy of examples/, as a newcomer would run it: no Prefect server
(Prefect's temporary one), no logging settings, no ROLESIGNAL_DB, a terminal of 120 columns. What it printed, stdout
and stderr as they came, replaces the lines after it. An output that ends with a line `…` keeps as many lines as it
had. The folder shows as /home/you/rolesignal; a scan's progress lines (their rate varies) are left out.

    python docs/samples.py           # rewrite the samples in place
    python docs/samples.py --check   # exit 1 with the differences when one is stale (tests/flows/test_samples.py)
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", ROOT / "docs" / "warehouse.md"]
CLONE = "/home/you/rolesignal"  # where the samples say the clone is
WIDTH = "120"
CUT = "…"
_BLOCK = re.compile(r"^```text\n(.*?)^```$", re.MULTILINE | re.DOTALL)
_COMMAND = re.compile(r"^\$ (?:\.venv/bin/)?rolesignal(?: |$)")
_PROGRESS = re.compile(r"^read \d+/\d+ files \(")
# What a newcomer has not set: these would change what the commands print.
_UNSET = ("ROLESIGNAL_DB", "PREFECT_LOGGING_LEVEL", "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "PREFECT_PROFILE")


def newcomer_environment(base: Mapping[str, str], prefect_home: Path) -> dict[str, str]:
    """`base` without anything a newcomer has not configured, in a 120-column terminal."""
    env = {k: v for k, v in base.items() if k not in _UNSET and not k.startswith("PREFECT_API_")}
    # Unbuffered, so that stdout and stderr reach the one pipe in the order they were written.
    return env | {"PREFECT_HOME": str(prefect_home), "COLUMNS": WIDTH, "PYTHONUNBUFFERED": "1"}


def run(command: str, clone: Path, env: Mapping[str, str]) -> list[str]:
    """The lines one `$ rolesignal …` line prints, run in `clone`."""
    args = shlex.split(command.removeprefix("$ "))[1:]
    done = subprocess.run(
        [sys.executable, "-c", "from rolesignal.flows.cli import main; main()", *args],
        cwd=clone,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
    )
    text = done.stdout.replace(str(clone), CLONE)
    return [line.rstrip() for line in text.splitlines() if not _PROGRESS.match(line)]


def regenerate(text: str, clone: Path, env: Mapping[str, str]) -> str:
    """`text` with the output of every sample block made anew."""

    def block(match: re.Match[str]) -> str:
        lines = match.group(1).splitlines()
        if not lines or not _COMMAND.match(lines[0]):
            return match.group(0)
        starts = [i for i, line in enumerate(lines) if _COMMAND.match(line)]
        made: list[str] = []
        for start, end in zip(starts, [*starts[1:], len(lines)], strict=True):
            old = lines[start + 1 : end]
            while old and not old[-1]:  # the blank line before the next command
                old.pop()
            new = run(lines[start], clone, env)
            if old and old[-1] == CUT:
                new = [*new[: len(old) - 1], CUT]
            made += [*([""] if made else []), lines[start], *new]
        return "```text\n" + "\n".join(made) + "\n```"

    return _BLOCK.sub(block, text)


def samples(env: Mapping[str, str], pages: list[Path] = PAGES) -> dict[Path, str]:
    """Every page with its samples made anew (in order: the README's scan makes the warehouse the others read)."""
    with tempfile.TemporaryDirectory(prefix="rolesignal-samples-") as folder:
        clone = Path(folder) / "rolesignal"
        shutil.copytree(ROOT / "examples", clone / "examples")
        return {page: regenerate(page.read_text(encoding="utf-8"), clone, env) for page in pages}


def main() -> int:
    check = "--check" in sys.argv[1:]
    with tempfile.TemporaryDirectory(prefix="rolesignal-samples-prefect-") as home:
        made = samples(newcomer_environment(os.environ, Path(home)))
    stale = 0
    for page, text in made.items():
        old = page.read_text(encoding="utf-8")
        if text == old:
            continue
        stale += 1
        if check:
            name = str(page.relative_to(ROOT))
            sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), text.splitlines(True), name, name))
        else:
            page.write_text(text, encoding="utf-8")
            print(f"rewrote the samples in {page.relative_to(ROOT)}")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
