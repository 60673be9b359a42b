"""Find the stated requirements of a Document with spaCy matchers driven by rules/cues.jsonl and sections.jsonl."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from extractors.types import Block, Document, Requirement
from rules.load import Pattern, RuleSet, SectionType
from rules.sections import classify_heading

# A paragraph this short, without final punctuation, whose words name a section, is a heading.
_MAX_HEADING_WORDS = 8
# Sentences need a few words to state something; a bullet under a requirement heading can be terse ("Strong SQL").
_MIN_SENTENCE_WORDS = 3
_MIN_ITEM_WORDS = 2


@dataclass
class _SectionState:
    section: SectionType | None = None
    heading: str = ""
    level: int = 0


def build_matcher(nlp: Language, patterns: Iterable[Pattern]) -> tuple[Matcher, PhraseMatcher, dict[int, Pattern]]:
    """A token Matcher and a lemma PhraseMatcher over the patterns, and a map from match key to pattern."""
    matcher = Matcher(nlp.vocab)
    phrases = PhraseMatcher(nlp.vocab, attr="LEMMA")
    by_key: dict[int, Pattern] = {}
    phrase_patterns = [p for p in patterns if p.phrase is not None]
    for pattern in patterns:
        key = nlp.vocab.strings.add(pattern.id)
        by_key[key] = pattern
        if pattern.tokens is not None:
            matcher.add(pattern.id, [list(pattern.tokens)])
    for pattern, doc in zip(phrase_patterns, nlp.pipe(p.phrase for p in phrase_patterns), strict=True):
        phrases.add(pattern.id, [doc])
    return matcher, phrases, by_key


def find_matches(
    doc: Doc | Span, matcher: Matcher, phrases: PhraseMatcher, by_key: dict[int, Pattern]
) -> list[tuple[Pattern, int, int]]:
    """All (pattern, start, end) token matches of both matchers, sorted by position."""
    target = doc.as_doc() if isinstance(doc, Span) else doc
    found = [(by_key[k], s, e) for k, s, e in matcher(target)] + [(by_key[k], s, e) for k, s, e in phrases(target)]
    return sorted(found, key=lambda m: (m[1], m[2]))


class RequirementFinder:
    """Document blocks to Requirements: bullets and sentences in requirement sections, cue sentences elsewhere."""

    def __init__(self, rules: RuleSet, nlp: Language) -> None:
        self.rules = rules
        self.nlp = nlp
        self.matcher, self.phrases, self.by_key = build_matcher(nlp, rules.cues)

    def __call__(self, document: Document, doc_kind: str) -> list[Requirement]:
        units = list(self._units(document))
        requirements: list[Requirement] = []
        docs = self.nlp.pipe(block.text for block, _ in units)
        for (block, state), doc in zip(units, docs, strict=True):
            spans = [doc[:]] if block.kind != "paragraph" else list(doc.sents)
            for span in spans:
                requirement = self._judge(block, state, span, doc_kind, len(requirements))
                if requirement is not None:
                    requirements.append(requirement)
        return requirements

    def _units(self, document: Document) -> Iterable[tuple[Block, _SectionState]]:
        """Each non-heading block with the section it stands in."""
        state = _SectionState()
        for block in document.blocks:
            section = classify_heading(block.text, self.rules.sections) if self._heading_like(block) else None
            if block.kind == "heading" or section is not None:
                if section is not None:
                    state = _SectionState(section, block.text, block.level)
                elif not (state.level and block.level > state.level):
                    # An unknown heading at the same or a higher level ends the known section.
                    state = _SectionState(None, block.text, block.level)
                continue
            yield block, state

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

    def _judge(self, block: Block, state: _SectionState, span: Span, doc_kind: str, ordinal: int) -> Requirement | None:
        text = span.text.strip()
        section = state.section
        in_section = section is not None and section.bears_requirements and block.kind != "paragraph"
        if len(text.split()) < (_MIN_ITEM_WORDS if in_section else _MIN_SENTENCE_WORDS):
            return None
        matches = find_matches(span, self.matcher, self.phrases, self.by_key)
        kinds = {pattern.target for pattern, _, _ in matches}
        if "exclude" in kinds:
            return None
        if section is not None and not section.bears_requirements:
            return None
        strength = self._strength(kinds, section, doc_kind, block)
        if strength is None:
            return None
        lead = len(span.text) - len(span.text.lstrip())
        start = block.char_start + span.start_char + lead
        return Requirement(
            ordinal=ordinal,
            text=text,
            section=section.id if section else "",
            heading=state.heading,
            strength=strength,
            page=block.page,
            char_start=start,
            char_end=start + len(text),
            cue_ids=tuple(dict.fromkeys(p.id for p, _, _ in matches if p.target != "exclude")),
        )

    @staticmethod
    def _strength(kinds: set[str], section: SectionType | None, doc_kind: str, block: Block) -> str | None:
        """Preferred cues win; then the section's own strength; outside sections only cue sentences count."""
        if "preferred" in kinds:
            return "preferred"
        if section is not None and section.strength:
            return section.strength
        action = "deliverable" if doc_kind == "rfp" else "responsibility"
        if "deliverable" in kinds and doc_kind == "rfp":
            return "deliverable"
        if "required" in kinds:
            return "required"
        if "responsibility" in kinds:
            return "responsibility"
        if "deliverable" in kinds:
            return action
        if "action" in kinds and block.kind in ("bullet", "table_row"):
            return action
        return None
