"""Run rule patterns over spaCy tokens: token patterns through gated Matchers, phrases through a PhraseMatcher.

spaCy's Matcher tries every pattern at every token and evaluates IN/NOT_IN lists in Python, so one Matcher holding
all 170 signal patterns costs ~90 µs per token. Most patterns cannot match most text: a pattern needs each of its
required tokens ("train", then a model noun) to occur. Each token pattern gets its own Matcher, and a gate: the word
sets its required tokens must meet. A span runs only the Matchers whose gates it passes, which gives the same
matches as one big Matcher at a fraction of the cost.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from spacy.attrs import LEMMA, LOWER, ORTH
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from rules.load import Pattern

# Token attributes a gate can test, and the array column each is read from (TEXT is ORTH).
_GATE_ATTRS = ("LOWER", "LEMMA", "ORTH", "TEXT")
_ARRAY_ATTRS = [LOWER, LEMMA, ORTH]
_COLUMN = {"LOWER": 0, "LEMMA": 1, "ORTH": 2, "TEXT": 2}
_WORDS_KEY = "rolesignal.words"
_QUANTIFIER = re.compile(r"^\{(\d*),?(\d*)\}$")

Condition = tuple[str, frozenset[str]]
# A gate with words replaced by their string-store hashes, so spans are tested without making Token objects.
HashedCondition = tuple[int, frozenset[int]]


def _required(op: str | None) -> bool:
    """Whether a token spec with this operator must match at least one token."""
    if op is None or op == "+":
        return True
    quantifier = _QUANTIFIER.match(op)
    return bool(quantifier and quantifier.group(1) and int(quantifier.group(1)) >= 1)


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


def _words(span: Doc | Span) -> list[set[int]]:
    """The hashes of the span's lower-case forms, lemmas and texts, one set per array column.

    A whole Doc keeps its sets in user_data: the cue and the signal matchers both read them.
    """
    cached = span.user_data.get(_WORDS_KEY) if isinstance(span, Doc) else None
    if cached is None:
        array = span.to_array(_ARRAY_ATTRS)
        cached = [set(array[:, column].tolist()) for column in range(len(_ARRAY_ATTRS))]
        if isinstance(span, Doc):
            span.user_data[_WORDS_KEY] = cached
    return cached


class PatternMatcher:
    """All (pattern, start, end) matches of a set of Patterns in a Doc or Span, offsets relative to it."""

    def __init__(self, nlp: Language, patterns: Iterable[Pattern]) -> None:
        patterns = list(patterns)
        self.by_key: dict[int, Pattern] = {nlp.vocab.strings.add(p.id): p for p in patterns}
        self.phrases = PhraseMatcher(nlp.vocab, attr="LEMMA")
        phrase_patterns = [p for p in patterns if p.phrase is not None]
        for pattern, doc in zip(phrase_patterns, nlp.pipe(p.phrase for p in phrase_patterns), strict=True):
            self.phrases.add(pattern.id, [doc])
        # Plain word sequences ("contractor|vendor" + "shall|will") are the same match as phrases of every
        # combination, and one PhraseMatcher per attribute finds all of them in one pass over the tokens.
        self.sequences = {attr: PhraseMatcher(nlp.vocab, attr=attr) for attr in ("LOWER", "LEMMA", "ORTH")}
        # Ungated patterns share one Matcher that always runs; gated ones get a Matcher each.
        self.always = Matcher(nlp.vocab)
        self.gated: list[tuple[tuple[HashedCondition, ...], Matcher]] = []
        # First condition's words -> indexes into self.gated, so a span only checks gates it may pass.
        self.index: list[dict[int, list[int]]] = [{} for _ in _ARRAY_ATTRS]
        strings = nlp.vocab.strings
        for pattern in patterns:
            if pattern.tokens is None:
                continue
            sequence = word_sequences(pattern.tokens)
            if sequence is not None:
                attr, phrases = sequence
                lemmas = attr == "LEMMA"
                docs = [Doc(nlp.vocab, words=list(w), lemmas=list(w) if lemmas else None) for w in phrases]
                self.sequences[attr].add(pattern.id, docs)
                continue
            conditions = gate(pattern.tokens)
            if not conditions:
                self.always.add(pattern.id, [list(pattern.tokens)])
                continue
            matcher = Matcher(nlp.vocab)
            matcher.add(pattern.id, [list(pattern.tokens)])
            number = len(self.gated)
            hashed = tuple((_COLUMN[attr], frozenset(strings.add(w) for w in words)) for attr, words in conditions)
            self.gated.append((hashed, matcher))
            column, words = hashed[0]
            for word in words:
                self.index[column].setdefault(word, []).append(number)
        # The index's words per column: a span's words are intersected with them in C, not looked up one by one.
        self.index_words = [frozenset(index) for index in self.index]

    def __call__(self, span: Doc | Span) -> list[tuple[Pattern, int, int]]:
        offset = span.start if isinstance(span, Span) else 0
        found = [
            (self.by_key[k], s - offset, e - offset)
            for matcher in (self.phrases, *self.sequences.values())
            if len(matcher)
            for k, s, e in matcher(span)
        ]
        # allow_missing: spaCy would otherwise walk every token to check lemmas are set; our pipeline sets them.
        keys = list(self.always(span, allow_missing=True)) if len(self.always) else []
        words = _words(span)
        candidates: set[int] = set()
        for column, index in enumerate(self.index):
            for word in words[column] & self.index_words[column]:
                candidates.update(index[word])
        for number in sorted(candidates):
            conditions, matcher = self.gated[number]
            if all(not needed.isdisjoint(words[column]) for column, needed in conditions):
                keys.extend(matcher(span, allow_missing=True))
        # Matcher offsets are relative to a Span already (PhraseMatcher's are not: adjusted above).
        found += [(self.by_key[k], s, e) for k, s, e in keys]
        # Ties in position: token patterns before phrases, then the rule files' order (the same pattern wins always).
        return sorted(found, key=lambda m: (m[1], m[2], m[0].phrase is not None, m[0].file, m[0].line))
