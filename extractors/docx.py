"""DOCX extraction with python-docx: body paragraphs, lists, tables and content controls in document order."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from functools import lru_cache
from xml.sax import saxutils

import docx
from docx.document import Document as DocxDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from docx.styles import BabelFish
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

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
_W_STYLE, _W_STYLE_ID, _W_DEFAULT, _W_NAME = qn("w:style"), qn("w:styleId"), qn("w:default"), qn("w:name")
_W_BASED_ON, _W_RPR_B = qn("w:basedOn"), f"{qn('w:rPr')}/{qn('w:b')}"
_ON, _OFF = frozenset({"1", "true", "on"}), frozenset({"0", "false", "off"})
_W_BODY = qn("w:body")
_MAIN_PART, _MAIN_RELS = "word/document.xml", "word/_rels/document.xml.rels"
# No entity resolution, no network: a package's XML is untrusted.
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_STYLES_ROOT = re.compile(rb"<w:styles\b[^>]*>")
_STYLE_TAG = re.compile(rb"<w:style\b([^>]*?)(/?)>")
_STYLE_ATTR = re.compile(rb"""\bw:(styleId|type|default)\s*=\s*(["'])(.*?)\2""")
_QUOTES = {"&quot;": '"', "&apos;": "'"}
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_HEADING_STYLE_RE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
_STYLE_LEVEL_RE = re.compile(r"(\d)\s*$")


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
    walker = _Walker(builder, _styles_of(styles_xml))
    if body is not None:
        walker.walk(body, None)
    if not walker.has_text:
        # Some postings put everything in the page header; only then is the whole package worth opening.
        document = _open_package(data)
        walker = _Walker(builder, _Styles.from_element(document.styles.element))
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
                rels = etree.fromstring(zf.read(_MAIN_RELS), _SAFE_PARSER)
            except etree.XMLSyntaxError as exc:
                raise CorruptFile(f"not a valid .docx (document relationships: {exc}): re-save it from Word") from exc
            for rel in rels:
                if str(rel.get("Type", "")).endswith("/styles") and rel.get("TargetMode") != "External":
                    styles_name = posixpath.normpath(posixpath.join("word", rel.get("Target", "")))
        styles_xml = zf.read(styles_name) if styles_name in names else None
    return document_xml, styles_xml


@lru_cache(maxsize=16)
def _styles_of(xml: bytes | None) -> _Styles:
    """The styles index of a styles part, shared by documents made from the same template (same bytes).

    Indexing a template's styles.xml costs ~2.5 ms; the index is a pure function of the bytes, and it remembers the
    styles it has resolved, so later documents of that template skip both.
    """
    return _Styles.from_xml(xml)


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

    def __init__(self, builder: DocumentBuilder, styles: _Styles) -> None:
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
        if "\n" in text.strip() or _style_kind(p, self.styles) is not None:
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
            if "\n" in segment.strip() and _style_kind(p, self.styles) is None and not _all_bold(p, self.styles):
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


class _Styles:
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
    def from_element(cls, styles: etree._Element) -> _Styles:
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
    def from_xml(cls, xml: bytes | None) -> _Styles:
        """The index of a styles part, parsing only the styles a document asks for.

        Style start tags are found in the raw XML; a style's element is parsed from its own slice, under the root's
        namespace declarations. Anything unexpected (another prefix, no root tag) parses the whole part instead.
        """
        if not xml:
            return cls({}, {})
        root = _STYLES_ROOT.search(xml)
        if root is None:
            return cls.from_element(_parse_styles(xml))
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
                return cls.from_element(_parse_styles(xml))
            stop = end if tag.group(2) else end + len(b"</w:style>")
            piece = opening + xml[tag.start() : stop] + b"</w:styles>"
            elements.setdefault(style_id, lambda piece=piece: _parse_styles(piece)[0])
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


def _parse_styles(xml: bytes) -> etree._Element:
    try:
        return etree.fromstring(xml, _SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        raise CorruptFile(f"not a valid .docx (styles: {exc}): re-save it from Word") from exc


def _style_kind(p: Paragraph, styles: _Styles) -> tuple[str, int] | None:
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


def _classify(p: Paragraph, text: str, styles: _Styles) -> tuple[str, int, str]:
    """(kind, level, text) for a paragraph from its style, numbering, formatting and wording."""
    if styled := _style_kind(p, styles):
        kind, level = styled
        if kind == "heading":
            return kind, level, text
        bullet = split_bullet(text)  # a typed marker inside a list paragraph is redundant
        return "bullet", level, bullet[2] if bullet and not bullet[1][0].isalnum() else text
    if (markup := markup_line(text)) is not None:
        return markup  # a paragraph typed in Markdown ('## Requirements', '**Skills:**'), as a text file would be read
    if bullet := split_bullet(text):
        return "bullet", 0, bullet[2]
    if _all_bold(p, styles) and len(text.split()) <= 12 and not text.endswith("."):
        return "heading", 3, text
    if looks_like_heading(text):
        return "heading", 2, text
    return "paragraph", 0, text


def _all_bold(p: Paragraph, styles: _Styles) -> bool:
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
