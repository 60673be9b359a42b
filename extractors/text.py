"""Plain-text and Markdown extraction, plus the line-classification helpers the PDF extractor shares."""

from __future__ import annotations

import math
import re

from rolesignal.extractors.errors import CorruptFile
from rolesignal.extractors.html_in_text import html_to_text
from rolesignal.extractors.types import Document, DocumentBuilder

# Glyphs that PDF/Word text layers use for list bullets (pypdf turns "•" into \x7f; Symbol-font bullets are \uf0b7).
BULLET_GLYPHS = "\x7f•▪◦●‣⁃■□\uf0b7\uf0a7\uf0d8\uf076"

_BULLET_RE = re.compile(
    r"^(?P<indent>[ \t]*)"
    # "\-" and "\*" are Markdown-escaped bullets, common in postings exported from web pages.
    r"(?P<marker>\\?[-*+–" + re.escape(BULLET_GLYPHS) + r"]"
    r"|\d{1,3}[.)]|[a-zA-Z]\)|\((?:[a-zA-Z]|\d{1,3}|[ivxIVX]{1,4})\))"
    r"[ \t]+(?P<body>\S.*)$"
)
_NUMBERED_RE = re.compile(r"^\d{1,3}[.)]$")
# A Markdown heading line ("## Skills"): the PDF reader finds them in texts printed to PDF too.
ATX_RE = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$")
_SETEXT_RE = re.compile(r"^ {0,3}(=+|-{2,})[ \t]*$")
_HR_RE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_GRID_BORDER_RE = re.compile(r"^\s*\+[-=+:]+\+\s*$")
_TABLE_SEP_RE = re.compile(r"^\s*\|?(?:\s*:?-+:?\s*\|)+\s*(?::?-+:?\s*)?\|?\s*$")
_BOLD_LINE_RE = re.compile(r"^\s*(\*\*|__)(?P<body>.+?)\1\s*(?P<colon>:?)\s*$")
_IMAGE_RE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK_RE = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|$<>~])")
_SPACES_RE = re.compile(r"[ \t\u00a0]+")
_SENTENCE_END = ".!?;:"
_FIELD_VALUE = re.compile(r"\d|https?://|www\.|@")
# A label naming a field of a notice or a form ("Buyer Name: ...", "Contact Email: ...", "Notice Type: ..."): the line
# is a field and its value whatever the value says, not a heading (a heading such as "Part A: Scope" names a part).
_FIELD_LABEL = re.compile(
    r"(?:^|\s)(?:name|address|e-?mail|phone|telephone|fax|contact|date|type|number|no\.?|id|reference|location|region"
    r"|value|currency|duration|status|category|code|title|description|website|link)$",
    re.IGNORECASE,
)
# Words that stay lowercase in Title Case headings.
_SMALL_WORDS = frozenset(
    "a an and as at but by for from in into nor of on or per the to vs via with within without & / -".split()
)
# A line ends early when it and the next line's first word would have filled less than this share of the width.
_EARLY_BREAK = 0.8
_CONTROL_BYTES = frozenset(range(32)) - {9, 10, 12, 13}


def clean_inline(text: str) -> str:
    """Strip simple Markdown inline markup and collapse whitespace."""
    text = text.replace("\u200b", "").replace("\ufeff", "")
    text = _IMAGE_RE.sub(r"\1", text)
    text = _LINK_RE.sub(r"\1", text)
    text = text.replace("**", "").replace("__", "").replace("`", "")
    text = _ESCAPE_RE.sub(r"\1", text)
    text = _SPACES_RE.sub(" ", text).strip()
    # "**Benefits** :" leaves a stray space before the colon.
    return re.sub(r"\s+:$", ":", text)


def split_bullet(line: str) -> tuple[int, str, str] | None:
    """Return (indent, marker, body) when the line starts with a list marker, else None."""
    m = _BULLET_RE.match(line)
    if not m:
        return None
    indent = len(m.group("indent").expandtabs(4))
    return indent, m.group("marker"), m.group("body")


def looks_like_heading(text: str) -> bool:
    """True for a short line that reads like a heading: Title Case or ALL CAPS, or ending with ':'."""
    t = text.strip()
    if not t or len(t) > 100:
        return False
    first = next((c for c in t if c.isalnum()), "")
    if not first or first.islower():
        return False
    words = t.split()
    if len(words) > 10:
        return False
    if t.endswith(":"):
        return True
    if t[-1] in ".!?;,":
        return False
    label, colon, value = t.partition(": ")
    if colon and label and (_FIELD_VALUE.search(value) or (len(label.split()) <= 3 and _FIELD_LABEL.search(label))):
        return False  # a field and its value ("Published on: March 10, 2021", "Contact Name: Sales"), no heading
    letters = [c for c in t if c.isalpha()]
    if len(letters) < 2 or t.count(",") >= 2:
        return False
    if all(c.isupper() for c in letters):
        return True
    for word in words:
        core = word.strip("()[]{}\"'“”‘’-–—/&*.,:")
        if not core or not core[0].isalpha() or core.lower() in _SMALL_WORDS:
            continue
        if core[0].islower():
            return False
    return True


def ends_sentence(text: str) -> bool:
    """True when the text ends with sentence-final (or list-introducing) punctuation."""
    t = text.rstrip(" )\"'”’")
    return bool(t) and t[-1] in _SENTENCE_END


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (BOM stripped), else cp1252, else latin-1; reject binary data."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    head = data[:8192]
    if (encoding := _utf16_without_bom(head)) is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            text = ""
        sample = text[:4096]
        if sample and sum(1 for c in sample if ord(c) in _CONTROL_BYTES) <= len(sample) * 0.10:
            return text
    controls = sum(1 for b in head if b in _CONTROL_BYTES or b == 0x7F)
    if b"\x00" in head or (head and controls > len(head) * 0.10):
        raise CorruptFile("binary data, not text: check the file type")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' for UTF-16 text saved without a byte-order mark (mostly ASCII: every other byte is
    zero, on one side only), else None."""
    if len(head) < 16:
        return None
    even, odd = head[0::2], head[1::2]
    zeros_even, zeros_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if zeros_odd > 0.7 and zeros_even < 0.05:
        return "utf-16-le"
    if zeros_even > 0.7 and zeros_odd < 0.05:
        return "utf-16-be"
    return None


class _TextParser:
    """Line-by-line Markdown-ish structure recovery feeding a DocumentBuilder."""

    def __init__(self, builder: DocumentBuilder) -> None:
        self.b = builder
        self.kind = ""  # kind of the open block ('' when none)
        self.parts: list[str] = []
        self.level = 0
        self.marker_indent = 0  # indent of the open bullet's marker
        self.list_indents: list[int] = []
        self.width = 0

    def flush(self) -> None:
        """Emit the open block, if any."""
        if self.kind:
            self.b.add(self.kind, clean_inline(" ".join(self.parts)), self.level)
        self.kind, self.parts, self.level = "", [], 0

    def emit(self, kind: str, text: str, level: int = 0) -> None:
        """Close the open block and emit a finished one."""
        self.flush()
        self.b.add(kind, clean_inline(text), level)

    def ended_early(self, prev: str, line: str) -> bool:
        """Whether the line before stopped short of the page's width with room for this line's first word: the break
        is the writer's, not a wrap (a name line above the body, a line per paragraph)."""
        if not self.width or prev.endswith((",", "-", "(", "/", "&")):
            return False
        word = line.split(maxsplit=1)[0]
        return len(prev) + 1 + len(word) < _EARLY_BREAK * self.width

    def list_level(self, indent: int) -> int:
        """Nesting depth of a bullet at this indent, from the indents of the enclosing list items."""
        while self.list_indents and self.list_indents[-1] > indent:
            self.list_indents.pop()
        if not self.list_indents or self.list_indents[-1] < indent:
            self.list_indents.append(indent)
        return len(self.list_indents) - 1

    def parse_page(self, text: str) -> None:
        """Parse one page (form-feed separated) of text."""
        lines = text.split("\n")
        self.width = _line_width(lines)
        blank_before = True
        in_table = False
        i = 0
        while i < len(lines):
            raw = lines[i].rstrip()
            i += 1
            if not raw.strip():
                in_table = False
                if self.kind != "bullet":
                    self.flush()
                blank_before = True
                continue
            was_blank, blank_before = blank_before, False
            stripped = raw.strip()
            indent = len(raw.expandtabs(4)) - len(raw.expandtabs(4).lstrip())

            if i < len(lines) and (setext := setext_level(raw, lines[i])):
                self.list_indents = []
                self.emit("heading", stripped, setext)
                i += 1
                continue
            if m := ATX_RE.match(raw):
                self.list_indents = []
                self.emit("heading", m.group(2) or "", len(m.group(1)))
                continue
            if _HR_RE.match(raw) or _GRID_BORDER_RE.match(raw):
                self.flush()
                continue
            following = lines[i].strip() if i < len(lines) else ""
            # A pipe table: rows start with '|', or (without outer pipes) a header row sits above a |---| line.
            header_row = "|" in stripped and "|" in following and bool(_TABLE_SEP_RE.match(following))
            if (stripped.startswith("|") and stripped.count("|") >= 2) or header_row or (in_table and "|" in stripped):
                in_table = True
                if not _TABLE_SEP_RE.match(stripped):
                    self.emit("table_row", table_row_text(stripped))
                continue
            in_table = False
            if (m := _BOLD_LINE_RE.match(raw)) and len(m.group("body").split()) <= 12:
                body = m.group("body").strip()
                if body and not body.endswith("."):
                    self.list_indents = []
                    self.emit("heading", body + m.group("colon"), 3)
                    continue
            bullet = split_bullet(raw)
            if bullet and self.kind == "paragraph" and not was_blank and not ends_sentence(self.parts[-1]):
                # "(1)" or "3." at the start of a hard-wrapped line continues the sentence above.
                if bullet[1][0].isalnum() or bullet[1][0] == "(":
                    bullet = None
            if bullet:
                b_indent, marker, body = bullet
                self.flush()
                if _NUMBERED_RE.match(marker) and b_indent == 0 and _is_all_caps(body):
                    self.list_indents = []
                    self.emit("heading", stripped, 2)
                    continue
                self.kind, self.parts = "bullet", [body]
                self.level = self.list_level(b_indent)
                self.marker_indent = b_indent
                continue
            self.plain_line(stripped, indent, was_blank, following)
        self.flush()

    def plain_line(self, line: str, indent: int, was_blank: bool, following: str = "") -> None:
        """Handle a line that is neither heading markup, table, rule nor bullet."""
        if self.kind == "bullet":
            # A bullet continues on indented lines (also after a blank line), or lazily on the very next line.
            lazy = not was_blank and not looks_like_heading(line) and not self.ended_early(self.parts[-1], line)
            if indent > self.marker_indent or lazy:
                self.parts.append(line)
                return
            self.flush()
        if self.kind == "paragraph" and not was_blank:
            prev = self.parts[-1]
            if line[0].islower() or not (
                (ends_sentence(prev) and looks_like_heading(clean_inline(line))) or self.ended_early(prev, line)
            ):
                self.parts.append(line)
                return
        self.flush()
        if indent == 0:
            self.list_indents = []
        # A long Title-Case-looking line running straight into more text is the first line of a wrapped paragraph.
        wrapped = len(line) >= 45 and bool(following) and not following.startswith(("|", "#", "=", "---"))
        if looks_like_heading(clean_inline(line)) and not (wrapped and not line.endswith(":")):
            self.emit("heading", line, 2)
        else:
            self.kind, self.parts, self.level = "paragraph", [line], 0


def setext_level(line: str, underline: str) -> int:
    """1 or 2 when `underline` (a line of === or ---) makes `line` a Setext heading, else 0 (a rule, a table row or a
    bullet stays what it is; a numbered line such as '1. OBJECTIVES' can be a heading)."""
    if not _SETEXT_RE.match(underline) or _HR_RE.match(line) or ATX_RE.match(line) or line.strip().startswith("|"):
        return 0  # '# Title' above '---' is a heading and then a rule
    bullet = split_bullet(line)
    if bullet is not None and not _NUMBERED_RE.match(bullet[1]):
        return 0
    return 1 if underline.strip()[0] == "=" else 2


def markup_line(line: str) -> tuple[str, int, str] | None:
    """(kind, level, text) of a line whose Markdown markup says what it is, or None; kind '' for a rule or a table's
    separator row, which carry no text.

    For PDF and DOCX files printed or pasted from a text or Markdown file (job boards export postings so): their lines
    keep the markup the text reader understands, and a heading written '## What you'll do' must open its section
    there too.
    """
    if m := ATX_RE.match(line):
        return "heading", len(m.group(1)), clean_inline(m.group(2) or "")
    stripped = line.strip()
    if _HR_RE.match(line) or _GRID_BORDER_RE.match(line) or (stripped.startswith("|") and _TABLE_SEP_RE.match(line)):
        return "", 0, ""
    if (m := _BOLD_LINE_RE.match(line)) and len(m.group("body").split()) <= 12:
        body = clean_inline(m.group("body"))
        if body and not body.endswith("."):
            return "heading", 3, body + m.group("colon")
    if stripped.startswith("|") and stripped.count("|") >= 2:
        return "table_row", 0, table_row_text(stripped)
    return None


def table_row_text(line: str) -> str:
    """Join a Markdown table row's non-empty cells with ' | '."""
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    cells = [clean_inline(c) for c in re.split(r"(?<!\\)\|", inner)]
    return " | ".join(c.replace("\\|", "|") for c in cells if c)


def _is_all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _line_width(lines: list[str]) -> int:
    """How wide the page's lines run: the 95th percentile of their lengths (a few long addresses or table rows
    aside); a text with one paragraph per line has no wrap width, so its widest lines set it."""
    lengths = sorted(len(line.strip()) for line in lines if line.strip() and not line.lstrip().startswith("|"))
    return lengths[math.ceil(0.95 * (len(lengths) - 1))] if lengths else 0


def parse_text_into(builder: DocumentBuilder, text: str) -> None:
    """Parse decoded text into blocks; a form feed starts a new page."""
    text = html_to_text(text.replace("\r\n", "\n").replace("\r", "\n"))
    parser = _TextParser(builder)
    for n, page in enumerate(text.split("\f")):
        if n:
            builder.new_page()
        parser.parse_page(page)


def extract_text(data: bytes, path: str, content_hash: str, file_type: str) -> Document:
    """Extract a .txt or .md file into a Document (one page unless it contains form feeds)."""
    builder = DocumentBuilder()
    parse_text_into(builder, decode_text(data))
    return builder.build(path, content_hash, file_type)
