"""Run rule patterns over spaCy tokens: token patterns through gated Matchers, phrases through PhraseMatchers.

spaCy's Matcher tries every pattern at every token and evaluates IN/NOT_IN lists in Python, so one Matcher holding
all 170 signal patterns costs ~90 µs per token. Most patterns cannot match most text: a pattern needs each of its
required tokens ("train", then a model noun) to occur. Each token pattern gets a gate: the word sets its required
tokens must meet. A span runs only the patterns whose gates it passes, which gives the same matches as one big
Matcher at a fraction of the cost.

A gated pattern's Matcher runs only on the few tokens around an occurrence of its first required word
(`WindowedMatcher`): a spaCy Matcher call makes a Token object per token it walks, twice.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from spacy.attrs import IDX, LEMMA, LENGTH, LOWER, ORTH, SENT_START
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.strings import StringStore
from spacy.tokens import Doc, Span

from rolesignal.extractors.types import Pattern

# Token attributes a gate can test, and the array column each is read from (TEXT is ORTH).
_GATE_ATTRS = ("LOWER", "LEMMA", "ORTH", "TEXT")
# The word columns come first (gates index them); then sentence starts; then each token's
# character offset and length, from which span texts are cut without making Token objects.
_ARRAY_ATTRS = [LOWER, LEMMA, ORTH, SENT_START, IDX, LENGTH]
_WORD_COLUMNS = 3
SENT_START_COLUMN, IDX_COLUMN, LENGTH_COLUMN = 3, 4, 5
_COLUMN = {"LOWER": 0, "LEMMA": 1, "ORTH": 2, "TEXT": 2}
_WORDS_KEY = "rolesignal.words"
_BOUNDS = re.compile(r"^\{(\d*)(,?)(\d*)\}$")

Condition = tuple[str, frozenset[str]]


def _required(op: str | None) -> bool:
    """Whether a token spec with this operator must match at least one token."""
    bounds = _bounds(op)
    return bounds is not None and bounds[0] >= 1


def gate(tokens: Iterable[Mapping[str, Any]]) -> tuple[Condition, ...]:
    """The word sets a span must meet for the pattern to match: one per required token with a literal value."""
    conditions: list[Condition] = []
    for spec in tokens:
        if not _required(spec.get("OP")):
            continue
        for attr in _GATE_ATTRS:
            value = spec.get(attr)
            if isinstance(value, str):
                conditions.append((attr, frozenset([value])))
                break
            if isinstance(value, Mapping) and isinstance(value.get("IN"), list):
                conditions.append((attr, frozenset(str(v) for v in value["IN"])))
                break
    return tuple(conditions)


def word_sequences(tokens: Sequence[Mapping[str, Any]], limit: int = 500) -> tuple[str, list[tuple[str, ...]]] | None:
    """(attribute, every word sequence) when a token pattern is only required words of one attribute, else None."""
    attrs, choices = set(), []
    for spec in tokens:
        if len(spec) != 1:
            return None  # an operator, a second attribute or a flag: a real token pattern
        ((attr, value),) = spec.items()
        if attr not in _GATE_ATTRS:
            return None
        if isinstance(value, str):
            words = [value]
        elif isinstance(value, Mapping) and list(value) == ["IN"] and isinstance(value["IN"], list):
            words = [str(v) for v in value["IN"]]
        else:
            return None
        # A phrase's LOWER is the lower case of its word: upper-case words in a LOWER pattern never match.
        if attr == "LOWER" and any(w != w.lower() for w in words):
            return None
        attrs.add("ORTH" if attr == "TEXT" else attr)
        choices.append(sorted(set(words)))
    combinations = math.prod(len(c) for c in choices)
    if len(attrs) != 1 or not choices or combinations > limit:
        return None
    return attrs.pop(), list(itertools.product(*choices))


def _bounds(op: Any) -> tuple[int, int | None] | None:
    """How many tokens a spec with this operator takes, as spaCy expands it; None for operators not handled here."""
    if op is None or op == "1":
        return 1, 1
    simple: dict[str, tuple[int, int | None]] = {"?": (0, 1), "+": (1, None), "*": (0, None)}
    if not isinstance(op, str):
        return None
    if op in simple:
        return simple[op]
    found = _BOUNDS.match(op)
    if not found:
        return None  # "!" and anything spaCy would refuse
    low, comma, high = found.groups()
    if not comma:
        return (int(low), int(low)) if low else None
    if not low and not high:
        return None
    bounds = int(low or 0), int(high) if high else None
    return None if bounds[1] is not None and bounds[0] > bounds[1] else bounds


def _anchor_words(spec: Mapping[str, Any]) -> tuple[int, frozenset[str]] | None:
    """(word column, words) when the spec requires its token to be one of some words, else None."""
    for key, value in spec.items():
        if key not in _COLUMN:
            continue
        if isinstance(value, str):
            return _COLUMN[key], frozenset([value])
        if isinstance(value, Mapping) and isinstance(value.get("IN"), list):
            return _COLUMN[key], frozenset(str(w) for w in value["IN"])
    return None


class Tokens:
    """A span's token array as Python lists (one per _ARRAY_ATTRS column), with its text and word sets."""

    __slots__ = ("columns", "words", "text", "_sentence_starts")

    def __init__(self, columns: list[list[int]], text: str | None = None) -> None:
        self.columns = columns
        self.words = [set(column) for column in columns[:_WORD_COLUMNS]]
        # Doc.text joins every token's text anew on each call: a caller that has the text passes it.
        self.text = text
        self._sentence_starts: list[int] | None = None

    @classmethod
    def read(cls, span: Doc | Span, text: str | None = None) -> Tokens:
        """The span's Tokens, read from its token array."""
        empty: list[list[int]] = [[] for _ in _ARRAY_ATTRS]
        return cls(span.to_array(_ARRAY_ATTRS).T.tolist() if len(span) else empty, span.text if text is None else text)

    def __len__(self) -> int:
        return len(self.columns[0])

    def char_span(self, start: int, end: int) -> tuple[int, int]:
        """Span(start, end).start_char and end_char for a non-empty token range (offsets in the Doc's text)."""
        idx = self.columns[IDX_COLUMN]
        return idx[start], idx[end - 1] + self.columns[LENGTH_COLUMN][end - 1]

    def sentence_starts(self) -> list[int]:
        """Where Doc.sents starts a sentence: the first token and every token whose sent_start is 1."""
        if self._sentence_starts is None:
            flags = self.columns[SENT_START_COLUMN]
            self._sentence_starts = [i for i, flag in enumerate(flags) if flag == 1 or i == 0]
        return self._sentence_starts

    def start_sentence(self, i: int) -> None:
        """Record that token i now starts a sentence (as `doc[i].is_sent_start = True` does to the Doc)."""
        self.columns[SENT_START_COLUMN][i] = 1
        self._sentence_starts = None


def keep_tokens(doc: Doc, tokens: Tokens) -> None:
    """Leave Tokens on their Doc for tokens_of (the pipeline makes them from the array it reads anyway)."""
    doc.user_data[_WORDS_KEY] = tokens


def tokens_of(doc: Doc, text: str | None = None) -> Tokens:
    """The Doc's Tokens (`text`: its text, when the caller has it), kept in its user_data.

    The cue and the signal matchers both read them. Whoever changes a Doc's sentence starts after the pipeline
    changes its Tokens too (Tokens.start_sentence).
    """
    cached = doc.user_data.get(_WORDS_KEY)
    if cached is None:
        cached = Tokens.read(doc, text)
        keep_tokens(doc, cached)
    elif cached.text is None:
        cached.text = doc.text if text is None else text
    return cached


class WindowedMatcher:
    """One token pattern in its own spaCy Matcher, run only on the windows of a span where a match can lie.

    Every match takes at least one token at the pattern's anchor, its first required spec that names its words, so it
    starts a bounded number of tokens before an occurrence of one of those words and is at most as long as the pattern
    allows. The Matcher runs on those windows (merged where they overlap), not on the whole span: a Matcher call
    makes a Token object per token it walks. A pattern with an unbounded spec before its anchor, or an operator
    whose reach is not known here ("!"), runs on the whole span.
    """

    def __init__(self, nlp: Language, pattern: Pattern) -> None:
        if pattern.tokens is None:
            raise ValueError(f"{pattern.id} is a phrase, not a token pattern")
        self.matcher = Matcher(nlp.vocab)
        self.matcher.add(pattern.id, [list(pattern.tokens)])
        # (column, word hashes); how many tokens a match takes at most before the anchor, and from it on.
        self.anchor: tuple[int, frozenset[int]] | None = None
        self.before = 0
        self.after: int | None = None
        bounds = [_bounds(spec.get("OP")) for spec in pattern.tokens]
        most = 0
        for number, (spec, bound) in enumerate(zip(pattern.tokens, bounds, strict=True)):
            if bound is None or bound[1] is None:
                break  # the start is not bounded by anything after this spec
            low, high = bound
            words = _anchor_words(spec)
            if low >= 1 and words is not None:
                column, values = words
                self.anchor = (column, frozenset(nlp.vocab.strings.add(w) for w in values))
                self.before = most
                rest = bounds[number:]
                if all(b is not None and b[1] is not None for b in rest):
                    self.after = sum(b[1] for b in rest if b is not None and b[1] is not None)
                break
            most += high

    def windows(self, tokens: Tokens) -> list[tuple[int, int]]:
        """Merged (start, end) token ranges of the span that hold every match."""
        length = len(tokens)
        if self.anchor is None:
            return [(0, length)] if length else []
        column, words = self.anchor
        merged: list[tuple[int, int]] = []
        for i, word in enumerate(tokens.columns[column]):
            if word not in words:
                continue
            # The anchor's first token is an occurrence too: the match starts before it and ends within `after`.
            start = max(i - self.before, 0)
            end = length if self.after is None else min(i + self.after, length)
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return merged

    def __call__(self, span: Doc | Span, tokens: Tokens) -> list[tuple[int, int, int]]:
        """Every (match key, start, end) in the span, offsets relative to it."""
        base = span.start if isinstance(span, Span) else 0
        doc = span.doc if isinstance(span, Span) else span
        found: set[tuple[int, int, int]] = set()
        for start, end in self.windows(tokens):
            window = Span(doc, base + start, base + end)
            # allow_missing: spaCy would otherwise walk every token to check lemmas are set; our pipeline sets them.
            found.update((key, start + s, start + e) for key, s, e in self.matcher(window, allow_missing=True))
        return sorted(found, key=lambda m: (m[1], m[2]))


class PatternMatcher:
    """All (pattern, start, end) matches of a set of Patterns in a Doc."""

    def __init__(self, nlp: Language, patterns: Iterable[Pattern]) -> None:
        patterns = list(patterns)
        strings = nlp.vocab.strings
        self.by_key: dict[int, Pattern] = {strings.add(p.id): p for p in patterns}
        # Ties in position: token patterns before phrases, then the rule files' order (the same pattern wins always).
        ranked = sorted(patterns, key=lambda p: (p.phrase is not None, p.file, p.line))
        self._rank: dict[int, int] = {id(p): rank for rank, p in enumerate(ranked)}
        self.phrases = PhraseMatcher(nlp.vocab, attr="LEMMA")
        phrase_patterns = [p for p in patterns if p.phrase is not None]
        # Per PhraseMatcher, the column it matches and its phrases' first words: a span holding none of them cannot
        # match, and is not searched.
        self._firsts: dict[str, set[int]] = {"LEMMA": set(), "LOWER": set(), "ORTH": set()}
        phrase_firsts: set[int] = set()
        for pattern, doc in zip(phrase_patterns, nlp.pipe(p.phrase for p in phrase_patterns), strict=True):
            self.phrases.add(pattern.id, [doc])
            if len(doc):
                phrase_firsts.add(doc[0].lemma)
        # Plain word sequences ("contractor|vendor" + "shall|will") are the same match as phrases of every
        # combination, and one PhraseMatcher per attribute finds all of them in one pass over the tokens.
        self.sequences = {attr: PhraseMatcher(nlp.vocab, attr=attr) for attr in ("LOWER", "LEMMA", "ORTH")}
        # Ungated patterns share one Matcher that always runs; gated ones run, each in its windows, when their gate
        # passes.
        self.always = Matcher(nlp.vocab)
        self.gated: list[WindowedMatcher] = []
        gates: list[tuple[Condition, ...]] = []
        for pattern in patterns:
            if pattern.tokens is None:
                continue
            sequence = word_sequences(pattern.tokens)
            if sequence is not None:
                attr, phrases = sequence
                lemmas = attr == "LEMMA"
                docs = [Doc(nlp.vocab, words=list(w), lemmas=list(w) if lemmas else None) for w in phrases]
                self.sequences[attr].add(pattern.id, docs)
                self._firsts[attr].update(strings.add(w[0]) for w in phrases)
                continue
            conditions = gate(pattern.tokens)
            if not conditions:
                self.always.add(pattern.id, [list(pattern.tokens)])
                continue
            self.gated.append(WindowedMatcher(nlp, pattern))
            gates.append(conditions)
        self._plan_gates(gates, strings)
        self.phrase_matchers = [
            (matcher, _COLUMN[attr], frozenset(phrase_firsts if matcher is self.phrases else self._firsts[attr]))
            for attr, matcher in (("LEMMA", self.phrases), *self.sequences.items())
            if len(matcher)
        ]

    def _plan_gates(self, gates: Sequence[tuple[Condition, ...]], strings: StringStore) -> None:
        """Bit masks that test every gate at once: a few integer operations per span instead of a loop over gates.

        Bit k * G + g stands for "the span meets gate g's k-th condition" (G gates). Each word's mask sets the bits of
        the conditions it meets; a span's mask ORs its words' masks with `fill`, the bits of conditions gates lack.
        Gate g passes when bit g is set in every one of the K planes.
        """
        self.gates = tuple(gates)
        count = self.gate_count = len(gates)
        self.planes = max((len(conditions) for conditions in gates), default=0)
        self.fill = 0
        masks: list[dict[int, int]] = [{} for _ in range(_WORD_COLUMNS)]
        for number, conditions in enumerate(gates):
            for plane in range(self.planes):
                bit = 1 << (plane * count + number)
                if plane >= len(conditions):
                    self.fill |= bit
                    continue
                attr, words = conditions[plane]
                column = masks[_COLUMN[attr]]
                for word in words:
                    key = strings.add(word)
                    column[key] = column.get(key, 0) | bit
        self.word_masks = masks
        # The masks' words per column: a span's words are intersected with them in C, not looked up one by one.
        self.mask_words = [frozenset(column) for column in masks]

    def passing(self, words: Sequence[set[int]]) -> list[int]:
        """The numbers of the gates a span with these word sets (per word column) passes."""
        met = self.fill
        for column, masks in enumerate(self.word_masks):
            for word in words[column] & self.mask_words[column]:
                met |= masks[word]
        count = self.gate_count
        passed = (1 << count) - 1
        for plane in range(self.planes):
            passed &= met >> (plane * count)
        numbers = []
        while passed:
            lowest = passed & -passed
            numbers.append(lowest.bit_length() - 1)
            passed ^= lowest
        return numbers

    def __call__(self, doc: Doc) -> list[tuple[Pattern, int, int]]:
        tokens = tokens_of(doc)
        words = tokens.words
        by_key = self.by_key
        found = [
            (by_key[k], s, e)
            for matcher, column, firsts in self.phrase_matchers
            if not firsts.isdisjoint(words[column])
            for k, s, e in matcher(doc)
        ]
        # allow_missing: spaCy would otherwise walk every token to check lemmas are set; our pipeline sets them.
        keys = list(self.always(doc, allow_missing=True)) if len(self.always) else []
        for number in self.passing(words):
            keys.extend(self.gated[number](doc, tokens))
        found += [(by_key[k], s, e) for k, s, e in keys]
        rank = self._rank
        return sorted(found, key=lambda m: (m[1], m[2], rank[id(m[0])]))


def matches_within(
    matches: Sequence[tuple[Pattern, int, int]], starts: Sequence[int], first: int, last: int
) -> list[tuple[Pattern, int, int]]:
    """The matches that lie inside tokens first..last, in order; `matches` sorted by start (as PatternMatcher returns
    them) and `starts` their start tokens. A long block has thousands of sentences: each looks only at its own."""
    index = bisect.bisect_left(starts, first)
    inside = []
    while index < len(matches) and matches[index][1] < last:
        if matches[index][2] <= last:
            inside.append(matches[index])
        index += 1
    return inside
