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
