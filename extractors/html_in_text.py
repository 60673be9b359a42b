"""HTML left in text and Markdown files (postings and tenders copied from web pages): the tags read as the
structure they mark, the entities as their characters."""

from __future__ import annotations

import html
import re

_NAMES = (
    "a|abbr|b|big|blockquote|br|caption|center|cite|code|col|colgroup|dd|del|div|dl|dt|em|font|h[1-6]|hr|i|img|ins|"
    "li|mark|ol|p|pre|q|s|section|small|span|strike|strong|sub|sup|table|tbody|td|tfoot|th|thead|tr|u|ul"
)
_ANY_TAG = re.compile(rf"</?(?:{_NAMES})\b[^<>]*>", re.IGNORECASE)
# Only these make a text HTML enough to read as such: inline tags alone ("<b>") are stripped, nothing else changes.
_STRUCTURE = re.compile(r"</?(?:br|p|li|ul|ol|tr|td|th|table|div|h[1-6])\b[^<>]*>", re.IGNORECASE)
# Elements are cut out by splitting at their tags, in one pass: a pattern spanning from an opening tag to its closing
# one scans to the end of the text for every opening tag left unclosed (HTML may omit '</tr>'), quadratic in the size.
_ROW_TAGS = re.compile(r"(<tr\b[^>]*>|</tr\s*>|</table\s*>)", re.IGNORECASE)
_CELL_TAGS = re.compile(r"<t[dh]\b[^>]*>", re.IGNORECASE)
_HEADING_TAGS = re.compile(r"(<h[1-6]\b[^>]*>|</h[1-6]\s*>)", re.IGNORECASE)
_ITEM = re.compile(r"<li\b[^>]*>", re.IGNORECASE)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_BLOCK = re.compile(
    r"</?(?:p|div|ul|ol|table|thead|tbody|tfoot|blockquote|pre|dl|dd|dt|hr|section|caption)\b[^<>]*>", re.IGNORECASE
)
# Entities with their semicolon only: html.unescape alone also reads "&not" in "Q&nothing" as a character.
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def html_to_text(text: str) -> str:
    """The text with its HTML structure as Markdown (rows as pipe rows, items as '- ' lines, headings as '#' lines,
    paragraphs and breaks as line breaks), other known tags removed and entities decoded; text without HTML as it
    is."""
    if _STRUCTURE.search(text):
        text = _rows(text)
        text = _headings(text)
        text = _ITEM.sub("\n- ", text)
        text = _BREAK.sub("\n", text)
        text = _BLOCK.sub("\n\n", text)
    if "<" in text:
        text = _ANY_TAG.sub("", text)
    return _unescape(text) if "&" in text else text


def _rows(text: str) -> str:
    """Each table row on one line as a pipe row: a row ends at '</tr>', at the next '<tr>' or at '</table>'."""
    out: list[str] = []
    row: list[str] | None = None
    for n, part in enumerate(_ROW_TAGS.split(text)):
        if n % 2 == 0:  # text between tags
            (out if row is None else row).append(part)
            continue
        if row is not None:  # any row tag ends the open row
            out.append(_row_line("".join(row)))
            row = None
        if part[:3].lower() == "<tr":
            row = []
        elif part[:3].lower() == "</t" and part[2:7].lower() == "table":
            out.append("\n")
    if row is not None:
        out.append(_row_line("".join(row)))
    return "".join(out)


def _row_line(row: str) -> str:
    cells = [_inline(cell) for cell in _CELL_TAGS.split(row)[1:]] or [_inline(row)]
    return "\n| " + " | ".join(cell for cell in cells if cell) + " |\n"


def _headings(text: str) -> str:
    """Each <hN> element as a Markdown heading line of level N."""
    out: list[str] = []
    level = 0
    heading: list[str] = []
    for n, part in enumerate(_HEADING_TAGS.split(text)):
        if n % 2 == 0:
            (heading if level else out).append(part)
        elif part[1] != "/":  # an opening tag; one left unclosed ends at the next heading tag
            if level:
                out.append(_heading_line(level, heading))
            level, heading = int(part[2]), []
        elif level:
            out.append(_heading_line(level, heading))
            level = 0
    if level:
        out.append(_heading_line(level, heading))
    return "".join(out)


def _heading_line(level: int, parts: list[str]) -> str:
    return "\n\n" + "#" * level + " " + _inline("".join(parts)) + "\n\n"


def _inline(fragment: str) -> str:
    """A cell's or heading's text on one line, without tags."""
    return " ".join(_unescape(_ANY_TAG.sub(" ", fragment)).split())


def _unescape(text: str) -> str:
    return _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
