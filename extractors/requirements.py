"""Find the stated requirements of a Document with spaCy matchers driven by cue patterns and section types.

Both arrive as plain data (the rules directory's cues.jsonl and sections.jsonl, loaded by the rules package).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from rolesignal.extractors.matching import PatternMatcher, Tokens, matches_within, tokens_of
from rolesignal.extractors.pasted_text import FUNCTION_WORDS, item_openers, work_verbs
from rolesignal.extractors.section_walk import INLINE_LABEL, SectionState, SectionWalker
from rolesignal.extractors.sections import heading_phrases
from rolesignal.extractors.sentence_reading import narrates, only_introduces, only_waived, shall_clauses, word_count
from rolesignal.extractors.types import Block, Document, Passage, Pattern, Requirement, SectionType

# Sentences need a few words to state something; a bullet under a requirement heading can be terse ("Strong SQL").
_MIN_SENTENCE_WORDS = 3
_MIN_ITEM_WORDS = 2
_URL = re.compile(r"https?://\S+")
# "Deploy and Manage LLMs: Employ Kubernetes ..." - a labelled item is one requirement, however many sentences.
_LABELLED = re.compile(r"^[^.:;!?]{2,60}:\s")
# Cue kinds that only ever stop a requirement: a requirement's provenance does not list them.
_NEVER_CUES = frozenset({"exclude", "legal", "setting", "waived"})


@dataclass(frozen=True)
class _LeadIn:
    """A line ending in ':' that introduces the items after it ("features such as:")."""

    kind: str
    level: int
    state: object
    optional: bool  # hedged or preferred: the items it introduces are preferred

    def covers(self, block: Block, state: object) -> bool:
        """Items after a paragraph lead-in, or at or below a bullet lead-in's level, in the same section."""
        if state is not self.state or block.kind not in ("bullet", "table_row"):
            return False
        # Same level counts too: PDF and rendered lists lose nesting, and the rule must not depend on format.
        return self.kind == "paragraph" or block.level >= self.level


@dataclass(frozen=True)
class Findings:
    """What RequirementFinder reads from a Document: requirements and passages, each with its span."""

    requirements: list[tuple[Requirement, Span]]
    passages: list[tuple[Passage, Span]]


def _passage(block: Block, state: SectionState, text: str, start: int, end: int) -> Passage | None:
    """The sentence text[start:end] of a block as a passage, when it has words enough to say something."""
    raw = text[start:end]
    if len(raw.split()) < _MIN_SENTENCE_WORDS:
        return None
    lead = len(raw) - len(raw.lstrip())
    first = block.char_start + start + lead
    section = state.section.id if state.section is not None else ""
    return Passage("scope" if section else "prose", section, first, first + len(raw.strip()))


class RequirementFinder:
    """Document blocks to Requirements: bullets and sentences in requirement sections, cue sentences elsewhere."""

    def __init__(self, cues: Sequence[Pattern], sections: Sequence[SectionType], nlp: Language) -> None:
        self.sections = tuple(sections)
        self.nlp = nlp
        self.match_cues = PatternMatcher(nlp, cues)
        strings = nlp.vocab.strings
        self._shall = strings.add("shall")
        self._joiners = frozenset(strings.add(w) for w in ("and", "or", ",", ";", "also"))
        opener_words = frozenset(item_openers(cues))
        verbs = frozenset(work_verbs(cues))
        self._openers = frozenset(strings.add(w) for w in opener_words)
        self.walk_sections = SectionWalker(self.sections, heading_phrases(self.sections), opener_words, verbs)
        self._not_before_item = frozenset(strings.add(w) for w in FUNCTION_WORDS)

    def __call__(self, document: Document, doc_kind: str) -> list[Requirement]:
        return [requirement for requirement, _ in self.find(document, doc_kind)]

    def find(self, document: Document, doc_kind: str) -> list[tuple[Requirement, Span]]:
        """Each requirement with the span of its block's Doc it was read from (signals are matched on it)."""
        return self.find_all(document, doc_kind).requirements

    def find_all(self, document: Document, doc_kind: str) -> Findings:
        """The requirements, and the other sentences of sections that may state work, each with its span."""
        # Blocks under a heading that bears no requirements (company, benefits, legal) cannot give one, and a
        # lead-in among them covers only their own section: they are not even tokenized.
        units = [u for u in self.walk_sections(document) if u[1].section is None or u[1].section.bears_requirements]
        found: list[tuple[Requirement, Span]] = []
        passages: list[tuple[Passage, Span]] = []
        seen: set[str] = set()
        lead: _LeadIn | None = None
        # The section an equal-opportunity or legal statement opened: postings end with such boilerplate, run on
        # from the last requirements without a heading ("... with Go. Acme is an equal opportunity employer. We may
        # check references as part of your application."), and it lasts until the next heading.
        legal: SectionState | None = None
        docs = self.nlp.pipe(block.text for block, _, _ in units)
        for (block, state, item), doc in zip(units, docs, strict=True):
            if lead is not None and not lead.covers(block, state):
                lead = None
            if legal is not None and legal is not state:
                legal = None
            if legal is not None:
                continue
            kinds: set[str] = set()
            ranges = self._spans(block, doc)
            tokens = tokens_of(doc, block.text)
            # One matcher pass per block; a span keeps the matches inside it (what matching the span alone gives).
            block_matches = self.match_cues(doc)
            match_starts = [s for _, s, _ in block_matches]
            # Texts are cut from the Doc's text by token offsets: Span.text makes a Token object per token.
            text = block.text  # the Doc's text (Doc.text would join it from the tokens again)
            for number, (start, end) in enumerate(ranges):
                if legal is not None:
                    break
                within = matches_within(block_matches, match_starts, start, end)
                matches = [(p, s - start, e - start) for p, s, e in within]
                # An empty block's one range is empty: it states nothing (too few words), at no offset.
                start_char, end_char = tokens.char_span(start, end) if end > start else (0, 0)
                # A glued item's first sentence is the item; sentences after it may be prose run on after the list.
                first_of_item = item and number == 0
                requirement, kinds = self._judge(
                    block,
                    state,
                    text[start_char:end_char],
                    start_char,
                    matches,
                    doc_kind,
                    len(found),
                    lead,
                    first_of_item,
                )
                if "legal" in kinds:
                    legal = state
                    continue
                # A requirement stated twice (repeated blurbs, restated tasks) is one requirement.
                key = " ".join(requirement.text.lower().split()) if requirement else ""
                if requirement is not None and key not in seen:
                    seen.add(key)
                    found.append((requirement, Span(doc, start, end)))  # Span(): doc[a:b] normalises the slice first
                elif requirement is None and "exclude" not in kinds:
                    passage = _passage(block, state, text, start_char, end_char)
                    if passage is not None:
                        passages.append((passage, Span(doc, start, end)))
            if block.text.rstrip().endswith(":"):
                optional = bool(kinds & {"hedge", "preferred"}) or (lead is not None and lead.optional)
                lead = _LeadIn(block.kind, block.level, state, optional)
        return Findings(found, passages)

    def _spans(self, block: Block, doc: Doc) -> list[tuple[int, int]]:
        """The token ranges a block states: its sentences, except that table rows and "Label: ..." items stay whole.

        A paragraph led by an inline section label ("OBJECTIVE: Develop ...") loses the label.
        """
        if block.kind == "table_row" or (block.kind == "bullet" and _LABELLED.match(block.text)):
            return [(0, len(doc))]
        label = INLINE_LABEL.match(block.text) if block.kind == "paragraph" else None
        tokens = tokens_of(doc, block.text)
        if label:
            after = doc.char_span(label.end(), len(block.text), alignment_mode="contract")
            if after is not None and len(after):
                # The label is not part of the first sentence; the matchers' token arrays learn of the new start too.
                after[0].is_sent_start = True
                tokens.start_sentence(after.start)
        if block.kind == "paragraph":
            for i in self._run_on_items(tokens):
                doc[i].is_sent_start = True
                tokens.start_sentence(i)
        starts = tokens.sentence_starts()
        ranges = []
        for start, end in zip(starts, [*starts[1:], len(tokens)][: len(starts)], strict=True):
            if label and tokens.char_span(start, end)[1] <= label.end():
                continue
            ranges += shall_clauses(tokens, start, end, self._shall, self._joiners)
        return ranges

    def _run_on_items(self, tokens: Tokens) -> list[int]:
        """Tokens that start an item of a list pasted without breaks or stops ("... actionable insights Build a
        strong relationship ... concisely Experience with SQL"): a capitalised requirement cue word (a work verb, a
        qualification word) straight after a lower-case word that does not lead into it."""
        lower, lemma, orth = tokens.columns[0], tokens.columns[1], tokens.columns[2]
        if tokens.words[1].isdisjoint(self._openers):
            return []
        strings = self.nlp.vocab.strings
        found = []
        for i in range(1, len(lemma)):
            if lemma[i] not in self._openers or orth[i] == lower[i] or orth[i - 1] != lower[i - 1]:
                continue
            before = strings[orth[i - 1]]
            if before.isalpha() and lower[i - 1] not in self._not_before_item and strings[orth[i]].istitle():
                found.append(i)
        return found

    def _judge(
        self,
        block: Block,
        state: SectionState,
        raw: str,
        start_char: int,
        matches: list[tuple[Pattern, int, int]],
        doc_kind: str,
        ordinal: int,
        lead: _LeadIn | None,
        item: bool = False,
    ) -> tuple[Requirement | None, set[str]]:
        """The requirement a span (its text `raw`, from `start_char` in the block) states, if any, and its cue kinds.

        `item`: the block is a list item glued into a paragraph, read as a bullet is."""
        text = raw.strip()
        prose = block.kind == "paragraph" and not item
        kinds = {pattern.target for pattern, _, _ in matches}
        section = state.section
        in_section = section is not None and section.bears_requirements
        if in_section and "conditional" in kinds:
            kinds.add("preferred")
        if lead is not None and lead.optional:
            kinds.add("preferred")
        if word_count(text) < (_MIN_ITEM_WORDS if in_section and not prose else _MIN_SENTENCE_WORDS):
            return None, kinds
        if kinds & {"exclude", "legal"} or (section is not None and not section.bears_requirements):
            return None, kinds
        if "waived" in kinds and only_waived(matches) and not (section is not None and section.strength == "preferred"):
            # "A site visit is not required", "The vendor will not be required to travel": nothing is asked.
            return None, kinds
        if text.endswith(":") and only_introduces(text):
            # MARKING's lead-in ("The successful candidate will:") introduces the requirements; it states none.
            return None, kinds
        if "setting" in kinds and doc_kind != "rfp":
            # "You will join our data team", "Our platform team will run ...": the setting of the role, not its
            # work. (In an RFP the vendor joining meetings or being part of a team is an obligation.)
            return None, kinds
        if "http" in text and len(_URL.sub(" ", text).split()) < _MIN_SENTENCE_WORDS + 2:
            # "Developer docs: https://..." points to a reference; it asks for nothing.
            return None, kinds
        # Prose in a narrative-prone section states something only when it names a party or an obligation;
        # "For context, X is a naming project" is narrative.
        if in_section and section.prose_needs_cue and prose and not kinds - {"hedge"}:
            return None, kinds
        # Under a qualifications heading a bare phrase is a qualification ("Keen attention to detail."), but a sentence
        # about it or them describes ("This is a fast-moving team.", "There are two offices.") unless a cue asks.
        if in_section and prose and narrates(text, section) and not kinds - {"hedge", "statement"}:
            return None, kinds
        strength = self._strength(kinds, section, doc_kind, block)
        if strength is None:
            return None, kinds
        lead_space = len(raw) - len(raw.lstrip())
        start = block.char_start + start_char + lead_space
        requirement = Requirement(
            ordinal=ordinal,
            text=text,
            section=section.id if section else "",
            heading=state.heading,
            strength=strength,
            page=block.page,
            char_start=start,
            char_end=start + len(text),
            cue_ids=tuple(dict.fromkeys(p.id for p, _, _ in matches if p.target not in _NEVER_CUES)),
        )
        return requirement, kinds

    @staticmethod
    def _strength(kinds: set[str], section: SectionType | None, doc_kind: str, block: Block) -> str | None:
        """Preferred cues win, then the section's strength (a 'must' makes a responsibility required);
        outside sections only sentences with a requirement cue count."""
        if "preferred" in kinds:
            return "preferred"
        action = "deliverable" if doc_kind == "rfp" else "responsibility"
        if section is not None and section.strength:
            strength = section.strength_for(doc_kind)
            return "required" if strength == "responsibility" and "mandatory" in kinds else strength
        if "deliverable" in kinds and doc_kind == "rfp":
            return "deliverable"
        if kinds & {"required", "mandatory"}:
            return "required"
        if "responsibility" in kinds:
            return "responsibility"
        if "deliverable" in kinds:
            return action
        if "action" in kinds and block.kind in ("bullet", "table_row"):
            return action
        return None
