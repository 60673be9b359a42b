"""The documentation keeps up with the code: every command is in the README's command table, every option and every
view column is documented, and every relative link leads to a file (and heading) that exists."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import duckdb
import pytest

from rolesignal.flows.cli import cli
from rolesignal.warehouse.connect import CONFIG
from rolesignal.warehouse.schema import migrate, view_names

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
README_MAX_LINES = 250
QUICKSTART = (
    "python3 -m venv .venv && .venv/bin/pip install -q -c constraints.txt . && .venv/bin/rolesignal scan examples/inbox"
)
TEST_COMMAND = (
    "python3 -m venv .venv && .venv/bin/pip install -q -c constraints.txt -e '.[test]' "
    "&& .venv/bin/ruff check . && .venv/bin/pytest"
)
_FENCE = re.compile(r"^```.*?^```[^\n]*$", re.MULTILINE | re.DOTALL)
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def doc_pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def commands(group: click.Group = cli, prefix: str = "rolesignal") -> Iterator[tuple[str, click.Command]]:
    """(full name, command) of the group itself and every command under it, subgroups' commands included."""
    yield prefix, group
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from commands(command, f"{prefix} {name}")
        else:
            yield f"{prefix} {name}", command


def leaf_commands() -> list[str]:
    return [name for name, command in commands() if not isinstance(command, click.Group)]


def long_options(command: click.Command) -> list[str]:
    return [
        opt
        for param in command.params
        if isinstance(param, click.Option)
        for opt in param.opts + param.secondary_opts
        if opt.startswith("--") and opt != "--help"
    ]


def command_table() -> list[str]:
    """The commands named in the README's command table: the words of each row's first code span before its
    arguments (`rolesignal rules check [DIR]` names `rolesignal rules check`)."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    named = []
    for row in re.findall(r"^\| `(rolesignal[^`]*)`", section, re.MULTILINE):
        words = []
        for word in row.split():
            if not re.fullmatch(r"[a-z][a-z-]*", word):
                break
            words.append(word)
        named.append(" ".join(words))
    return named


def blocks(text: str) -> list[str]:
    """A page cut into paragraphs, list items (with their continuation lines), table rows and headings."""
    found: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        if (not line.strip() or line.startswith(("- ", "* ", "|", "#"))) and current:
            found.append("\n".join(current))
            current = []
        if line.strip():
            current.append(line)
    if current:
        found.append("\n".join(current))
    return found


def mentions(text: str, word: str) -> bool:
    return re.search(rf"(?<![\w.-]){re.escape(word)}(?![\w-])", text) is not None


def view_columns() -> dict[str, list[str]]:
    con = duckdb.connect(config=CONFIG)
    try:
        migrate(con)
        return {
            view: [d[0] for d in con.execute(f'SELECT * FROM "{view}" LIMIT 0').description] for view in view_names()
        }
    finally:
        con.close()


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_the_command_table_names_every_command_and_no_other() -> None:
    table = command_table()
    assert sorted(table) == sorted(leaf_commands()), "README's command table and the CLI's commands differ"


def test_every_option_is_documented() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in [README, *doc_pages()])
    missing = [
        f"{name} {opt}" for name, command in commands() for opt in long_options(command) if not mentions(text, opt)
    ]
    assert missing == [], f"options documented neither in README.md nor in docs/: {missing}"


def test_every_view_is_documented_with_all_its_columns() -> None:
    page_blocks = [block for page in doc_pages() for block in blocks(page.read_text(encoding="utf-8"))]
    problems = []
    for view, columns in view_columns().items():
        naming = [block for block in page_blocks if f"`{view}`" in block]
        if not naming:
            problems.append(f"{view}: not named in docs/")
            continue
        best = max(naming, key=lambda block: sum(mentions(block, c) for c in columns))
        if absent := [c for c in columns if not mentions(best, c)]:
            problems.append(f"{view}: no block of docs/ that names it lists {absent}")
    assert problems == [], f"views or columns missing from docs/: {problems}"


@pytest.mark.parametrize("page", [README, *doc_pages()], ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_lead_to_existing_files_and_headings(page: Path) -> None:
    broken = []
    for target in _LINK.findall(_FENCE.sub("", page.read_text(encoding="utf-8"))):
        if re.match(r"[a-z][a-z+.-]*:", target):  # https:, mailto: ...
            continue
        path_part, _, anchor = target.partition("#")
        linked = (page.parent / path_part).resolve() if path_part else page
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md":
            headings = re.findall(r"^#+ (.+)$", _FENCE.sub("", linked.read_text(encoding="utf-8")), re.MULTILINE)
            if anchor not in {slug(h) for h in headings}:
                broken.append(f"{target}: no such heading")
    assert broken == [], f"broken links in {page.name}: {broken}"


def test_the_readme_is_short_and_keeps_its_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= README_MAX_LINES
    assert QUICKSTART in text
    assert TEST_COMMAND in text
    assert TEST_COMMAND in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_the_docs_exist() -> None:
    assert {p.name for p in doc_pages()} >= {
        "rules.md",
        "warehouse.md",
        "scheduling.md",
        "bad-files.md",
        "performance.md",
    }
