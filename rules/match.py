"""Match the guide's signals inside requirements, weighed by where they stand and dropped when negated."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from typing import NamedTuple

from spacy.language import Language
from spacy.tokens import Doc, Span

from rolesignal.extractors.matching import PatternMatcher, matches_within, tokens_of
from rolesignal.extractors.types import Passage, Pattern, Requirement
from rolesignal.rules.types import RuleSet, SignalHit

_FACTS_KEY = "rolesignal.negations"
# A requirement outside any recognised section still counts, a little less than one inside.
_UNKNOWN_SECTION_WEIGHT = 0.8


class _Unit(NamedTuple):
    """What a stretch of text is read as: a requirement, the title or a passage, and what its hits weigh."""

    ordinal: int | None
    base: float  # the weight a hit gets before its signal's and its pattern's weight
    char_start: int  # where its text starts in the document text (the title: 0)
    source: str


class SignalMatcher:
    """Finds signal hits in requirements: one hit per signal per requirement, the most specific match kept."""

    def __init__(self, rules: RuleSet, nlp: Language) -> None:
        self.rules = rules
        self.match_patterns = PatternMatcher(nlp, rules.signal_patterns)
        scoring = rules.scoring
        self._negation_hashes = {nlp.vocab.strings.add(w.lower()) for w in scoring.get("negations", [])}
        self.window = int(scoring.get("negation_window", 5))
        self.strength_weights = {k: float(v) for k, v in scoring["strength_weights"].items()}
        self.section_weights = {s.id: s.weight for s in rules.sections}
        self.evidence_weights = {k: float(v) for k, v in (scoring.get("evidence_weights") or {}).items()}
        # Tools the hire writes code with ("Claude Code", "AI coding agents"): each phrase as its words' hashes,
        # listed under its first word.
        self._tool_phrases: dict[int, list[tuple[int, ...]]] = defaultdict(list)
        for phrase in scoring.get("tool_use_phrases") or []:
            words = tuple(nlp.vocab.strings.add(t.lower_) for t in nlp.make_doc(phrase))
            self._tool_phrases[words[0]].append(words)

    def __call__(self, requirements: Sequence[Requirement], spans: Sequence[Span]) -> list[SignalHit]:
        """Hits in each requirement, matched in its span (from RequirementFinder.find) of its block's Doc."""
        units = [
            _Unit(
                r.ordinal,
                self.strength_weights.get(r.strength, 1.0)
                * self.section_weights.get(r.section, _UNKNOWN_SECTION_WEIGHT),
                r.char_start,
                "requirement",
            )
            for r in requirements
        ]
        return self._match(units, spans)

    def passages(self, passages: Sequence[Passage], spans: Sequence[Span]) -> list[SignalHit]:
        """Hits in body sentences that are not requirements, weighed by evidence_weights of scoring.yaml."""
        units, kept = [], []
        for passage, span in zip(passages, spans, strict=True):
            base = self.evidence_weights.get(passage.source, 0.0) * self.section_weights.get(passage.section, 1.0)
            if base > 0:
                units.append(_Unit(None, base, passage.char_start, passage.source))
                kept.append(span)
        return self._match(units, kept)

    def title(self, title: Doc) -> list[SignalHit]:
        """Hits in the document's title (offsets into the title), weighed by evidence_weights.title."""
        base = self.evidence_weights.get("title", 0.0)
        if base <= 0 or not len(title):
            return []
        return self._match([_Unit(None, base, 0, "title")], [title[:]])

    def _match(self, units: Sequence[_Unit], spans: Sequence[Span]) -> list[SignalHit]:
        hits: list[SignalHit] = []
        # One matcher pass per Doc (a block holds one or more units); each span keeps the matches inside it.
        by_doc: dict[int, tuple[list[tuple[Pattern, int, int]], list[int]]] = {}
        for unit, span in zip(units, spans, strict=True):
            doc, first, last = span.doc, span.start, span.end
            if id(doc) not in by_doc:
                found = self.match_patterns(doc)
                tools = self._tool_spans(doc) if found else []
                if tools:
                    found = [m for m in found if not any(m[1] < t_end and t_start < m[2] for t_start, t_end in tools)]
                by_doc[id(doc)] = (found, [s for _, s, _ in found])
            inside = matches_within(*by_doc[id(doc)], first, last)
            if inside:
                hits.extend(self._hits(unit, span, inside))
        return hits

    def _tool_spans(self, doc: Doc) -> list[tuple[int, int]]:
        """Token spans naming a tool the hire codes with: a signal match touching one states no AI work."""
        tokens = tokens_of(doc)
        if self._tool_phrases.keys().isdisjoint(tokens.words[0]):
            return []  # most Docs name no such tool: the word set says so without a walk over the tokens
        lowers = tokens.columns[0]
        return [
            (i, i + len(phrase))
            for i, lower in enumerate(lowers)
            for phrase in self._tool_phrases.get(lower, ())
            if tuple(lowers[i : i + len(phrase)]) == phrase
        ]

    def _hits(self, unit: _Unit, span: Span, matches: list[tuple[Pattern, int, int]]) -> list[SignalHit]:
        doc = span.doc
        best: dict[str, tuple[Pattern, int, int, bool]] = {}
        for pattern, start, end in _most_specific(matches):
            negated = self._negated(doc, start, span.start)
            current = best.get(pattern.target)
            # Prefer a plain hit over a negated one, then the more specific wording, then the longer match.
            rank = (negated, -pattern.weight, -(end - start))
            if current is None or (current[3], -current[0].weight, -(current[2] - current[1])) > rank:
                best[pattern.target] = (pattern, start, end, negated)
        hits = []
        # Where the unit's (stripped) text starts in its Doc: hit offsets are counted from there. Texts are
        # cut from the Doc's text by token offsets: Span.text makes a Token object per token.
        tokens = tokens_of(doc)
        text = tokens.text
        span_start, span_end = tokens.char_span(span.start, span.end)
        raw = text[span_start:span_end]
        text_start = span_start + len(raw) - len(raw.lstrip())
        for signal_id, (pattern, start, end, negated) in best.items():
            signal = self.rules.signals[signal_id]
            start_char, end_char = tokens.char_span(start, end)
            weight = 0.0 if negated else round(signal.weight * pattern.weight * unit.base, 4)
            hits.append(
                SignalHit(
                    requirement_ordinal=unit.ordinal,
                    signal_id=signal_id,
                    side=signal.side,
                    weight=weight,
                    matched_text=text[start_char:end_char],
                    pattern_id=pattern.id,
                    char_start=unit.char_start + start_char - text_start,
                    char_end=unit.char_start + end_char - text_start,
                    negated=negated,
                    source=unit.source,
                )
            )
        return sorted(hits, key=lambda h: (h.char_start, h.signal_id))

    def _negated(self, doc: Doc, start: int, floor: int) -> bool:
        """A negation word shortly before the match, in the same sentence and requirement, negates it."""
        negations, sentence_starts = self._doc_facts(doc)
        if not negations:
            return False  # most Docs hold no negation word: no sentence to look up
        sentence = sentence_starts[bisect.bisect_right(sentence_starts, start) - 1]
        lo = max(sentence, floor, start - self.window)
        first = bisect.bisect_left(negations, lo)
        return first < len(negations) and negations[first] < start

    def _doc_facts(self, doc: Doc) -> tuple[list[int], list[int]]:
        """Positions of negation words (lower case or lemma) and of sentence starts, read once per Doc."""
        facts = doc.user_data.get(_FACTS_KEY)
        if facts is None:
            tokens = tokens_of(doc)
            lowers, lemmas = tokens.columns[0], tokens.columns[1]
            hashes = self._negation_hashes
            negations = []
            # Most Docs hold no negation word at all: the word sets say so without a walk over the tokens.
            if not (hashes.isdisjoint(tokens.words[0]) and hashes.isdisjoint(tokens.words[1])):
                negations = [i for i, lower in enumerate(lowers) if lower in hashes or lemmas[i] in hashes]
            facts = doc.user_data[_FACTS_KEY] = (negations, tokens.sentence_starts())
        return facts


def _most_specific(matches: list[tuple[Pattern, int, int]]) -> list[tuple[Pattern, int, int]]:
    """Drop a match of one signal when a longer match of another signal covers it.

    This is how the guide's overlap is kept apart: "fine-tune through the OpenAI fine-tuning API" is managed
    fine-tuning, and the bare "fine-tune" inside it must not also count as model training.
    """
    kept = []
    for pattern, start, end in matches:
        covered = any(
            other.target != pattern.target and o_start <= start and end <= o_end and (o_end - o_start) > (end - start)
            for other, o_start, o_end in matches
        )
        if not covered:
            kept.append((pattern, start, end))
    return kept
