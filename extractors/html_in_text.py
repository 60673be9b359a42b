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
_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr\s*>", re.IGNORECASE | re.DOTALL)
_CELL = re.compile(r"<t[dh]\b[^>]*>(.*?)</t[dh]\s*>", re.IGNORECASE | re.DOTALL)
_HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1\s*>", re.IGNORECASE | re.DOTALL)
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
        text = _ROW.sub(lambda m: "\n| " + " | ".join(_inline(c) for c in _CELL.findall(m.group(1))) + " |\n", text)
        text = _HEADING.sub(lambda m: "\n\n" + "#" * int(m.group(1)) + " " + _inline(m.group(2)) + "\n\n", text)
        text = _ITEM.sub("\n- ", text)
        text = _BREAK.sub("\n", text)
        text = _BLOCK.sub("\n\n", text)
    if "<" in text:
        text = _ANY_TAG.sub("", text)
    return _ENTITY.sub(lambda m: html.unescape(m.group(0)), text) if "&" in text else text


def _inline(fragment: str) -> str:
    """A cell's or heading's text on one line, without tags."""
    return " ".join(_ENTITY.sub(lambda m: html.unescape(m.group(0)), _ANY_TAG.sub(" ", fragment)).split())
