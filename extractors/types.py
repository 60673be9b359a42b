"""What the extractors produce: a Document (text plus structure) and its Requirements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

BLOCK_KINDS = ("heading", "bullet", "paragraph", "table_row")


def reduce_slots(self: object) -> tuple[type, tuple[object, ...]]:
    """Pickle a slots dataclass as a call with its field values.

    Its generated __setstate__ calls dataclasses.fields() for every object; unpickling the blocks, requirements and
    hits that workers send was a tenth of the scanning process's time.
    """
    return type(self), tuple(getattr(self, name) for name in self.__slots__)  # type: ignore[attr-defined]


STRENGTHS = ("required", "preferred", "responsibility", "deliverable")


@dataclass(frozen=True, slots=True)
class Block:
    """One structural unit of a document; `text == document.text[char_start:char_end]`."""

    __reduce__ = reduce_slots

    kind: str  # one of BLOCK_KINDS; a table row's cells are joined with " | "
    text: str
    page: int  # 1-based
    char_start: int
    char_end: int
    level: int = 0  # heading level (1 = top) or list nesting depth (0 = top)


@dataclass(frozen=True, slots=True)
class Page:
    """A page's span in the document text (text files are one page)."""

    __reduce__ = reduce_slots

    number: int  # 1-based
    char_start: int
    char_end: int


@dataclass(frozen=True)
class Document:
    """A file turned into text with structure; the unit that travels from extraction onwards."""

    path: str  # absolute, resolved
    content_hash: str  # sha256 hex of the file's bytes
    file_type: str  # 'pdf' | 'docx' | 'txt' | 'md'
    title: str
    text: str
    pages: tuple[Page, ...]
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Requirement:
    """One stated requirement: what the hire or vendor must have, do or deliver (or preferably has)."""

    __reduce__ = reduce_slots

    ordinal: int  # 0-based position within the document
    text: str
    section: str  # section type id from rules/sections.jsonl ('' when outside any known section)
    heading: str  # the heading text it stands under ('' when none)
    strength: str  # one of STRENGTHS
    page: int
    char_start: int
    char_end: int
    cue_ids: tuple[str, ...] = field(default=())  # ids of the patterns that made it a requirement


# Where evidence outside the stated requirements stands: a prose sentence inside a section that states work (scope,
# objectives, role description) that no requirement cue made a requirement, or a sentence outside any known section.
PASSAGE_SOURCES = ("scope", "prose")


@dataclass(frozen=True, slots=True)
class Passage:
    """A body sentence that is not a stated requirement but may still say what work is wanted."""

    __reduce__ = reduce_slots

    source: str  # one of PASSAGE_SOURCES
    section: str  # section type id ('' outside any known section)
    char_start: int
    char_end: int


@dataclass(frozen=True)
class Pattern:
    """A matcher pattern: a lemma phrase or a spaCy token pattern, pointing at what it signals."""

    id: str
    target: str  # a signal id (signal patterns) or a cue kind (cues)
    phrase: str | None
    tokens: tuple[dict[str, Any], ...] | None
    file: str
    line: int
    # How specific the wording is, 0..1: a hit's weight is scaled by it ("computer vision" says more about
    # model-layer work than "artificial intelligence"). Cue patterns leave it at 1.
    weight: float = 1.0


@dataclass(frozen=True)
class SectionType:
    """A kind of section, recognised by its heading, and what its content counts as."""

    id: str
    strength: str
    bears_requirements: bool
    weight: float
    headings: tuple[str, ...]
    prefixes: tuple[str, ...] = ()
    rfp_strength: str = ""  # what the section's content counts as in an RFP, when that differs
    prose_needs_cue: bool = False  # narrative-prone: a prose sentence counts only with a cue

    def strength_for(self, doc_kind: str) -> str:
        """The section's strength in a document of this kind."""
        return self.rfp_strength if doc_kind == "rfp" and self.rfp_strength else self.strength


class DocumentBuilder:
    """Accumulates blocks and page breaks into a Document with consistent character offsets."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._len = 0
        self._blocks: list[Block] = []
        self._pages: list[Page] = []
        self._page = 1
        self._page_start = 0

    @property
    def page(self) -> int:
        return self._page

    def add(self, kind: str, text: str, level: int = 0) -> None:
        """Append a block; blank text is ignored."""
        text = text.strip()
        if not text:
            return
        if kind not in BLOCK_KINDS:
            raise ValueError(f"unknown block kind {kind!r}")
        if self._parts:
            self._parts.append("\n")
            self._len += 1
        start = self._len
        self._parts.append(text)
        self._len += len(text)
        self._blocks.append(Block(kind, text, self._page, start, self._len, level))

    def new_page(self) -> None:
        """Close the current page; later blocks belong to the next one."""
        self._pages.append(Page(self._page, self._page_start, self._len))
        self._page += 1
        self._page_start = self._len

    def build(self, path: str, content_hash: str, file_type: str, title: str = "") -> Document:
        pages = [*self._pages, Page(self._page, self._page_start, self._len)]
        if not title:
            from rolesignal.extractors.title import pick_title  # title.py builds on the Block type defined here

            title = pick_title(self._blocks)
        return Document(
            path=path,
            content_hash=content_hash,
            file_type=file_type,
            title=title[:300],
            text="".join(self._parts),
            pages=tuple(pages),
            blocks=tuple(self._blocks),
        )
