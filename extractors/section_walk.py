"""Walk a Document's blocks knowing which section each stands in, and cut paragraphs where a heading runs into the text.

RequirementFinder reads the blocks it yields; the section types and heading phrases come from the rules' sections.jsonl.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from rolesignal.extractors.pasted_text import ITEM_START, complete_paragraph, glued_cuts, numbered_items, run_on_start
from rolesignal.extractors.sections import classify_heading, ends_with_heading_phrase, words_beyond
from rolesignal.extractors.sentence_reading import is_header_row, is_sublabel
from rolesignal.extractors.title import TITLE_WINDOW
from rolesignal.extractors.types import Block, Document, SectionType

# A paragraph this short, without final punctuation, whose words name a section, is a heading.
_MAX_HEADING_WORDS = 8
# "OBJECTIVE: Develop a routine ..." - an ALL-CAPS section label opening a paragraph (research-topic calls, forms).
INLINE_LABEL = re.compile(r"^([A-Z][A-Z0-9 &/()-]{2,40}):\s+(?=\S)")
# Where a heading can stand run into the text: after a sentence end (spaced or not), after a glued boundary.
_SENTENCE_GAP = re.compile(r"[.!?](?:[)\"'”’]*\s+(?=[A-Z0-9])|(?<=[a-z]{3}[.!?])(?=[A-Z]))")
_NUMBERING = re.compile(r"\d{1,2}(?:\.\d{1,2})*\.?\s+")
# A word of a Title Case or ALL-CAPS heading ("What You'll Do", "SERVICE DESCRIPTION", "How to Apply").
_HEADING_WORD = re.compile(r"[A-Z][A-Za-z’'&/-]*|(?:a|an|and|as|at|by|for|from|in|of|on|or|the|to|with)\b|&")
_MAX_RUN_IN_WORDS = 6
_COLON = re.compile(r"[ \t]?:\s*")
_SPACES = re.compile(r"\s*")
# A lower-case letter run straight into a capital inside a word: "DoThe", "CandidateHas".
_GLUE = re.compile(r"[a-z][A-Z]")


@dataclass
class SectionState:
    """The section a block stands in (None: no known one), with the heading that opened it and its level."""

    section: SectionType | None = None
    heading: str = ""
    level: int = 0


# A block with the section it stands in, and whether it is a list item glued into a paragraph.
Unit = tuple[Block, SectionState, bool]


def _is_title(block: Block, document: Document) -> bool:
    """The block is one of the document's first and holds its title."""
    return block.text.strip() == document.title.strip() and any(block is b for b in document.blocks[:TITLE_WINDOW])


class SectionWalker:
    """Document blocks to units: each non-heading block, or piece of a paragraph, with the section it stands in."""

    def __init__(
        self,
        sections: tuple[SectionType, ...],
        phrases: frozenset[str],
        opener_words: frozenset[str],
        work_verbs: frozenset[str],
    ) -> None:
        """`phrases` from sections.heading_phrases(sections); `opener_words` and `work_verbs` from the cue patterns
        (pasted_text.item_openers and pasted_text.work_verbs)."""
        self.sections = sections
        self._phrases = phrases
        self._opener_words = opener_words
        self._work_verbs = work_verbs
        self._headings: dict[str, SectionType | None] = {}  # heading text -> section: headings repeat a lot

    def __call__(self, document: Document) -> Iterable[Unit]:
        """Each non-heading block with the section it stands in, and whether it is a list item glued into a paragraph;
        paragraphs cut where headings run into them."""
        state = SectionState()
        previous: Block | None = None
        for block in document.blocks:
            first_row = block.kind == "table_row" and (previous is None or previous.kind != "table_row")
            previous = block
            if first_row and is_header_row(block.text):
                continue  # a table's column labels state nothing
            label = INLINE_LABEL.match(block.text) if block.kind == "paragraph" else None
            inline = self._section_of(label.group(1)) if label else None
            if inline is not None:
                # "DESCRIPTION: Each formulation ..." opens a section and states its first content.
                state = SectionState(inline, label.group(1), block.level)
                yield block, state, False
                continue
            section = self._section_of(block.text) if self._heading_like(block) else None
            if (
                section is not None
                and not section.bears_requirements
                and _is_title(block, document)
                and words_beyond(block.text, section) >= 2
            ):
                # The document's title names the job or the call, not a section: "Data Application Engineer" or
                # "Benefits Portal Modernisation" must not hide the whole document as application or benefits text.
                section = None
            if block.kind == "heading" or section is not None:
                if section is not None:
                    state = SectionState(section, block.text, block.level)
                elif not (state.section is not None and is_sublabel(block.text)):
                    # An unknown heading ends the known section, unless it is a short label inside it
                    # ("Backend", "Technical skills"). Heading levels are not used: PDFs and renders lose them.
                    state = SectionState(None, block.text, block.level)
                continue
            if block.kind != "paragraph":
                yield block, state, False
                continue
            pieces = self._run_in(block, state)
            if block is document.blocks[-1]:
                # An excerpt cut off mid-sentence ("... the load served by"): only its complete sentences state
                # something.
                last, last_state, item = pieces.pop()
                complete = complete_paragraph(last)
                pieces += [(complete, last_state, item)] if complete is not None else []
            yield from pieces

    def _run_in(self, block: Block, state: SectionState) -> list[Unit]:
        """A paragraph in pieces: cut at glued item boundaries, and where a known heading runs into the text; each piece
        with whether it is a list item (it starts where an item was glued to the one before, or at a list number).

        A page pasted without its line breaks is one paragraph ("...a reality.The Role Architect and implement ...
        Candidate Profile Strong written skills."): each heading in it opens its section for the text after it, up to
        the next one. The paragraph's own section holds again after it (a heading guessed inside one paragraph does
        not reach into the blocks after it).
        """
        text = block.text
        numbered = numbered_items(text)  # marker start -> item start
        cuts = glued_cuts(text, self._opener_words) | set(numbered)
        headings: dict[int, tuple[int, str, SectionType]] = {}  # heading start -> (content start, heading, section)
        # Headings stand at sentence starts, and in a list pasted without stops where an item starts.
        # Mid-sentence, a heading must be all heading words ("... to multi-task Compensation Open Base"), not a name
        # that ends in one ("... in a complex Global Product Management").
        run_on = {m.end() for m in ITEM_START.finditer(text) if run_on_start(text, m.start())}
        starts = {0, *cuts, *(m.end() for m in _SENTENCE_GAP.finditer(text))}
        for start in sorted(starts | run_on):
            # Headings can follow each other ("What You'll DoThe Ideal CandidateHas ..."): the next may start where
            # one's content starts.
            whole = start not in starts
            while start not in headings and (heading := self._heading_at(text, start, whole)) is not None:
                headings[start] = heading
                start, whole = heading[0], False
        if not cuts and not headings:
            return [(block, state, False)]
        pieces: list[Unit] = []
        current, begin, item = state, 0, False
        for position in sorted(cuts | set(headings) | {len(text)}):
            if position < begin:
                continue  # a cut inside a heading already passed
            piece = text[begin:position]
            stripped = piece.strip()
            if stripped:
                first = block.char_start + begin + len(piece) - len(piece.lstrip())
                piece_block = replace(block, text=stripped, char_start=first, char_end=first + len(stripped))
                pieces.append((piece_block, current, item))
            if position in headings:
                content, heading, section = headings[position]
                current, begin, item = SectionState(section, heading, block.level), content, False
            else:
                # A sentence end glued to the next word ("... we ship.The team") may join prose; a word or a bracket
                # glued to the next, or a list number, parts the items of a list.
                begin = numbered.get(position, position)
                item = position in numbered or text[position - 1] not in ".!?"
        return pieces

    def _heading_at(self, text: str, start: int, whole: bool = False) -> tuple[int, str, SectionType] | None:
        """(where its content starts, the heading, its section) when a known heading runs into the text at `start`.

        The heading ends where a word runs into the next ("What You'll DoThe Ideal Candidate"), at a colon, or, before
        a capitalised word, where its words end in a heading phrase ("The Role Architect and implement ..." is "The
        Role"; "Minimum Required Experience Bachelor's degree ..." is "Minimum Required Experience"). The longest such
        heading is taken.
        """
        numbering = _NUMBERING.match(text, start)
        position = numbering.end() if numbering else start
        best: tuple[int, str, SectionType] | None = None
        words = 0
        while words < _MAX_RUN_IN_WORDS:
            word = _HEADING_WORD.match(text, position)
            if word is None or (words == 0 and not word.group()[0].isupper()):
                break
            words += 1
            glue = _GLUE.search(text, word.start(), word.end())
            glued = glue.start() + 1 if glue else 0
            end = glued or word.end()
            heading = text[start:end].strip()
            if glued:
                section = self._section_of(heading)
                return (glued, heading, section) if section is not None else best
            # Where the next word starts (offsets, not slices: a pasted page is one long paragraph).
            position = _SPACES.match(text, end).end()
            if word.group()[0].isupper():
                colon = _COLON.match(text, end)
                if colon:
                    section = self._section_of(heading)
                    return (colon.end(), heading, section) if section is not None else best
                rest = text[position : position + 2]
                # After an ALL-CAPS heading the text goes on in sentence case ("SERVICE DESCRIPTION The City ...");
                # more capitals are a title line ("REQUEST FOR QUALIFICATIONS RFQ 7167").
                opens = rest[:1].isupper() or rest[:1].isdigit()
                if opens and heading.isupper() and not (rest.istitle() or rest[:1].isdigit()):
                    opens = False
                # A lone work verb opens a task, not a section: "Apply Bayesian Methods to pricing" is no "Apply".
                task = words == 1 and heading.lower() in self._work_verbs
                if opens and position > end and not task and ends_with_heading_phrase(heading, self._phrases, whole):
                    section = self._section_of(heading)
                    if section is not None:
                        best = (position, heading, section)
            if position == end:
                break
        return best

    def _section_of(self, heading: str) -> SectionType | None:
        if heading not in self._headings:
            if len(self._headings) > 50_000:
                self._headings.clear()
            self._headings[heading] = classify_heading(heading, self.sections)
        return self._headings[heading]

    @staticmethod
    def _heading_like(block: Block) -> bool:
        """Headings, and short paragraphs that read like one ("Requirements:", "WHAT YOU'LL DO")."""
        if block.kind == "heading":
            return True
        if block.kind != "paragraph":
            return False
        text = block.text.strip()
        words = text.split()
        if text.endswith(":"):
            return len(words) <= _MAX_HEADING_WORDS
        return len(words) <= 5 and not text.endswith((".", "!", "?", ";", ",")) and (text.isupper() or text.istitle())
