"""extract_text: decoding, binary rejection and Markdown-ish structure recovery."""

from __future__ import annotations

import pytest

from rolesignal.extractors.errors import CorruptFile
from rolesignal.extractors.text import extract_text, markup_line
from rolesignal.extractors.types import Document


def parse(text: str | bytes) -> Document:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return extract_text(data, "/x/doc.txt", "h", "txt")


def kinds(doc: Document) -> list[tuple[str, str]]:
    return [(b.kind, b.text) for b in doc.blocks]


def test_atx_headings_levels_and_bold_stripped() -> None:
    doc = parse("# **Data Scientist**\n\n### Requirements ###\n")
    assert [(b.kind, b.text, b.level) for b in doc.blocks] == [
        ("heading", "Data Scientist", 1),
        ("heading", "Requirements", 3),
    ]


def test_setext_headings() -> None:
    doc = parse("Statement of Work\n=================\n\n1. OBJECTIVES\n-------------\n\nBuild it.\n")
    assert [(b.kind, b.text, b.level) for b in doc.blocks] == [
        ("heading", "Statement of Work", 1),
        ("heading", "1. OBJECTIVES", 2),
        ("paragraph", "Build it.", 0),
    ]


def test_bold_line_and_colon_line_are_headings() -> None:
    doc = parse("**Your Responsibilities** :\n\nWhat you bring:\n")
    assert kinds(doc) == [("heading", "Your Responsibilities:"), ("heading", "What you bring:")]


def test_bullets_all_markers_stripped() -> None:
    doc = parse("- dash item\n* star item\n• dot item\n+ plus item\n")
    assert kinds(doc) == [
        ("bullet", "dash item"),
        ("bullet", "star item"),
        ("bullet", "dot item"),
        ("bullet", "plus item"),
    ]


def test_numbered_items_are_bullets() -> None:
    doc = parse("1. first step\n2) second step\na) lettered step\n")
    assert kinds(doc) == [("bullet", "first step"), ("bullet", "second step"), ("bullet", "lettered step")]


def test_bullet_level_from_indentation() -> None:
    doc = parse("-   Position\n\n    -   Provide data\n\n        -   Grade\n-   Post\n")
    assert [(b.text, b.level) for b in doc.blocks] == [("Position", 0), ("Provide data", 1), ("Grade", 2), ("Post", 0)]


def test_indented_continuation_joins_bullet() -> None:
    doc = parse("- Build retrieval systems that\n  scale to billions of items\n- Ship models\n")
    assert kinds(doc) == [
        ("bullet", "Build retrieval systems that scale to billions of items"),
        ("bullet", "Ship models"),
    ]


def test_wrapped_paragraph_lines_join() -> None:
    doc = parse("The Contracting Officer (CO) is responsible\nfor monitoring compliance.\n\nNext paragraph.\n")
    assert kinds(doc) == [
        ("paragraph", "The Contracting Officer (CO) is responsible for monitoring compliance."),
        ("paragraph", "Next paragraph."),
    ]


def test_lines_wrapped_at_a_width_join_where_they_fill_it() -> None:
    wrapped = (
        "The supplier shall design and build a forecasting service for the\n"
        "utility's load and solar output and shall document every model used\n"
        "in the service.\n"
        "Proposals are due on 12 March.\n"
    )
    assert kinds(parse(wrapped)) == [
        (
            "paragraph",
            "The supplier shall design and build a forecasting service for the utility's load and solar output and "
            "shall document every model used in the service.",
        ),
        ("paragraph", "Proposals are due on 12 March."),
    ]


def test_a_line_that_ends_short_of_the_width_is_its_own_block() -> None:
    # Text pasted one paragraph per line: the job's name and the employer's line above the body stay lines.
    body = "We are looking for an engineer to build and train ranking models for search, and to run experiments. " * 2
    doc = parse(f"Senior Machine Learning Engineer, Search (Python | PyTorch)\nAcme Corp - Berlin\n{body.strip()}\n")
    assert kinds(doc) == [
        ("paragraph", "Senior Machine Learning Engineer, Search (Python | PyTorch)"),
        ("heading", "Acme Corp - Berlin"),
        ("paragraph", body.strip()),
    ]
    assert doc.title == "Senior Machine Learning Engineer, Search (Python | PyTorch)"


def test_a_bullet_that_ends_short_of_the_width_takes_no_lazy_continuation() -> None:
    text = (
        "- Code quality: writes clean, maintainable code.\n"
        "Additional skills (nice to have): experience with retrieval-augmented generation and vector databases.\n"
    )
    assert kinds(parse(text)) == [
        ("bullet", "Code quality: writes clean, maintainable code."),
        (
            "paragraph",
            "Additional skills (nice to have): experience with retrieval-augmented generation and vector databases.",
        ),
    ]


def test_parenthesised_number_inside_wrapped_sentence_is_not_a_bullet() -> None:
    doc = parse("The CO will designate one\n(1) representative for the work.\n")
    assert kinds(doc) == [("paragraph", "The CO will designate one (1) representative for the work.")]


def test_markdown_table_rows() -> None:
    doc = parse("| Skill | Level |\n|---|:--:|\n| Python | Expert |\n")
    assert kinds(doc) == [("table_row", "Skill | Level"), ("table_row", "Python | Expert")]


def test_inline_markup_stripped() -> None:
    doc = parse("Use `pytest` and **ruff**, see [the guide](https://example.com/g) and snake\\_case.\n")
    assert kinds(doc) == [("paragraph", "Use pytest and ruff, see the guide and snake_case.")]


def test_cp1252_text_decoded() -> None:
    doc = parse("We\x92re hiring \x93ML\x94 engineers \x96 remote.".encode("latin-1"))
    assert doc.blocks[0].text == "We’re hiring “ML” engineers – remote."


def test_utf8_bom_stripped() -> None:
    assert parse("\ufeffHello there, world.".encode()).text == "Hello there, world."


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_decoded_with_or_without_byte_order_mark(encoding: str) -> None:
    doc = parse("# ML Engineer\n\n- Train ranking models – in PyTorch\n".encode(encoding))
    assert kinds(doc) == [("heading", "ML Engineer"), ("bullet", "Train ranking models – in PyTorch")]


def test_binary_rejected() -> None:
    with pytest.raises(CorruptFile, match="binary data"):
        parse(b"PK\x03\x04\x00\x00binary\x00stuff")


def test_form_feed_starts_new_page() -> None:
    doc = parse("First page text.\fSecond page text.")
    assert [(b.text, b.page) for b in doc.blocks] == [("First page text.", 1), ("Second page text.", 2)]
    assert [p.number for p in doc.pages] == [1, 2]


def test_offsets_match_text() -> None:
    doc = parse("# Title\n\nSome text\nwrapped.\n\n- item one\n| a | b |\n")
    assert doc.blocks
    for b in doc.blocks:
        assert doc.text[b.char_start : b.char_end] == b.text


def test_pipe_table_without_outer_pipes() -> None:
    doc = parse("Deliverable | Due Date\n--- | ---\nCode | Weekly\n\nAfter.\n")
    assert kinds(doc) == [
        ("table_row", "Deliverable | Due Date"),
        ("table_row", "Code | Weekly"),
        ("paragraph", "After."),
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("### **About you**", ("heading", 3, "About you")),
        ("**Key skills** :", ("heading", 3, "Key skills:")),
        ("**We are hiring now.**", None),  # a bold sentence is no heading
        ("| a | b |", ("table_row", 0, "a | b")),
        ("|:---|---:|", ("", 0, "")),
        ("* * *", ("", 0, "")),
        ("- a bullet", None),
        ("Plain words", None),
    ],
)
def test_markup_line(line: str, expected: tuple[str, int, str] | None) -> None:
    assert markup_line(line) == expected


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Published on: March 10, 2021", "paragraph"),  # a field and its value
        ("Original Job Post: https://jobs.example.com/17", "paragraph"),
        ("Salary Range: $170,000 - $210,000", "paragraph"),
        ("Phase 1: Discovery and Design", "heading"),  # a numbered heading, its words no value
        ("Section 3: Scope of Work", "heading"),
        # A notice's fields, whatever their values say: "Contact Name" must not open a contact section.
        ("Contact Name: Commercial Team", "paragraph"),
        ("Buyer Name: Department for Trade", "paragraph"),
        ("Notice Type: Contract Notice", "paragraph"),
        ("Lot Title: AI Lab", "paragraph"),
        ("Part A: Technical Requirements", "heading"),
    ],
)
def test_a_field_and_its_value_is_no_heading(line: str, kind: str) -> None:
    assert kinds(parse(f"{line}\n\nSome text follows here.\n"))[0] == (kind, line)


def test_a_heading_above_a_rule_is_no_underlined_heading() -> None:
    doc = parse("# Research Engineer, Applied AI\n---\nWe build agents.\n")
    assert [(b.kind, b.level, b.text) for b in doc.blocks] == [
        ("heading", 1, "Research Engineer, Applied AI"),
        ("paragraph", 0, "We build agents."),
    ]
