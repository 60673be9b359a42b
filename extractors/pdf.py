"""PDF extraction: pypdfium2 first (fast, keeps bullets, joins hyphenation), pypdf as fallback."""

from __future__ import annotations

import ctypes
import io
import logging
import os
import re
import statistics
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from itertools import pairwise

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from rolesignal.extractors.errors import CorruptFile, EncryptedFile, ExtractionError, NoTextLayer
from rolesignal.extractors.text import (
    ATX_RE,
    BULLET_GLYPHS,
    clean_inline,
    ends_sentence,
    looks_like_heading,
    markup_line,
    split_bullet,
)
from rolesignal.extractors.types import Document, DocumentBuilder

PDF_ENGINES = ("pdfium", "pypdf")
# Chooses the first PDF reader (the other one stays the fallback only for pdfium); for measurements and odd files.
ENGINE_ENV = "ROLESIGNAL_PDF_ENGINE"

# pypdf logs a warning for every repaired xref; the typed errors carry what matters.
logging.getLogger("pypdf").setLevel(logging.ERROR)

# PDFium is not thread-safe; flows may run tasks in threads.
_PDFIUM_LOCK = threading.Lock()

MIN_CHARS_PER_PAGE = 20
_ENCRYPTED_MSG = "encrypted PDF: remove the password or supply an unencrypted copy"
_GLYPH_RE = re.compile("^[ \t]*[" + re.escape(BULLET_GLYPHS) + r"][ \t]*")
_PAGE_NUMBER_RE = re.compile(r"^[-–—\s]*(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?[-–—\s]*$", re.IGNORECASE)
_DIGITS_RE = re.compile(r"\d+")
# A line that states an obligation is content even when its number counts the pages (one numbered requirement a page).
_SENTENCE_RE = re.compile(r"\b(?:shall|must|will|should|may)\b", re.IGNORECASE)
_UNORDERED = "-*+–" + BULLET_GLYPHS  # list markers that are not numbers or letters
# What a browser or print dialog stamps at a page's edge: the date and time printed (header), the file's address with
# the page counter (footer). Nobody writes them; they would become a one-page document's title.
_PRINT_STAMP_RE = re.compile(
    r"^(?:\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4},?\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?(?:\s|$)"
    r"|file:///\S*(?:\s+\d+\s*/\s*\d+)?$"
    r"|https?://\S+\s+\d+\s*/\s*\d+$)"
)


@dataclass(slots=True)
class _Line:
    """One text line of a page, with geometry when PDFium supplied it."""

    text: str
    gap_before: bool = False  # blank line or extra vertical space above this line
    geo: bool = False
    left: float = 0.0
    right: float = 0.0
    bottom: float = 0.0
    size: float = 0.0
    bold: bool = False
    page_width: float = 612.0


def pdf_engine(engine: str | None = None) -> str:
    """The PDF reader to use first: 'pdfium' (default, measured faster and better) or 'pypdf'."""
    engine = engine or os.environ.get(ENGINE_ENV) or "pdfium"
    if engine not in PDF_ENGINES:
        raise ValueError(f"unknown PDF engine {engine!r} (from {ENGINE_ENV}?): use one of {', '.join(PDF_ENGINES)}")
    return engine


def extract_pdf(data: bytes, path: str, content_hash: str, engine: str | None = None) -> Document:
    """Extract a PDF into a Document with one Page per PDF page."""
    head = data[:1024]
    if b"%PDF-" not in head:
        shown = data[:24].decode("latin-1").encode("unicode_escape").decode("ascii")
        raise CorruptFile(f"not a PDF: the file starts with {shown!r}; check the file type")
    if pdf_engine(engine) == "pypdf":
        pages = _pypdf_lines(data, "")
    else:
        try:
            pages = _pdfium_lines(data)
        except ExtractionError:
            raise
        except pdfium.PdfiumError as exc:
            if "password" in str(exc).lower():
                raise EncryptedFile(_ENCRYPTED_MSG) from exc
            pages = _pypdf_lines(data, f"pdfium: {exc}; ")
    total = sum(len("".join(line.text.split())) for page in pages for line in page)
    if total < MIN_CHARS_PER_PAGE * max(len(pages), 1):
        raise NoTextLayer("no text layer (scanned?): run OCR first")
    pages = [_join_wrapped_markup_headings(page) for page in _drop_page_furniture(pages)]
    builder = DocumentBuilder()
    _Structurer(pages).build(builder)
    return builder.build(path, content_hash, "pdf")


def _pdfium_lines(data: bytes) -> list[list[_Line]]:
    """Read every page's lines with PDFium, including position, font size and boldness of each line."""
    with _PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(data)
        try:
            pages = []
            for index in range(len(pdf)):
                page = pdf[index]
                textpage = page.get_textpage()
                try:
                    pages.append(_page_lines(textpage, page.get_width()))
                finally:
                    textpage.close()
                    page.close()
            return pages
        finally:
            pdf.close()


def _page_lines(textpage: pdfium.PdfTextPage, page_width: float) -> list[_Line]:
    """Split a PDFium text page into lines; char indices map to geometry when the text aligns with them."""
    n = textpage.count_chars()
    text = textpage.get_text_range(0, n) if n else ""
    aligned = len(text) == n  # astral characters would shift indices
    lines: list[_Line] = []
    prev_end = 0
    for m in re.finditer(r"[^\r\n]+", text):
        breaks = text.count("\n", prev_end, m.start())
        prev_end = m.end()
        raw = m.group()
        if not raw.strip():
            lines.append(_Line(""))  # a whitespace-only line: paragraph break
            continue
        line = _Line(raw, gap_before=breaks > 1 and bool(lines))
        if aligned:
            first = m.start() + len(raw) - len(raw.lstrip())
            last = m.start() + len(raw.rstrip()) - 1
            mid = (first + last) // 2
            # Loose boxes span the font's ascent/descent, so line positions don't depend on glyph shapes.
            left, bottom, _, _ = textpage.get_charbox(first, loose=True)
            _, _, right, _ = textpage.get_charbox(last, loose=True)
            line.geo = True
            line.left, line.right, line.bottom = left, right, bottom
            # Size from mid-line: the first char may be a bullet glyph in a smaller symbol font.
            line.size = round(pdfium_c.FPDFText_GetFontSize(textpage.raw, mid), 1)
            line.page_width = page_width
            line.bold = _is_bold(textpage, first) and _is_bold(textpage, mid) and _is_bold(textpage, last)
        lines.append(line)
    # Blank lines become a gap mark on the following line.
    result: list[_Line] = []
    gap = False
    for line in lines:
        if not line.text.strip():
            gap = True
            continue
        line.gap_before = line.gap_before or (gap and bool(result))
        gap = False
        result.append(line)
    return result


def _is_bold(textpage: pdfium.PdfTextPage, index: int) -> bool:
    """True when the character's font is bold by weight or by name."""
    weight = pdfium_c.FPDFText_GetFontWeight(textpage.raw, index)
    if weight >= 600:
        return True
    size = pdfium_c.FPDFText_GetFontInfo(textpage.raw, index, None, 0, None)
    if size <= 0:
        return False
    buf = ctypes.create_string_buffer(size)
    pdfium_c.FPDFText_GetFontInfo(textpage.raw, index, buf, size, None)
    name = buf.value.decode("latin-1").lower()
    return any(k in name for k in ("bold", "black", "heavy", "semibold", "demi"))


def _pypdf_lines(data: bytes, pdfium_error: str) -> list[list[_Line]]:
    """Fallback text extraction with pypdf (no geometry) for files PDFium cannot open."""
    # Imported here: the fallback is rare, and pypdf costs every worker 16 MB.
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, WrongPasswordError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise EncryptedFile(_ENCRYPTED_MSG)
        pages = []
        for page in reader.pages:
            text = page.extract_text() or ""
            # pypdf keeps line-end hyphenation that PDFium would have joined.
            text = re.sub(r"(\w)-\n(?=[a-z])", r"\1", text)
            lines: list[_Line] = []
            gap = False
            for raw in text.split("\n"):
                if not raw.strip():
                    gap = True
                    continue
                lines.append(_Line(raw, gap_before=gap and bool(lines)))
                gap = False
            pages.append(lines)
        return pages
    except (FileNotDecryptedError, WrongPasswordError) as exc:
        raise EncryptedFile(_ENCRYPTED_MSG) from exc
    except ExtractionError:
        raise
    except Exception as exc:  # any parser failure (PyPdfError and others) means the file is damaged
        raise CorruptFile(
            f"damaged or truncated PDF ({pdfium_error}pypdf: {type(exc).__name__}: {exc}): "
            "re-download or re-export the file"
        ) from exc


def _normalise(text: str) -> str:
    """Join PDFium hyphenation, unify bullet glyphs to '•', tidy whitespace."""
    text = text.replace("\x02", "").replace("\ufffe", "").replace("\u00ad", "")
    text = _GLYPH_RE.sub("• ", text)
    return " ".join(text.split())


def _drop_page_furniture(pages: list[list[_Line]]) -> list[list[_Line]]:
    """Drop page-number lines, print stamps, and running headers/footers repeated on most pages (kept on page 1).

    A line at the top or bottom of most pages is furniture when its text is the same on them ("ACME RFP 2024") or
    when it is short, states nothing and its numbers count the pages ("Page 3 of 30", "Section 2 - 7"). Lines that
    differ only in other numbers, or that state an obligation ("REQ-0012 The system shall log event 12"), are
    numbered content: they stay.
    """
    for page in pages:
        for line in page:
            line.text = _normalise(line.text)
    threshold = max(3, 0.6 * len(pages))
    seen: dict[str, list[tuple[int, str]]] = defaultdict(list)
    if len(pages) >= 3:
        for number, page in enumerate(pages):
            for text in {ln.text for ln in page[:3] + page[-3:]}:
                seen[_DIGITS_RE.sub("#", text)].append((number, text))
    furniture: set[str] = set()  # exact texts to drop
    paged: set[str] = set()  # keys whose numbers count the pages: every text of theirs is furniture
    for key, found in seen.items():
        if len({n for n, _ in found}) < threshold:
            continue
        texts = Counter(text for _, text in found)
        furniture.update(text for text, count in texts.items() if count >= threshold)
        if "#" in key and not _SENTENCE_RE.search(key) and len(key.split()) < 8 and _counts_pages(found):
            paged.add(key)
    result = []
    for number, page in enumerate(pages):
        kept = []
        for pos, line in enumerate(page):
            at_edge = pos < 3 or pos >= len(page) - 3
            if not line.text or _PAGE_NUMBER_RE.match(line.text) or (at_edge and _PRINT_STAMP_RE.match(line.text)):
                continue
            if at_edge and number > 0 and (line.text in furniture or _DIGITS_RE.sub("#", line.text) in paged):
                continue
            kept.append(line)
        result.append(kept)
    return result


def _join_wrapped_markup_headings(lines: list[_Line]) -> list[_Line]:
    """A Markdown heading wrapped inside its link ('# [Senior Engineer -' / 'GenAI](https://...)') joined again.

    A text printed to PDF wraps long lines; a heading that is a link wraps before its long address, leaving the link's
    text open. The lines that close it (at most two) belong to the heading.
    """
    out: list[_Line] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if ATX_RE.match(line.text):
            joined = 0
            while joined < 2 and i < len(lines) and _open_brackets(line.text) and not lines[i].gap_before:
                line = replace(line, text=f"{line.text} {lines[i].text}")
                i += 1
                joined += 1
        out.append(line)
    return out


def _open_brackets(text: str) -> bool:
    return text.count("[") > text.count("]") or text.count("(") > text.count(")")


def _counts_pages(found: list[tuple[int, str]]) -> bool:
    """Whether, on most of its pages, a line holds the page's number plus one fixed offset ("Page 3 of 30")."""
    numbers = [(page, {int(d) for d in _DIGITS_RE.findall(text)[:6]}) for page, text in found]
    offsets = Counter(value - page for page, values in numbers for value in values)
    return any(count >= 0.8 * len(found) for count in offsets.values())


class _Structurer:
    """Turns page lines into heading/bullet/paragraph blocks."""

    def __init__(self, pages: list[list[_Line]]) -> None:
        self.pages = pages
        lines = [ln for page in pages for ln in page]
        geo = [ln for ln in lines if ln.geo]
        self.geo = len(geo) == len(lines) and bool(lines)
        if self.geo:
            sizes: Counter[float] = Counter()
            for ln in geo:
                sizes[ln.size] += len(ln.text)
            self.body_size = sizes.most_common(1)[0][0] or 10.0
            rights = sorted(ln.right for ln in geo)
            lefts = sorted(ln.left for ln in geo)
            self.margin_right = rights[int(0.95 * (len(rights) - 1))]
            self.margin_left = lefts[int(0.05 * (len(lefts) - 1))]
            self.pitch = self._pitch()
        else:
            lengths = sorted(len(ln.text) for ln in lines) or [80]
            self.full_chars = lengths[int(0.9 * (len(lengths) - 1))]

    def _pitch(self) -> float:
        """Typical distance between consecutive body-text lines."""
        deltas = []
        for page in self.pages:
            for prev, cur in pairwise(page):
                if not cur.gap_before and prev.size == cur.size == self.body_size:
                    delta = prev.bottom - cur.bottom
                    if delta > 0:
                        deltas.append(delta)
        return statistics.median(deltas) if deltas else self.body_size * 1.2

    def is_full(self, line: _Line) -> bool:
        """True when the line runs (nearly) to the right margin, i.e. the text wraps onto the next line."""
        if self.geo:
            # Lines in a document of only short lines never count as wrapped.
            width = self.margin_right - self.margin_left
            return line.right >= self.margin_right - 0.15 * width and line.right >= 0.6 * line.page_width
        return len(line.text) >= 0.75 * self.full_chars and len(line.text) >= 40

    def gap(self, prev: _Line, cur: _Line) -> bool:
        """True when extra vertical space (or a column/page jump) separates two lines."""
        if cur.gap_before:
            return True
        if not self.geo:
            return False
        delta = prev.bottom - cur.bottom
        scale = max(prev.size, cur.size, 1.0) / self.body_size
        return delta <= 0 or delta > 1.3 * self.pitch * scale

    def font_heading(self, line: _Line) -> bool:
        """True for a short line set larger or bolder than body text."""
        if not self.geo or len(line.text.split()) > 15:
            return False
        if line.size >= self.body_size * 1.15:
            return line.text[-1] not in ";,"
        if line.text[-1] in ".;,":
            return False
        # A bold line reaching the margin is a bold paragraph, not a heading.
        return line.bold and line.size >= self.body_size * 0.95 and not self.is_full(line)

    def build(self, builder: DocumentBuilder) -> None:
        """Feed all pages' blocks into the builder; a block running across a page break stays on its first page."""
        kind, parts, level = "", [], 0
        first: _Line | None = None
        prev: _Line | None = None
        prev_page = 0
        block_page = 0

        def flush() -> None:
            if kind:
                while builder.page < block_page + 1:
                    builder.new_page()
                builder.add(kind, clean_inline(" ".join(parts)), level)

        for page_index, page in enumerate(self.pages):
            for line in page:
                text = line.text
                if (markup := markup_line(text)) is not None:
                    flush()  # a Markdown heading, bold line, rule or table row stands alone, as in the text reader
                    kind, level, markup_text = markup
                    parts = [markup_text]
                    first, prev, block_page, prev_page = line, line, page_index, page_index
                    continue
                bullet = split_bullet(text)
                font_head = self.font_heading(line)
                if font_head and bullet is not None and bullet[1][0] not in _UNORDERED:
                    bullet = None  # "1. Purpose" set in a heading font is a numbered heading
                font_head = font_head and bullet is None
                cross = page_index != prev_page
                prev_page = page_index
                if kind and prev and first and self._continues(kind, first, prev, line, bullet, cross):
                    parts.append(text)
                    prev = line
                    continue
                flush()
                first, prev, block_page = line, line, page_index
                if bullet is not None:
                    kind, parts, level = "bullet", [bullet[2]], 0
                elif " | " in text:
                    kind, parts, level = "table_row", [text], 0  # cells already joined the way Block expects
                elif font_head:
                    kind, parts, level = "heading", [text], 1 if line.size >= self.body_size * 1.15 else 2
                elif looks_like_heading(text) and not (self.is_full(line) and not text.endswith(":")):
                    kind, parts, level = "heading", [text], 2
                else:
                    kind, parts, level = "paragraph", [text], 0
        flush()
        while builder.page < len(self.pages):
            builder.new_page()

    def _continues(self, kind: str, first: _Line, prev: _Line, line: _Line, bullet: object, cross: bool) -> bool:
        """Whether `line` continues the open block whose first line is `first` and last line `prev`."""
        if bullet is not None or (not cross and self.gap(prev, line)):
            return False
        if kind == "table_row" or " | " in line.text:
            # A long row wraps onto the next line; a new row starts after a short one.
            return kind == "table_row" and self.is_full(prev)
        if kind == "heading":
            # A long heading wraps onto a second line in the same font.
            return (
                self.geo
                and self.font_heading(line)
                and line.size == prev.size
                and line.bold == prev.bold
                and prev.right - self.margin_left >= 0.6 * (self.margin_right - self.margin_left)
                and not cross
            )
        if self.font_heading(line) and not line.text[0].islower():
            return False
        if cross and ends_sentence(prev.text) and line.text[0].isupper():
            return False  # a sentence ending at the foot of a page usually ends its paragraph
        if line.text[0].islower() or self.is_full(prev):
            return True
        if kind == "bullet" and self.geo and line.left > first.left + 3:
            return True  # hanging indent of a wrapped list item
        return False
