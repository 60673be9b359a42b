"""PDF extraction: pypdfium2 first (fast, keeps bullets, joins hyphenation), pypdf as fallback; page furniture and
print stamps dropped. pdf_layout.py turns the page lines into blocks."""

from __future__ import annotations

import ctypes
import io
import logging
import os
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from rolesignal.extractors.errors import CorruptFile, EncryptedFile, ExtractionError, NoTextLayer
from rolesignal.extractors.pdf_layout import PageLine, Structurer
from rolesignal.extractors.text import ATX_RE, BULLET_GLYPHS
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
# What a browser or print dialog stamps at a page's edge: the date and time printed (header), the file's address with
# the page counter (footer). Nobody writes them; they would become a one-page document's title.
_PRINT_STAMP_RE = re.compile(
    r"^(?:\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4},?\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?(?:\s|$)"
    r"|file:///\S*(?:\s+\d+\s*/\s*\d+)?$"
    r"|https?://\S+\s+\d+\s*/\s*\d+$)"
)


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
    Structurer(pages).build(builder)
    return builder.build(path, content_hash, "pdf")


def _pdfium_lines(data: bytes) -> list[list[PageLine]]:
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


def _char_indices(textpage: pdfium.PdfTextPage, text: str, n: int) -> Sequence[int] | None:
    """PDFium's index of each character of the page's text, or None when they cannot be matched.

    Mostly they are the same. PDFium counts a character beyond the BMP (an emoji such as 🚀) as two, and a glyph
    with no Unicode value (an emoji drawn from an image font) as one that the text leaves out: without this map a
    single emoji would cost the whole page its geometry, and the document its headings and gaps.
    """
    if len(text) == n:
        return range(n + 1)  # the common case: no list to build
    at: list[int] = []
    for i in range(n):
        code = pdfium_c.FPDFText_GetUnicode(textpage.raw, i)
        if code and not 0xDC00 <= code <= 0xDFFF:  # a low surrogate belongs to the character before it
            at.append(i)
    at.append(n)
    return at if len(at) == len(text) + 1 else None


def _page_lines(textpage: pdfium.PdfTextPage, page_width: float) -> list[PageLine]:
    """Split a PDFium text page into lines; char indices map to geometry when the text aligns with them."""
    n = textpage.count_chars()
    text = textpage.get_text_range(0, n) if n else ""
    at = _char_indices(textpage, text, n)
    aligned = at is not None
    lines: list[PageLine] = []
    prev_end = 0
    for m in re.finditer(r"[^\r\n]+", text):
        breaks = text.count("\n", prev_end, m.start())
        prev_end = m.end()
        raw = m.group()
        if not raw.strip():
            lines.append(PageLine(""))  # a whitespace-only line: paragraph break
            continue
        line = PageLine(raw, gap_before=breaks > 1 and bool(lines))
        if aligned:
            first = m.start() + len(raw) - len(raw.lstrip())
            last = m.start() + len(raw.rstrip()) - 1
            mid = (first + last) // 2
            # Loose boxes span the font's ascent/descent, so line positions don't depend on glyph shapes.
            first, last, mid = at[first], at[last], at[mid]
            left, bottom, _, _ = textpage.get_charbox(first, loose=True)
            _, end_bottom, right, _ = textpage.get_charbox(last, loose=True)
            line.geo = True
            line.left, line.right, line.bottom, line.end_bottom = left, right, bottom, end_bottom
            # Size from mid-line: the first char may be a bullet glyph in a smaller symbol font.
            line.size = round(pdfium_c.FPDFText_GetFontSize(textpage.raw, mid), 1)
            line.page_width = page_width
            line.bold = _is_bold(textpage, first) and _is_bold(textpage, mid) and _is_bold(textpage, last)
        lines.append(line)
    # Blank lines become a gap mark on the following line.
    result: list[PageLine] = []
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


def _pypdf_lines(data: bytes, pdfium_error: str) -> list[list[PageLine]]:
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
            lines: list[PageLine] = []
            gap = False
            for raw in text.split("\n"):
                if not raw.strip():
                    gap = True
                    continue
                lines.append(PageLine(raw, gap_before=gap and bool(lines)))
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


def _drop_page_furniture(pages: list[list[PageLine]]) -> list[list[PageLine]]:
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


def _join_wrapped_markup_headings(lines: list[PageLine]) -> list[PageLine]:
    """A Markdown heading wrapped inside its link ('# [Senior Engineer -' / 'GenAI](https://...)') joined again.

    A text printed to PDF wraps long lines; a heading that is a link wraps before its long address, leaving the link's
    text open, or between the link's text and its address ('# [Senior Engineer]' / '(https://...)', as browsers
    print). The lines that close it (at most two) belong to the heading.
    """
    out: list[PageLine] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if ATX_RE.match(line.text):
            joined = 0
            while joined < 2 and i < len(lines) and not lines[i].gap_before:
                if line.text.endswith("]") and lines[i].text.startswith("("):
                    text = line.text + lines[i].text  # '](' must touch to read as a link
                elif _open_brackets(line.text):
                    text = f"{line.text} {lines[i].text}"
                else:
                    break
                line = replace(line, text=text, right=lines[i].right, end_bottom=lines[i].end_bottom)
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
