"""extract_docx: headings, lists, tables, content controls, page breaks and broken packages."""

from __future__ import annotations

import copy
import io
import zipfile

import docx
import pytest
from docx.enum.text import WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from rolesignal.extractors.docx import extract_docx
from rolesignal.extractors.errors import CorruptFile
from rolesignal.extractors.types import Document


def save(document: docx.document.Document) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def extract(data: bytes) -> Document:
    return extract_docx(data, "/x/doc.docx", "h")


def test_heading_styles_and_levels() -> None:
    d = docx.Document()
    d.add_heading("Job Title", level=0)
    d.add_heading("About the Role", level=1)
    d.add_heading("Tools", level=2)
    assert [(b.kind, b.text, b.level) for b in extract(save(d)).blocks] == [
        ("heading", "Job Title", 1),
        ("heading", "About the Role", 1),
        ("heading", "Tools", 2),
    ]


def test_a_markdown_underlined_heading_typed_in_paragraphs_is_a_heading() -> None:
    d = docx.Document()
    for line in ("1. OBJECTIVES", "----------", "The agency seeks a new matching system.", "Scope", "=====", "- Build"):
        d.add_paragraph(line)
    assert [(b.kind, b.text, b.level) for b in extract(save(d)).blocks] == [
        ("heading", "1. OBJECTIVES", 2),
        ("paragraph", "The agency seeks a new matching system.", 0),
        ("heading", "Scope", 1),
        ("bullet", "Build", 0),
    ]


def test_list_styles_are_bullets_with_levels() -> None:
    d = docx.Document()
    d.add_paragraph("Python", style="List Bullet")
    d.add_paragraph("NumPy", style="List Bullet 2")
    d.add_paragraph("Deploy models", style="List Number")
    assert [(b.kind, b.text, b.level) for b in extract(save(d)).blocks] == [
        ("bullet", "Python", 0),
        ("bullet", "NumPy", 1),
        ("bullet", "Deploy models", 0),
    ]


def test_table_rows_in_body_order() -> None:
    d = docx.Document()
    d.add_paragraph("Before the table.")
    t = d.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "Skill", (0, 1): "Level", (1, 0): "Python", (1, 1): "Expert"}.items():
        t.cell(r, c).text = text
    d.add_paragraph("After the table.")
    assert [(b.kind, b.text) for b in extract(save(d)).blocks] == [
        ("paragraph", "Before the table."),
        ("table_row", "Skill | Level"),
        ("table_row", "Python | Expert"),
        ("paragraph", "After the table."),
    ]


def test_merged_cells_appear_once() -> None:
    d = docx.Document()
    t = d.add_table(rows=2, cols=3)
    t.cell(0, 0).merge(t.cell(0, 2)).text = "Merged Header"
    t.cell(1, 0).merge(t.cell(1, 1)).text = "Wide"
    t.cell(1, 2).text = "Narrow"
    assert [b.text for b in extract(save(d)).blocks] == ["Merged Header", "Wide | Narrow"]


def test_nested_table_rows_follow_outer_row() -> None:
    d = docx.Document()
    outer = d.add_table(rows=1, cols=2)
    outer.cell(0, 0).text = "Outer"
    inner = outer.cell(0, 1).add_table(rows=1, cols=2)
    inner.cell(0, 0).text = "In A"
    inner.cell(0, 1).text = "In B"
    assert [b.text for b in extract(save(d)).blocks] == ["Outer", "In A | In B"]


def test_content_control_text_kept_in_order() -> None:
    d = docx.Document()
    d.add_paragraph("First paragraph here.")
    last = d.add_paragraph("Last paragraph here.")
    sdt = parse_xml(
        f"<w:sdt {nsdecls('w')}><w:sdtContent><w:p><w:r><w:t>Inside a content control.</w:t></w:r></w:p>"
        "</w:sdtContent></w:sdt>"
    )
    last._p.addprevious(sdt)
    assert [b.text for b in extract(save(d)).blocks] == [
        "First paragraph here.",
        "Inside a content control.",
        "Last paragraph here.",
    ]


def test_explicit_page_break_starts_page_two() -> None:
    d = docx.Document()
    d.add_paragraph("Page one text.")
    d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    d.add_paragraph("Page two text.")
    doc = extract(save(d))
    assert [(b.text, b.page) for b in doc.blocks] == [("Page one text.", 1), ("Page two text.", 2)]


def test_header_used_only_when_body_empty() -> None:
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "Header only posting text."
    assert [b.text for b in extract(save(d)).blocks] == ["Header only posting text."]
    d.add_paragraph("Body text wins.")
    assert [b.text for b in extract(save(d)).blocks] == ["Body text wins."]


def test_random_bytes_rejected() -> None:
    with pytest.raises(CorruptFile, match="not a valid .docx"):
        extract(bytes(range(256)) * 4)


def test_zip_without_document_xml_rejected() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(CorruptFile, match=r"no word/document.xml.*re-save it from Word"):
        extract(buf.getvalue())


def test_zip_bomb_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        # 11 MB of zeros deflates ~1000:1, the signature of a crafted bomb (cheaper to build than 200 MB).
        zf.writestr("word/document.xml", b"\0" * (11 * 1024 * 1024))
    with pytest.raises(CorruptFile, match=r"declares 11 MB uncompressed: refusing \(zip bomb\?\)"):
        extract(buf.getvalue())


def test_offsets_match_text() -> None:
    d = docx.Document()
    d.add_heading("Role", 1)
    d.add_paragraph("Text   with   spaces.")
    d.add_paragraph("Item", style="List Bullet")
    doc = extract(save(copy.deepcopy(d)))
    for b in doc.blocks:
        assert doc.text[b.char_start : b.char_end] == b.text


def _with_styles(data: bytes, edit: tuple[bytes, bytes]) -> bytes:
    """The same package with one replacement made in word/styles.xml."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            part = src.read(info.filename)
            dst.writestr(info, part.replace(*edit) if info.filename == "word/styles.xml" else part)
    return out.getvalue()


def test_styles_are_remembered_per_template_bytes() -> None:
    d = docx.Document()
    d.add_heading("About the Role", level=2)
    d.add_paragraph("We build things.")
    plain = save(d)
    renamed = _with_styles(plain, (b'w:val="heading 2"', b'w:val="heading 4"'))
    read = [[(b.kind, b.level) for b in extract(data).blocks] for data in (plain, renamed, plain)]
    # The same body under another template reads differently, and the first template's index is reused intact.
    assert read == [
        [("heading", 2), ("paragraph", 0)],
        [("heading", 4), ("paragraph", 0)],
        [("heading", 2), ("paragraph", 0)],
    ]


def test_paragraphs_typed_in_markdown_read_as_the_text_reader_reads_them() -> None:
    document = docx.Document()
    for line in ["# Senior ML Engineer", "## What you'll do", "- Train **ranking** models", "***", "**Skills:**"]:
        document.add_paragraph(line)
    doc = extract(save(document))
    assert [(b.kind, b.level, b.text) for b in doc.blocks] == [
        ("heading", 1, "Senior ML Engineer"),
        ("heading", 2, "What you'll do"),
        ("bullet", 0, "Train ranking models"),
        ("heading", 3, "Skills:"),
    ]


def test_lines_broken_inside_a_plain_paragraph_read_as_a_text_files_lines() -> None:
    document = docx.Document()
    pasted = document.add_paragraph("## Requirements")
    for line in ("- Python and PyTorch", "- Shipping models to production"):
        pasted.add_run().add_break()
        pasted.add_run(line)
    item = document.add_paragraph("A styled item", style="List Bullet")  # a list paragraph stays one item
    item.add_run().add_break()
    item.add_run("over two lines")
    doc = extract(save(document))
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("heading", "Requirements"),
        ("bullet", "Python and PyTorch"),
        ("bullet", "Shipping models to production"),
        ("bullet", "A styled item over two lines"),
    ]
