"""A DOCX package's styles: which paragraphs are headings or list items, and which text is bold, by Word's rules."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from xml.sax import saxutils

from docx.oxml.ns import qn
from docx.styles import BabelFish
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from rolesignal.extractors.errors import CorruptFile

_W_VAL, _W_TYPE = qn("w:val"), qn("w:type")
_W_STYLE, _W_STYLE_ID, _W_DEFAULT, _W_NAME = qn("w:style"), qn("w:styleId"), qn("w:default"), qn("w:name")
_W_BASED_ON, _W_RPR_B = qn("w:basedOn"), f"{qn('w:rPr')}/{qn('w:b')}"
_ON, _OFF = frozenset({"1", "true", "on"}), frozenset({"0", "false", "off"})
# No entity resolution, no network: a package's XML is untrusted.
SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_STYLES_ROOT = re.compile(rb"<w:styles\b[^>]*>")
_STYLE_TAG = re.compile(rb"<w:style\b([^>]*?)(/?)>")
_STYLE_ATTR = re.compile(rb"""\bw:(styleId|type|default)\s*=\s*(["'])(.*?)\2""")
_QUOTES = {"&quot;": '"', "&apos;": "'"}
_HEADING_STYLE_RE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
_STYLE_LEVEL_RE = re.compile(r"(\d)\s*$")


@lru_cache(maxsize=16)
def styles_of(xml: bytes | None) -> DocxStyles:
    """The styles index of a styles part, shared by documents made from the same template (same bytes).

    Indexing a template's styles.xml costs ~2.5 ms; the index is a pure function of the bytes, and it remembers the
    styles it has resolved, so later documents of that template skip both.
    """
    return DocxStyles.from_xml(xml)


class DocxStyles:
    """Each style's name, base style and own boldness, read once per document.

    python-docx finds a paragraph's style by scanning all styles on every call (the default-style lookup alone was
    half of a DOCX's read time); this index answers the same questions by the same rules: an unknown id or one of
    the wrong type means the type's default (the last marked default), and bold is the style's own setting.
    """

    def __init__(self, elements: dict[str, Callable[[], etree._Element]], default: dict[str, str]) -> None:
        self._elements = elements  # style id -> its <w:style> element, parsed when first asked for
        self._default = default  # style type -> id of the type's default style
        self._by_id: dict[str, tuple[str, str, str | None, bool]] = {}
        self._chains: dict[tuple[str | None, str], list[str]] = {}

    @classmethod
    def from_element(cls, styles: etree._Element) -> DocxStyles:
        """The index of a parsed <w:styles> element."""
        elements: dict[str, Callable[[], etree._Element]] = {}
        default: dict[str, str] = {}
        for style in styles.iterchildren(_W_STYLE):
            style_id = style.get(_W_STYLE_ID)
            if style_id is None:
                continue
            elements.setdefault(style_id, lambda style=style: style)
            if style.get(_W_DEFAULT) in _ON:
                default[style.get(_W_TYPE, "paragraph")] = style_id
        return cls(elements, default)

    @classmethod
    def from_xml(cls, xml: bytes | None) -> DocxStyles:
        """The index of a styles part, parsing only the styles a document asks for.

        Style start tags are found in the raw XML; a style's element is parsed from its own slice, under the root's
        namespace declarations. Anything unexpected (another prefix, no root tag) parses the whole part instead.
        """
        if not xml:
            return cls({}, {})
        root = _STYLES_ROOT.search(xml)
        if root is None:
            return cls.from_element(parse_styles(xml))
        opening = root.group(0)
        elements: dict[str, Callable[[], etree._Element]] = {}
        default: dict[str, str] = {}
        for tag in _STYLE_TAG.finditer(xml, root.end()):
            attrs = {k.decode(): saxutils.unescape(v.decode("utf-8", "replace"), _QUOTES)
                     for k, _, v in _STYLE_ATTR.findall(tag.group(1))}  # fmt: skip
            style_id = attrs.get("styleId")
            if style_id is None:
                continue
            end = tag.end() if tag.group(2) else xml.find(b"</w:style>", tag.end())
            if end < 0:
                return cls.from_element(parse_styles(xml))
            stop = end if tag.group(2) else end + len(b"</w:style>")
            piece = opening + xml[tag.start() : stop] + b"</w:styles>"
            elements.setdefault(style_id, lambda piece=piece: parse_styles(piece)[0])
            if attrs.get("default") in _ON:
                default[attrs.get("type", "paragraph")] = style_id
        return cls(elements, default)

    def _entry(self, style_id: str) -> tuple[str, str, str | None, bool] | None:
        """(type, name, base style id, bold) of a style, read from its XML the first time it is asked for."""
        if style_id not in self._by_id:
            load = self._elements.get(style_id)
            if load is None:
                return None
            style = load()
            name, based, bold = style.find(_W_NAME), style.find(_W_BASED_ON), style.find(_W_RPR_B)
            self._by_id[style_id] = (
                style.get(_W_TYPE, "paragraph"),
                BabelFish.internal2ui(name.get(_W_VAL, "")) if name is not None else "",
                based.get(_W_VAL) if based is not None else None,
                bold is not None and bold.get(_W_VAL, "true") not in _OFF,
            )
        return self._by_id[style_id]

    def _resolve(self, style_id: str | None, kind: str) -> str | None:
        entry = self._entry(style_id) if style_id else None
        return style_id if entry is not None and entry[0] == kind else self._default.get(kind)

    def names(self, style_id: str | None, kind: str = "paragraph") -> list[str]:
        """The style's name followed by the names of the styles it is based on."""
        key = (style_id, kind)
        if key not in self._chains:
            names: list[str] = []
            current = self._resolve(style_id, kind)
            while current is not None and (entry := self._entry(current)) is not None and len(names) < 6:
                _, name, current, _ = entry
                names.append(name)
            self._chains[key] = names
        return self._chains[key]

    def bold(self, style_id: str | None, kind: str) -> bool:
        """Whether the style (or the type's default) itself sets bold."""
        resolved = self._resolve(style_id, kind)
        entry = self._entry(resolved) if resolved is not None else None
        return entry is not None and entry[3]


def parse_styles(xml: bytes) -> etree._Element:
    try:
        return etree.fromstring(xml, SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        raise CorruptFile(f"not a valid .docx (styles: {exc}): re-save it from Word") from exc


def style_kind(p: Paragraph, styles: DocxStyles) -> tuple[str, int] | None:
    """('heading' or 'bullet', level) when the paragraph's style, outline level or numbering says so, else None."""
    names = styles.names(p._p.style)
    for name in names:
        if m := _HEADING_STYLE_RE.match(name):
            return "heading", int(m.group(1))
        if name.lower() == "title":
            return "heading", 1
        if name.lower() == "subtitle":
            return "heading", 2
    ppr = p._p.pPr
    outline = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
    if outline is not None and (val := outline.get(_W_VAL, "9")).isdigit() and int(val) < 9:
        return "heading", int(val) + 1
    num_pr = ppr.numPr if ppr is not None else None
    numbered = num_pr is not None and not (num_pr.numId is not None and num_pr.numId.val == 0)
    style_name = names[0] if names else ""
    if numbered or "list" in style_name.lower():
        if num_pr is not None and num_pr.ilvl is not None:
            level = int(num_pr.ilvl.val)
        elif m := _STYLE_LEVEL_RE.search(style_name):
            level = int(m.group(1)) - 1
        else:
            level = 0
        return "bullet", max(level, 0)
    return None


def all_bold(p: Paragraph, styles: DocxStyles) -> bool:
    """True when every run carrying text is bold (directly or through its character style)."""
    runs = [r for r in p.runs if r.text.strip()]
    if not runs:
        return False
    para_bold = styles.bold(p._p.style, "paragraph")

    def bold(run: Run) -> bool:
        if run.bold is not None:
            return bool(run.bold)
        return styles.bold(run._r.style, "character") or para_bold

    return all(bold(r) for r in runs)
