"""DOCX extraction with python-docx: body paragraphs, lists, tables and content controls in document order."""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Iterator

import docx
from docx.document import Document as DocxDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from lxml import etree

from rolesignal.extractors.docx_styles import SAFE_PARSER, DocxStyles, all_bold, style_kind, styles_of
from rolesignal.extractors.errors import CorruptFile
from rolesignal.extractors.text import (
    clean_inline,
    extract_text,
    looks_like_heading,
    markup_line,
    setext_level,
    split_bullet,
)
from rolesignal.extractors.types import Document, DocumentBuilder

MAX_UNCOMPRESSED = 200 * 1024 * 1024
_MAX_RATIO = 1000  # deflate cannot exceed ~1032:1, so anything near it is a crafted bomb
_MB = 1024 * 1024

_W_P, _W_TBL, _W_SDT, _W_SDT_CONTENT = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:sdtContent")
_W_T, _W_TAB, _W_BR, _W_CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_W_NB_HYPHEN, _W_TYPE, _W_VAL = qn("w:noBreakHyphen"), qn("w:type"), qn("w:val")
# Wrappers whose children are ordinary body content (tracked insertions, custom XML, smart tags).
_TRANSPARENT = frozenset({qn("w:ins"), qn("w:customXml"), qn("w:smartTag"), _W_SDT_CONTENT})
_W_BODY = qn("w:body")
_MAIN_PART, _MAIN_RELS = "word/document.xml", "word/_rels/document.xml.rels"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def extract_docx(data: bytes, path: str, content_hash: str) -> Document:
    """Extract a .docx into a Document; page breaks typed into the document start new pages.

    The body is read from the main part alone, with python-docx's XML classes: opening the whole package parses
    every part (a 350 KB styles.xml costs ~9 ms) when the text needs only the body and the styles it names. A
    document whose body has no text is opened in full, for its page header.
    """
    document_xml, styles_xml = _main_parts(data)
    try:
        root = parse_xml(document_xml)
    except etree.XMLSyntaxError as exc:
        raise CorruptFile(f"not a valid .docx ({exc}): re-save it from Word") from exc
    body = root.find(_W_BODY)
    builder = DocumentBuilder()
    walker = _Walker(builder, styles_of(styles_xml))
    if body is not None:
        walker.walk(body, None)
    if not walker.has_text:
        # Some postings put everything in the page header; only then is the whole package worth opening.
        document = _open_package(data)
        walker = _Walker(builder, DocxStyles.from_element(document.styles.element))
        if document.sections:
            header = document.sections[0].header
            if not header.is_linked_to_previous:
                walker.walk(header._element, header)
    return builder.build(path, content_hash, "docx")


def _open_package(data: bytes) -> DocxDocument:
    try:
        return docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile) as exc:
        raise CorruptFile("not a valid .docx (not a Word package): re-save it from Word") from exc
    except KeyError as exc:
        raise CorruptFile(f"not a valid .docx (missing part {exc}): re-save it from Word") from exc
    except (ValueError, etree.XMLSyntaxError) as exc:
        raise CorruptFile(f"not a valid .docx ({exc}): re-save it from Word") from exc


def _main_parts(data: bytes) -> tuple[bytes, bytes | None]:
    """The main document part's XML and its styles part's XML (None when it has none), after _check_package."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise CorruptFile("not a valid .docx (not a zip archive): re-save it from Word") from exc
    with package as zf:
        _check_package(zf.infolist())
        names = set(zf.namelist())
        document_xml = zf.read(_MAIN_PART)
        styles_name = "word/styles.xml"
        if _MAIN_RELS in names:
            try:
                rels = etree.fromstring(zf.read(_MAIN_RELS), SAFE_PARSER)
            except etree.XMLSyntaxError as exc:
                raise CorruptFile(f"not a valid .docx (document relationships: {exc}): re-save it from Word") from exc
            for rel in rels:
                if str(rel.get("Type", "")).endswith("/styles") and rel.get("TargetMode") != "External":
                    styles_name = posixpath.normpath(posixpath.join("word", rel.get("Target", "")))
        styles_xml = zf.read(styles_name) if styles_name in names else None
    return document_xml, styles_xml


def _check_package(infos: list[zipfile.ZipInfo]) -> None:
    """Reject packages without a main document and decompression bombs, before anything is decompressed."""
    total = sum(i.file_size for i in infos)
    absurd = any(i.file_size > 10 * _MB and i.file_size > _MAX_RATIO * max(i.compress_size, 1) for i in infos)
    if total > MAX_UNCOMPRESSED or absurd:
        raise CorruptFile(f"the .docx declares {total // _MB} MB uncompressed: refusing (zip bomb?)")
    if "word/document.xml" not in {i.filename for i in infos}:
        raise CorruptFile("not a valid .docx (no word/document.xml): re-save it from Word")


class _Walker:
    """Emits blocks for paragraphs and tables in document order, following page breaks."""

    def __init__(self, builder: DocumentBuilder, styles: DocxStyles) -> None:
        self.b = builder
        self.styles = styles
        self.has_text = False

    def walk(self, element: etree._Element, parent: object) -> None:
        """Emit every paragraph and table under a block container (body, cell, header, content control)."""
        items = _iter_block_items(element, parent)
        item = next(items, None)
        while item is not None:
            below = next(items, None)
            if not isinstance(item, Paragraph):
                self.table(item)
            elif isinstance(below, Paragraph) and (level := self.underlined(item, below)):
                # Markdown's underlined heading typed or pasted into Word ('1. OBJECTIVES' / '----------').
                if _page_break_before(item) and self.has_text:
                    self.b.new_page()
                self.add("heading", clean_inline(" ".join(item.text.split())), level)
                below = next(items, None)  # the underline itself says nothing
            else:
                self.paragraph(item)
            item = below

    def underlined(self, p: Paragraph, below: Paragraph) -> int:
        """The Setext heading level when a plain one-line paragraph is underlined by the next one, else 0."""
        text = p.text
        if "\n" in text.strip() or style_kind(p, self.styles) is not None:
            return 0
        return setext_level(text, below.text)

    def add(self, kind: str, text: str, level: int = 0) -> None:
        if text.strip():
            self.has_text = True
            self.b.add(kind, text, level)

    def paragraph(self, p: Paragraph) -> None:
        segments = _paragraph_segments(p._p)
        if _page_break_before(p) and self.has_text:
            self.b.new_page()
        for n, segment in enumerate(segments):
            if n and self.has_text:
                self.b.new_page()
            text = " ".join(segment.split())
            if not text:
                continue
            if "\n" in segment.strip() and style_kind(p, self.styles) is None and not all_bold(p, self.styles):
                # Lines kept apart by line breaks in a plain paragraph (a text pasted into Word): read them as the
                # text reader reads a file's lines, so '- item' lines stay items and a '## Skills' line a heading.
                for block in extract_text(segment.encode("utf-8"), "", "", "txt").blocks:
                    self.add(block.kind, block.text, block.level)
                continue
            kind, level, text = _classify(p, text, self.styles)
            self.add(kind, clean_inline(text), level)

    def table(self, table: Table) -> None:
        nested: list[Table] = []
        for tr in table._tbl.tr_lst:
            cells: list[str] = []
            seen: set[int] = set()
            # tc_lst holds each grid-spanning cell once; vertically merged continuations are empty.
            for tc in tr.tc_lst:
                if id(tc) in seen:
                    continue
                seen.add(id(tc))
                cell = _Cell(tc, table)
                texts = []
                for item in _iter_block_items(tc, cell):
                    if isinstance(item, Paragraph):
                        texts.append(" ".join(" ".join(_paragraph_segments(item._p)).split()))
                    else:
                        nested.append(item)
                cell_text = " ".join(t for t in texts if t)
                if cell_text:
                    cells.append(cell_text)
            self.add("table_row", " | ".join(cells))
            for inner in nested:
                self.table(inner)
            nested.clear()


def _iter_block_items(element: etree._Element, parent: object) -> Iterator[Paragraph | Table]:
    """Paragraphs and tables in order, descending into content controls that python-docx skips."""
    for child in element.iterchildren():
        tag = child.tag
        if tag == _W_P:
            yield Paragraph(child, parent)
        elif tag == _W_TBL:
            yield Table(child, parent)
        elif tag == _W_SDT:
            content = child.find(_W_SDT_CONTENT)
            if content is not None:
                yield from _iter_block_items(content, parent)
        elif tag in _TRANSPARENT:
            yield from _iter_block_items(child, parent)


def _paragraph_segments(p: etree._Element) -> list[str]:
    """The paragraph's text split at explicit page breaks (includes tracked insertions, skips deletions)."""
    segments: list[list[str]] = [[]]
    fallbacks: list[etree._Element] = []
    # lxml walks the tree in C; only the few tags that carry text or breaks come back to Python.
    for el in p.iter(_W_T, _W_TAB, _W_BR, _W_CR, _W_NB_HYPHEN, _MC_FALLBACK):
        tag = el.tag
        if tag == _MC_FALLBACK:
            fallbacks.append(el)  # duplicate (VML) rendering of a text box already seen in mc:Choice
            continue
        if fallbacks and any(a in fallbacks for a in el.iterancestors(_MC_FALLBACK)):
            continue
        if tag == _W_T:
            segments[-1].append(el.text or "")
        elif tag == _W_TAB:
            segments[-1].append(" ")
        elif tag == _W_NB_HYPHEN:
            segments[-1].append("-")
        elif el.get(_W_TYPE) == "page":
            segments.append([])
        elif el.get(_W_TYPE) == "column":
            segments[-1].append(" ")
        else:
            segments[-1].append("\n")  # a line break: the lines of a text pasted into one paragraph
    return ["".join(s) for s in segments]


def _page_break_before(p: Paragraph) -> bool:
    ppr = p._p.pPr
    if ppr is None:
        return False
    el = ppr.find(qn("w:pageBreakBefore"))
    return el is not None and el.get(_W_VAL, "true") not in ("0", "false", "off")


def _classify(p: Paragraph, text: str, styles: DocxStyles) -> tuple[str, int, str]:
    """(kind, level, text) for a paragraph from its style, numbering, formatting and wording."""
    if styled := style_kind(p, styles):
        kind, level = styled
        if kind == "heading":
            return kind, level, text
        bullet = split_bullet(text)  # a typed marker inside a list paragraph is redundant
        return "bullet", level, bullet[2] if bullet and not bullet[1][0].isalnum() else text
    if (markup := markup_line(text)) is not None:
        return markup  # a paragraph typed in Markdown ('## Requirements', '**Skills:**'), as a text file would be read
    if bullet := split_bullet(text):
        return "bullet", 0, bullet[2]
    if all_bold(p, styles) and len(text.split()) <= 12 and not text.endswith("."):
        return "heading", 3, text
    if looks_like_heading(text):
        return "heading", 2, text
    return "paragraph", 0, text
