"""extract_pdf: structure recovery from real PDFs rendered with fpdf2, and the typed failures."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from pypdf import PdfWriter

from benchmarks.render import render_pdf
from rolesignal.extractors.errors import CorruptFile, EncryptedFile, NoTextLayer
from rolesignal.extractors.pdf import extract_pdf
from rolesignal.extractors.types import Document

NEXT = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}


def pdf_bytes(*pages: list[str], size: int = 11) -> bytes:
    """A PDF whose pages hold the given lines, one text line each, in plain Helvetica."""
    pdf = FPDF()
    pdf.set_font("Helvetica", "", size)
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.cell(0, 6, line, **NEXT)
    return bytes(pdf.output())


def extract(data: bytes) -> Document:
    return extract_pdf(data, "/x/doc.pdf", "h")


def test_headings_bullets_paragraphs_from_rendered_pdf(tmp_path: Path) -> None:
    blocks = [
        ("heading", "Machine Learning Engineer"),
        ("paragraph", "We build ranking models for search."),
        ("heading", "Requirements"),
        ("bullet", "Python and PyTorch"),
        ("bullet", "Experience shipping models"),
    ]
    doc = extract((render_pdf(blocks, tmp_path / "a.pdf")).read_bytes())
    assert [(b.kind, b.text) for b in doc.blocks] == blocks


def test_wrapped_lines_join_into_one_paragraph(tmp_path: Path) -> None:
    text = "Our team designs and operates large scale recommendation systems. " * 5
    doc = extract(render_pdf([("paragraph", text)], tmp_path / "a.pdf").read_bytes())
    assert [(b.kind, b.text) for b in doc.blocks] == [("paragraph", text.strip())]


def test_wrapped_bullet_joins(tmp_path: Path) -> None:
    text = "Design, build and maintain the evaluation harness for every model we ship to customers worldwide"
    doc = extract(render_pdf([("bullet", text), ("bullet", "Second item")], tmp_path / "a.pdf").read_bytes())
    assert [(b.kind, b.text) for b in doc.blocks] == [("bullet", text), ("bullet", "Second item")]


def test_dash_and_numbered_lines_are_bullets() -> None:
    doc = extract(pdf_bytes(["Skills:", "- Python", "1. Docker", "a) Kubernetes"]))
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("heading", "Skills:"),
        ("bullet", "Python"),
        ("bullet", "Docker"),
        ("bullet", "Kubernetes"),
    ]


def test_lowercase_continuation_joins_previous_line() -> None:
    doc = extract(pdf_bytes(["The vendor shall provide", "support for all models."]))
    assert [b.text for b in doc.blocks] == ["The vendor shall provide support for all models."]


def test_hyphenation_joined() -> None:
    # A narrow cell forces a line-end hyphen, which PDFium marks with \x02.
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(0, 6, "We need demon-", **NEXT)
    pdf.cell(0, 6, "strable experience in retrieval.", **NEXT)
    doc = extract(bytes(pdf.output()))
    assert "demonstrable" in doc.text


def test_page_numbers_dropped_and_pages_kept() -> None:
    doc = extract(pdf_bytes(["First page body text here.", "1"], ["Second page body text here.", "Page 2 of 2"]))
    assert [(b.text, b.page) for b in doc.blocks] == [
        ("First page body text here.", 1),
        ("Second page body text here.", 2),
    ]
    assert [p.number for p in doc.pages] == [1, 2]


def test_running_header_dropped_after_first_page() -> None:
    pages = [["ACME RFP 2024", f"Body text of page {n} is here."] for n in range(1, 4)]
    doc = extract(pdf_bytes(*pages))
    assert [b.text for b in doc.blocks].count("ACME RFP 2024") == 1


def test_numbered_lines_at_page_edges_are_content_and_page_counters_are_furniture() -> None:
    pages = [
        [
            "ACME RFP 2024",
            f"REQ-{n:04d} The system shall record event {n}.",
            f"Item {7 * n + 3} of the price list is fixed.",
            "Body text of the page is here.",
            f"Section 2 - {n}",
        ]
        for n in range(1, 13)
    ]
    texts = [b.text for b in extract(pdf_bytes(*pages)).blocks]
    assert [t for t in texts if t.startswith("REQ-")] == [
        f"REQ-{n:04d} The system shall record event {n}." for n in range(1, 13)
    ]
    assert len([t for t in texts if t.startswith("Item ")]) == 12  # numbers that do not count pages: content
    assert texts.count("ACME RFP 2024") == 1  # the same text on every page: kept on page 1 only
    assert [t for t in texts if t.startswith("Section 2 -")] == ["Section 2 - 1"]  # counts the pages: furniture


def test_encrypted_pdf_raises() -> None:
    writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes(["Secret requirements text for the job."])))
    writer.encrypt(user_password="x", algorithm="AES-256")
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(EncryptedFile, match="encrypted PDF"):
        extract(buf.getvalue())


def test_owner_password_only_pdf_is_read() -> None:
    writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes(["Readable requirements text for the job."])))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    assert extract(buf.getvalue()).blocks[0].text == "Readable requirements text for the job."


def test_blank_page_pdf_has_no_text_layer() -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 100, style="F")  # an "image" with no text
    with pytest.raises(NoTextLayer, match="run OCR"):
        extract(bytes(pdf.output()))


def test_html_named_pdf_rejected() -> None:
    with pytest.raises(CorruptFile, match="not a PDF: the file starts with '<!DOCTYPE html>"):
        extract(b"<!DOCTYPE html><html><body>Not found</body></html>")


def test_truncated_pdf_is_corrupt() -> None:
    data = pdf_bytes(["Some text that will be cut off."])
    with pytest.raises(CorruptFile, match="damaged or truncated PDF"):
        extract(data[:200])


def test_offsets_match_text(tmp_path: Path) -> None:
    blocks = [("heading", "Title"), ("paragraph", "Body text. " * 30), ("bullet", "An item")]
    doc = extract(render_pdf(blocks, tmp_path / "a.pdf").read_bytes())
    for b in doc.blocks:
        assert doc.text[b.char_start : b.char_end] == b.text
    for p in doc.pages:
        assert 0 <= p.char_start <= p.char_end <= len(doc.text)


def test_pypdf_fallback_reads_text_pdfium_cannot_open() -> None:
    import pypdfium2

    # A real damaged file rather than a patched reader: a trailer without /Root, which PDFium refuses to load and
    # pypdf reads by finding the catalogue itself.
    data = pdf_bytes(["Requirements", "- Python experience"]).replace(b"/Root", b"/Rxxx")
    with pytest.raises(pypdfium2.PdfiumError):
        pypdfium2.PdfDocument(data)
    doc = extract(data)
    assert [(b.kind, b.text) for b in doc.blocks] == [("heading", "Requirements"), ("bullet", "Python experience")]


def test_markdown_printed_to_pdf_keeps_its_structure() -> None:
    """A posting printed from its Markdown file: the markup says what the text reader would read."""
    lines = [
        "# [Research Engineer, Applied AI](https://jobs.example.com/1)",
        "---",
        "## **What you'll do**",
        "- Build **agents** on `LLM` APIs",
        "**Requirements:**",
        "| Skill | Level |",
        "|---|---|",
        "| Python | expert |",
    ]
    doc = extract(pdf_bytes(lines))
    assert [(b.kind, b.level, b.text) for b in doc.blocks] == [
        ("heading", 1, "Research Engineer, Applied AI"),
        ("heading", 2, "What you'll do"),
        ("bullet", 0, "Build agents on LLM APIs"),
        ("heading", 3, "Requirements:"),
        ("table_row", 0, "Skill | Level"),
        ("table_row", 0, "Python | expert"),
    ]
    assert doc.title == "Research Engineer, Applied AI"


def test_markdown_heading_wrapped_inside_its_link_is_joined() -> None:
    link = "GenAI](https://jobs.example.com/apply/senior-backend-engineer-genai)"
    lines = ["# [Senior Backend Engineer -", link, "Body."]
    doc = extract(pdf_bytes(lines))
    assert doc.title == "Senior Backend Engineer - GenAI"
    assert [b.kind for b in doc.blocks] == ["heading", "paragraph"]


def test_markdown_heading_wrapped_before_its_address_is_joined() -> None:
    # Browsers printing a text file break the line between a link's text and its address.
    lines = ["# [Senior Backend Engineer, GenAI]", "(https://jobs.example.com/apply/senior-backend-engineer)", "Body."]
    doc = extract(pdf_bytes(lines))
    assert doc.title == "Senior Backend Engineer, GenAI"
    assert [b.kind for b in doc.blocks] == ["heading", "paragraph"]


@pytest.mark.parametrize(
    ("header", "footer"),
    [
        ("12/4/26, 10:51 PM posting.txt", "file:///C:/Users/ana/Downloads/posting.txt 1/1"),
        ("04.12.2026, 22:51 posting.txt", "https://jobs.example.com/postings/17 1/1"),
    ],
)
def test_a_browsers_print_stamps_are_no_content(header: str, footer: str) -> None:
    doc = extract(pdf_bytes([header, "Senior ML Engineer", "Train ranking models.", footer]))
    assert doc.title == "Senior ML Engineer"
    assert [b.text for b in doc.blocks] == ["Senior ML Engineer", "Train ranking models."]


def test_dates_and_addresses_that_are_content_stay() -> None:
    lines = ["Schedule", "12/4/26 proposals due", "Apply at https://jobs.example.com/17"]
    assert [b.text for b in extract(pdf_bytes(lines)).blocks] == lines


def _line_of(width_share: float, words: str) -> str:
    """Words of `words`, repeated, up to about this share of the A4 text width in 11 pt Helvetica."""
    pdf = FPDF()
    pdf.set_font("Helvetica", "", 11)
    room = pdf.epw * width_share
    line = ""
    for word in words.split() * 20:
        if pdf.get_string_width(f"{line} {word}".strip()) > room:
            break
        line = f"{line} {word}".strip()
    return line


def test_a_line_with_room_left_for_the_next_word_ends_its_block() -> None:
    # Text pasted one paragraph per line and printed: a line ending just short of the margin, where the next word
    # would have fitted, was broken by its writer; a line that filled the width wraps.
    full = _line_of(0.99, "models and agents for search and ranking")
    short = _line_of(0.9, "Backend expertise in building scalable APIs and AI-driven features") + "."
    lines = [full, full, full, "go on here.", short, "AI integrations: hands-on experience."]
    doc = extract(pdf_bytes(lines))
    assert [b.text for b in doc.blocks] == [f"{full} {full} {full} go on here.", short, lines[-1]]


def test_a_character_beyond_the_bmp_keeps_the_pages_layout() -> None:
    # PDFium counts 𐌀 (or an emoji) as two characters: before the index map the page lost its geometry, so the line
    # set in a large font was no heading.
    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not font.is_file():
        pytest.skip("needs the DejaVu Sans font, which has characters beyond the BMP")
    pdf = FPDF()
    pdf.add_font("DejaVu", "", str(font))
    pdf.add_page()
    pdf.set_font("DejaVu", "", 20)
    pdf.cell(0, 10, "Join the ranking team", **NEXT)
    pdf.set_font("DejaVu", "", 11)
    for line in ("\U00010300 Remote, US", "We build ranking models for search.", "We run experiments on them."):
        pdf.cell(0, 6, line, **NEXT)
    doc = extract(bytes(pdf.output()))
    assert [(b.kind, b.text) for b in doc.blocks][0] == ("heading", "Join the ranking team")
    assert "\U00010300 Remote, US" in doc.text


def headed_pdf(*heading: str) -> bytes:
    """A page with these lines in a 22 pt bold heading font above two lines of 11 pt body text."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 22)
    for line in heading:
        pdf.cell(0, 10, line, **NEXT)
    pdf.set_font("Helvetica", "", 11)
    for line in ("We build ranking models for search and run experiments on them every week.", "Apply now."):
        pdf.cell(0, 6, line, **NEXT)
    return bytes(pdf.output())


def test_a_large_heading_that_wraps_after_a_comma_is_one_heading() -> None:
    doc = extract(headed_pdf("Senior Machine Learning Engineer,", "Checkout Underwriting"))
    assert doc.title == "Senior Machine Learning Engineer, Checkout Underwriting"
    assert doc.blocks[0].kind == "heading"


def test_a_title_in_a_large_font_with_a_bar_is_a_heading_not_a_table_row() -> None:
    doc = extract(headed_pdf("Data Driven | MLOps Engineer"))
    assert (doc.blocks[0].kind, doc.title) == ("heading", "Data Driven | MLOps Engineer")


def test_lines_pdfium_runs_together_at_a_hyphen_make_no_gap() -> None:
    # PDFium joins a line ending in a hyphen with the next one; measured from its first line, the joined line stood two
    # lines above the next, which read as a paragraph break in the middle of a sentence.
    lines = [
        "Requirements",
        "The contractor shall keep each page within a state-of-the-",
        "art performance budget for mobile devices, and shall",
        "report on it every month.",
    ]
    blocks = extract(pdf_bytes(lines)).blocks
    assert [b.kind for b in blocks] == ["heading", "paragraph"]
    assert blocks[1].text.endswith("and shall report on it every month.")


def test_a_markdown_underlined_heading_printed_to_pdf_is_a_heading() -> None:
    lines = ["1. OBJECTIVES", "----------", "The agency seeks a new matching system.", "Body text."]
    blocks = extract(pdf_bytes(lines)).blocks
    assert (blocks[0].kind, blocks[0].text) == ("heading", "1. OBJECTIVES")
    assert "----------" not in [b.text for b in blocks]
    # After a blank line the dashes are a rule: the line above stays what it was.
    lines = ["The agency seeks a new matching system.", "", "----------", "Body text."]
    assert [b.kind for b in extract(pdf_bytes(lines)).blocks] == ["paragraph", "paragraph"]
