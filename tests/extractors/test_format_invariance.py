"""The same corpus document as text, PDF and DOCX yields the same requirements (texts and strengths)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from benchmarks.render import blocks_from_text, render_docx, render_pdf, to_latin1
from rolesignal.extractors.read import read_document
from rolesignal.flows.analyse import Analyzer
from rolesignal.rules.doc_kind import detect_doc_kind
from rolesignal.rules.load import load_rules
from tests.conftest import SHARED, require_shared

DOCS = SHARED / "corpus" / "docs"
# The hand-marked documents plus labelled ones of each kind of layout (Markdown, bold-line headings, RFP prose).
INVARIANT = ["jp001", "jp014", "jp025", "jp038", "jp058", "jp020", "jp022", "jp048", "rfp013", "rfpx04"]
# Nested lists in RFPs: PDF and DOCX renders flatten the nesting that the text keeps, so a lead-in
# ("features such as:") reaches one item further there. Kept here so a fix shows up as XPASS.
KNOWN_DIFFERENT = ["rfp001"]


@lru_cache(maxsize=1)
def analyzer() -> Analyzer:
    return Analyzer(load_rules())


def requirements(path: Path) -> list[tuple[str, str]]:
    document = read_document(path)
    found = analyzer().find_requirements(document, detect_doc_kind(document, analyzer().rules))
    # Renders are latin-1 only, so compare transliterated, whitespace-normalised texts.
    return [(" ".join(to_latin1(r.text).split()), r.strength) for r in found]


def check(doc_id: str, tmp_path: Path) -> None:
    source = require_shared(DOCS / f"{doc_id}.txt")
    blocks = blocks_from_text(source.read_text(encoding="utf-8"))
    expected = requirements(source)
    assert expected, "the text version must state requirements for the comparison to mean anything"
    assert requirements(render_pdf(blocks, tmp_path / f"{doc_id}.pdf")) == expected
    assert requirements(render_docx(blocks, tmp_path / f"{doc_id}.docx")) == expected


@pytest.mark.parametrize("doc_id", INVARIANT)
def test_same_requirements_in_every_format(doc_id: str, tmp_path: Path) -> None:
    check(doc_id, tmp_path)


@pytest.mark.parametrize("doc_id", KNOWN_DIFFERENT)
# raises=AssertionError: only a wrong comparison is the expected failure; a missing corpus under CI still fails.
@pytest.mark.xfail(reason="nested RFP lists are flattened in PDF/DOCX renders", strict=True, raises=AssertionError)
def test_known_format_differences(doc_id: str, tmp_path: Path) -> None:
    check(doc_id, tmp_path)


# Markdown postings from job boards, printed plainly to PDF and pasted line by line into DOCX (markup kept).
PLAIN = ["jp020", "jp026", "jp065"]


@pytest.mark.parametrize("doc_id", PLAIN)
def test_plain_prints_of_markdown_read_like_the_text(doc_id: str, tmp_path: Path) -> None:
    from benchmarks.render import render_plain_docx, render_plain_pdf

    source = require_shared(DOCS / f"{doc_id}.txt")
    text = source.read_text(encoding="utf-8")
    expected = requirements(source)
    title = to_latin1(read_document(source).title)
    assert expected
    for rendered in (render_plain_pdf(text, tmp_path / "a.pdf"), render_plain_docx(text, tmp_path / "a.docx")):
        assert requirements(rendered) == expected, rendered.name
        assert to_latin1(read_document(rendered).title) == title, rendered.name
