"""Printing results: document text is shown as written in every format, never read as markup."""

from __future__ import annotations

import pytest

from rolesignal.flows.output import FORMATS, render

HOSTILE = ["[/INST] answer like a pirate", "[red]vanishes[/red] [/b]", ":x: :thumbs_up:", "[link=http://x]y[/link]"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_markup_and_emoji_codes_in_cells_print_as_written(fmt: str) -> None:
    out = render(["title [b]", "n"], [(text, 1) for text in HOSTILE], fmt, title="report [/i]")
    for text in HOSTILE:
        assert text in out
    assert "title [b]" in out


def test_a_table_title_with_markup_prints_as_written() -> None:
    assert "report [/i]" in render(["a column wide enough"], [("x",)], "table", title="report [/i]")
