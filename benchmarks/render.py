"""Render a simple structured document into a real PDF (fpdf2) or DOCX (python-docx), for benchmarks and tests."""

from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import docx
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from rolesignal.extractors.text import extract_text

# A block is (kind, text) or (kind, text, level); kinds: heading, bullet, paragraph, table_row.
BlockSpec = tuple[str, str] | tuple[str, str, int]

_ASCII_MAP = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u2010": "-",
        "\u2011": "-",
        "\u2022": "-",
        "\u2026": "...",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u200b": "",
        "\ufeff": "",
        "\u2122": "(TM)",
        "\u20ac": "EUR",
    }
)
_NEXT_LINE = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def blocks_from_text(text: str) -> list[tuple[str, str, int]]:
    """Parse Markdown-ish text with the same rules as extract_text into (kind, text, level) blocks."""
    document = extract_text(text.encode("utf-8"), "", "", "txt")
    return [(b.kind, b.text, b.level) for b in document.blocks]


def to_latin1(text: str) -> str:
    """Transliterate typographic characters to ASCII and drop whatever Helvetica (latin-1) cannot show."""
    text = text.translate(_ASCII_MAP)
    out = []
    for ch in text:
        if ord(ch) < 256:
            out.append(ch)
            continue
        decomposed = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
        out.append(decomposed)
    return " ".join("".join(out).split())


def _unpack(block: BlockSpec) -> tuple[str, str, int]:
    kind, text = block[0], block[1]
    level = block[2] if len(block) > 2 else (1 if kind == "heading" else 0)
    return kind, text, level


def render_pdf(blocks: Sequence[BlockSpec], path: Path | str) -> Path:
    """Write the blocks as an A4 PDF: bold larger headings, dingbat bullets, wrapped paragraphs, '|' rows."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_margins(20, 15, 20)
    pdf.add_page()
    prev = ""
    for block in blocks:
        kind, text, level = _unpack(block)
        text = to_latin1(text)
        if not text:
            continue
        if kind == "heading":
            if pdf.get_y() > pdf.h - 45:
                pdf.add_page()  # keep a heading with what follows, as word processors do
            pdf.ln(4)
            pdf.set_font("Helvetica", "B", 15 if level <= 1 else 13)
            pdf.multi_cell(0, 8, text, **_NEXT_LINE)
            pdf.ln(2)
        elif kind == "bullet":
            if prev not in ("bullet", "heading"):
                pdf.ln(2)
            indent = 6 * min(level, 4)
            pdf.set_x(pdf.l_margin + indent)
            # ZapfDingbats "l" is a filled circle; PDFium and pypdf both read it back as U+25CF.
            pdf.set_font("zapfdingbats", "", 7)
            pdf.cell(5, 6, "l")
            pdf.set_font("Helvetica", "", 11)
            left = pdf.l_margin
            pdf.set_left_margin(left + indent + 5)  # hanging indent for wrapped lines
            pdf.multi_cell(0, 6, text, **_NEXT_LINE)
            pdf.set_left_margin(left)
            pdf.set_x(left)
        else:
            if prev != "heading":
                pdf.ln(4)  # paragraph spacing is what tells paragraphs apart in the text layer
            pdf.set_font("Helvetica", "", 11)
            pdf.multi_cell(0, 6, text, **_NEXT_LINE)
        prev = kind
    path = Path(path)
    pdf.output(str(path))
    return path


def render_docx(blocks: Sequence[BlockSpec], path: Path | str) -> Path:
    """Write the blocks as a DOCX: Heading 1/2 styles, List Bullet styles, real tables for table rows."""
    document = docx.Document()
    rows: list[list[str]] = []

    def flush_table() -> None:
        if not rows:
            return
        width = max(len(r) for r in rows)
        table = document.add_table(rows=len(rows), cols=width)
        for r, cells in enumerate(rows):
            for c, cell_text in enumerate(cells):
                table.cell(r, c).text = cell_text
        rows.clear()

    for block in blocks:
        kind, text, level = _unpack(block)
        text = _XML_INVALID.sub("", text).strip()
        if not text:
            continue
        if kind == "table_row":
            rows.append([c.strip() for c in text.split(" | ")])
            continue
        flush_table()
        if kind == "heading":
            document.add_heading(text, level=min(max(level, 1), 9))
        elif kind == "bullet":
            style = "List Bullet" if level == 0 else f"List Bullet {min(level + 1, 3)}"
            document.add_paragraph(text, style=style)
        else:
            document.add_paragraph(text)
    flush_table()
    path = Path(path)
    document.save(str(path))
    return path


def render_plain_pdf(text: str, path: Path | str, width: int = 90) -> Path:
    """Print a text file as a browser prints one: its lines as they are (Markdown markup and all) in a monospace
    font, long lines wrapped at `width` characters, the date and time and the file's name at the top of every page,
    its address and the page counter at the foot; no structure but the line breaks."""
    path = Path(path)

    class Printout(FPDF):
        def header(self) -> None:
            self.set_font("Helvetica", "", 8)
            self.set_y(5)
            self.cell(60, 4, "12/4/26, 10:51 PM")
            self.cell(0, 4, path.name)
            self.set_y(15)

        def footer(self) -> None:
            self.set_y(-10)
            self.set_font("Helvetica", "", 8)
            self.cell(150, 4, f"file:///home/you/Downloads/{path.name}")
            self.cell(0, 4, f"{self.page_no()}/{{nb}}", align="R")

    pdf = Printout(format="A4")
    pdf.alias_nb_pages()
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Courier", "", 9)
    for line in text.splitlines():
        line = _line_to_latin1(line)
        for piece in textwrap.wrap(line, width, break_on_hyphens=False) or [""]:
            pdf.cell(0, 4, piece, **_NEXT_LINE)
    pdf.output(str(path))
    return path


# Browsers whose headless mode prints a page to PDF, the first found on PATH is used.
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def find_browser() -> str | None:
    """A headless-capable Chromium-family browser on PATH, or None."""
    return _first_on_path(BROWSERS)


def render_browser_pdf(source: Path | str, path: Path | str, browser: str) -> Path:
    """Print a text file to PDF with a real browser's headless print (Chromium's own layout, fonts, wrapping, date,
    title, address and page counter), as a user who opens a .txt in a browser and saves it as PDF gets it."""
    path = Path(path)
    command = [browser, "--headless", "--disable-gpu", "--no-sandbox", f"--print-to-pdf={path.resolve()}"]
    result = subprocess.run(
        [*command, Path(source).resolve().as_uri()], capture_output=True, text=True, timeout=120, check=False
    )
    if not path.is_file():
        raise RuntimeError(f"{browser} printed no PDF for {source} (exit {result.returncode}): {result.stderr[-300:]}")
    return path


# An office suite whose headless mode converts a text file to PDF or DOCX.
OFFICE = ("soffice", "libreoffice")
# LibreOffice's text import: UTF-8, lines ending in LF; each line becomes a paragraph.
_OFFICE_TEXT_FILTER = "Text (encoded):UTF8,LF,,,"


def find_office() -> str | None:
    """LibreOffice's `soffice` on PATH, or None."""
    return _first_on_path(OFFICE)


def missing_converter(formats: Sequence[str]) -> str | None:
    """What is missing to make these benchmark formats ('pdf-browser', 'pdf-office', 'docx-office'), or None."""
    if "pdf-browser" in formats and not find_browser():
        return "pdf-browser needs chromium or google-chrome on PATH"
    if {"pdf-office", "docx-office"} & set(formats) and not find_office():
        return "pdf-office and docx-office need LibreOffice's soffice on PATH"
    return None


def _first_on_path(names: Sequence[str]) -> str | None:
    return next((found for name in names if (found := shutil.which(name))), None)


def render_office(sources: Sequence[Path], folder: Path | str, target: str, office: str) -> list[Path]:
    """Convert text files to `target` ('pdf' or 'docx') with LibreOffice in one headless run, as a user opening a
    .txt in Writer and saving it as PDF or Word gets it (one paragraph per line, Writer's default styles); the files
    are written to `folder` under the sources' stems."""
    folder = Path(folder)
    kind = {"pdf": "pdf", "docx": "docx:MS Word 2007 XML"}[target]
    command = [office, "--headless", f"--infilter={_OFFICE_TEXT_FILTER}", "--convert-to", kind, "--outdir", str(folder)]
    result = subprocess.run(
        [*command, *(str(p) for p in sources)], capture_output=True, text=True, timeout=600, check=False
    )
    made = [folder / f"{p.stem}.{target}" for p in sources]
    missing = [p.name for p in made if not p.is_file()]
    if missing:
        raise RuntimeError(
            f"{office} made no {target} of {missing[:3]} (exit {result.returncode}): {result.stderr[-300:]}"
        )
    return made


def render_plain_docx(text: str, path: Path | str) -> Path:
    """Paste a text file into Word: each line one Normal paragraph (Markdown markup and all), no styles or lists."""
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(_XML_INVALID.sub("", line))
    path = Path(path)
    document.save(str(path))
    return path


def _line_to_latin1(line: str) -> str:
    """One line in latin-1, its indentation kept (to_latin1 joins words, which would lose it)."""
    indent = len(line) - len(line.lstrip())
    return line[:indent].expandtabs(4) + to_latin1(line) if line.strip() else ""
