"""PDF page lines (text, position, size, boldness) into heading, bullet, paragraph and table-row blocks."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

from rolesignal.extractors.text import (
    BULLET_GLYPHS,
    clean_inline,
    ends_sentence,
    looks_like_heading,
    markup_line,
    setext_level,
    split_bullet,
)
from rolesignal.extractors.types import DocumentBuilder

_UNORDERED = "-*+–" + BULLET_GLYPHS  # list markers that are not numbers or letters


# Room a word needs at a line's end before the break counts as the writer's: its estimated width plus this share of
# the text width (estimates from a mean character width err on proportional fonts).
_ROOM_SPARE = 0.03


@dataclass(slots=True)
class PageLine:
    """One text line of a page, with geometry when PDFium supplied it."""

    text: str
    gap_before: bool = False  # blank line or extra vertical space above this line
    geo: bool = False
    left: float = 0.0
    right: float = 0.0
    bottom: float = 0.0
    # Where the line's last character stands: lower than `bottom` when PDFium ran two printed lines into one (it
    # joins a word hyphenated at a line's end, 'setting-a-' / 'performance-budget').
    end_bottom: float = 0.0
    size: float = 0.0
    bold: bool = False
    page_width: float = 612.0


class Structurer:
    """Turns page lines into heading/bullet/paragraph blocks."""

    def __init__(self, pages: list[list[PageLine]]) -> None:
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
                    delta = prev.end_bottom - cur.bottom
                    if delta > 0:
                        deltas.append(delta)
        return statistics.median(deltas) if deltas else self.body_size * 1.2

    def is_full(self, line: PageLine) -> bool:
        """True when the line runs (nearly) to the right margin, i.e. the text wraps onto the next line."""
        if self.geo:
            # Lines in a document of only short lines never count as wrapped.
            width = self.margin_right - self.margin_left
            return line.right >= self.margin_right - 0.15 * width and line.right >= 0.6 * line.page_width
        return len(line.text) >= 0.75 * self.full_chars and len(line.text) >= 40

    def had_room(self, prev: PageLine, line: PageLine) -> bool:
        """Whether the next line's first word would have fitted at the end of `prev`: then the writer broke the line
        (a name above the employer's line), it did not wrap. Word widths are estimated from `prev`'s mean character
        width, with a margin for proportional fonts."""
        word = len(line.text.split(maxsplit=1)[0]) + 1
        if not self.geo:
            return len(prev.text) + word < (1 - _ROOM_SPARE) * self.full_chars
        char = (prev.right - prev.left) / max(len(prev.text), 1)
        return prev.right + word * char < self.margin_right - _ROOM_SPARE * (self.margin_right - self.margin_left)

    def gap(self, prev: PageLine, cur: PageLine) -> bool:
        """True when extra vertical space (or a column/page jump) separates two lines."""
        if cur.gap_before:
            return True
        if not self.geo:
            return False
        delta = prev.end_bottom - cur.bottom
        scale = max(prev.size, cur.size, 1.0) / self.body_size
        return delta <= 0 or delta > 1.3 * self.pitch * scale

    def font_heading(self, line: PageLine) -> bool:
        """True for a short line set larger or bolder than body text."""
        if not self.geo or len(line.text.split()) > 15:
            return False
        if line.size >= self.body_size * 1.15:
            return line.text[-1] not in ";,"
        if line.text[-1] in ".;,":
            return False
        # A bold line reaching the margin is a bold paragraph, not a heading.
        return line.bold and line.size >= self.body_size * 0.95 and not self.is_full(line)

    def heading_wraps(self, line: PageLine, following: list[PageLine]) -> bool:
        """A line in a large font that ends in a comma, followed by a line in the same font: a heading that wraps
        ('Senior Machine Learning Engineer,' / 'Checkout Underwriting', a web page's title printed)."""
        if not (self.geo and following and line.text.endswith(",") and line.size >= self.body_size * 1.15):
            return False
        nxt = following[0]
        return nxt.size == line.size and nxt.bold == line.bold and not self.gap(line, nxt) and self.font_heading(nxt)

    def build(self, builder: DocumentBuilder) -> None:
        """Feed all pages' blocks into the builder; a block running across a page break stays on its first page."""
        kind, parts, level = "", [], 0
        first: PageLine | None = None
        prev: PageLine | None = None
        prev_page = 0
        block_page = 0

        def flush() -> None:
            if kind:
                while builder.page < block_page + 1:
                    builder.new_page()
                builder.add(kind, clean_inline(" ".join(parts)), level)

        underline = False  # the line is the === or --- under a heading just read
        for page_index, page in enumerate(self.pages):
            for index, line in enumerate(page):
                text = line.text
                if underline:
                    underline = False
                    continue
                below = page[index + 1] if index + 1 < len(page) else None
                if below and not self.gap(line, below) and (setext := setext_level(text, below.text)):
                    flush()  # Markdown's underlined heading ('1. OBJECTIVES' / '----------'), printed as it is
                    kind, level, parts, underline = "heading", setext, [text.strip()], True
                    first, prev, block_page, prev_page = line, line, page_index, page_index
                    continue
                if (markup := markup_line(text)) is not None:
                    flush()  # a Markdown heading, bold line, rule or table row stands alone, as in the text reader
                    kind, level, markup_text = markup
                    parts = [markup_text]
                    first, prev, block_page, prev_page = line, line, page_index, page_index
                    continue
                bullet = split_bullet(text)
                font_head = self.font_heading(line) or self.heading_wraps(line, page[index + 1 : index + 2])
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
                elif " | " in text and not (font_head and line.size >= self.body_size * 1.15):
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

    def _continues(
        self, kind: str, first: PageLine, prev: PageLine, line: PageLine, bullet: object, cross: bool
    ) -> bool:
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
        if line.text[0].islower() or (self.is_full(prev) and not self.had_room(prev, line)):
            return True
        if kind == "bullet" and self.geo and line.left > first.left + 3:
            return True  # hanging indent of a wrapped list item
        return False
