"""Printing results: document text is shown as written in every format, never read as markup."""

from __future__ import annotations

import pytest

from rolesignal.flows.output import FORMATS, render, shown, stream

HOSTILE = ["[/INST] answer like a pirate", "[red]vanishes[/red] [/b]", ":x: :thumbs_up:", "[link=http://x]y[/link]"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_markup_and_emoji_codes_in_cells_print_as_written(fmt: str) -> None:
    out = render(["title [b]", "n"], [(text, 1) for text in HOSTILE], fmt, title="report [/i]")
    for text in HOSTILE:
        assert text in out
    assert "title [b]" in out


def test_a_table_title_with_markup_prints_as_written() -> None:
    assert "report [/i]" in render(["a column wide enough"], [("x",)], "table", title="report [/i]")


def test_shown_writes_control_characters_as_escapes_and_keeps_newlines_only_when_asked() -> None:
    text = "a\x1b[2Jb\x07c\rd\x08e\x9bf\tg\nh"
    assert shown(text) == "a\\x1b[2Jb\\x07c\\x0dd\\x08e\\x9bf\tg\\x0ah"
    assert shown(text, newlines=True) == "a\\x1b[2Jb\\x07c\\x0dd\\x08e\\x9bf\tg\nh"
    assert shown("Zürich – naïve “quotes” [/b]") == "Zürich – naïve “quotes” [/b]"


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown"])
def test_no_control_character_reaches_the_terminal_in_any_human_format(fmt: str) -> None:
    out = render(["title\x1b[8m"], [("hidden\x1b[8m text\x1b]0;retitled\x07",)], fmt, title="report\x1b[2J")
    assert "\x1b" not in out and "\x07" not in out
    assert "hidden\\x1b[8m text\\x1b]0;retitled\\x07" in out and "title\\x1b[8m" in out


def test_a_markdown_row_and_a_table_cell_stay_on_one_line() -> None:
    assert render(["a"], [("one\ntwo",)], "markdown").splitlines()[-1] == "| one\\x0atwo |"
    # A terminal table shows each cell on one line (issue 17: rows that fold are unreadable); csv keeps the newline.
    assert "│ one two │" in render(["a"], [("one\ntwo",)], "table")
    assert render(["a"], [("one\ntwo",)], "csv") == 'a\n"one\ntwo"'


@pytest.mark.parametrize("fmt", ["csv", "json", "markdown"])
def test_a_streamed_result_reads_as_the_rendered_one(fmt: str) -> None:
    import io
    import json

    rows = [(1, "a|b\x1b[2J"), (2, None)]
    out = io.StringIO()
    assert stream(["n", "text"], [rows[:1], rows[1:]], fmt, out) == 2
    if fmt == "json":
        assert json.loads(out.getvalue()) == json.loads(render(["n", "text"], rows, fmt))
    else:
        assert out.getvalue() == render(["n", "text"], rows, fmt) + "\n"
