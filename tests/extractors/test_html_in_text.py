"""HTML left in text files: tags read as the structure they mark, entities as characters, other text untouched."""

from __future__ import annotations

import pytest

from rolesignal.extractors.html_in_text import html_to_text
from rolesignal.extractors.text import extract_text


def blocks(text: str) -> list[tuple[str, str]]:
    return [(b.kind, b.text) for b in extract_text(text.encode(), "/x/a.md", "h", "md").blocks]


def test_lists_rows_headings_and_breaks_read_as_markdown() -> None:
    text = (
        "<h2>What you&#39;ll do</h2><ul><li>Build <b>RAG</b> features</li><li>Ship agents &amp; tools</li></ul>"
        '<table style="border: 1px"><tr><th>Skill</th><th>Level</th></tr>\n<tr><td>Python</td>\n<td>expert</td></tr>'
        "</table>First line<br>second line"
    )
    assert blocks(text) == [
        ("heading", "What you'll do"),
        ("bullet", "Build RAG features"),
        ("bullet", "Ship agents & tools"),
        ("table_row", "Skill | Level"),
        ("table_row", "Python | expert"),
        ("paragraph", "First line second line"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Send questions to <insert link> by <date>.",  # placeholders, not tags
        "Salary < 100k and R&D teams; AT&T; Q&nothing",  # no entity without its semicolon
        "Use `List<String>` in Java",
    ],
)
def test_text_without_html_is_left_as_it_is(text: str) -> None:
    assert html_to_text(text) == text


def test_inline_tags_alone_are_removed_and_entities_decoded() -> None:
    assert html_to_text("A <em>senior</em> role &ndash; remote") == "A senior role – remote"


def test_rows_and_headings_left_unclosed_end_at_the_next_one() -> None:
    text = "<table><tr><td>Python<td>expert<tr><td>SQL<td>good</table>\n<h3>Skills\n<h3>Benefits</h3>"
    assert blocks(text) == [
        ("table_row", "Python | expert"),
        ("table_row", "SQL | good"),
        ("heading", "Skills"),
        ("heading", "Benefits"),
    ]


def test_a_hundred_thousand_unclosed_rows_are_each_read() -> None:
    # 100,000 rows without '</tr>' (optional in HTML): a pattern spanning to the closing tag took minutes.
    assert html_to_text("<tr><td>x " * 100_000).count("\n| x |\n") == 100_000
