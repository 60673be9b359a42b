"""Whole-word phrase lookups used for document kinds and title roles."""

from __future__ import annotations

import re
from functools import lru_cache

from rules.load import PhraseCue

_WORDS = re.compile(r"[a-z0-9+#]+(?:['’][a-z]+)?")


def words(text: str) -> str:
    """Lower-case words joined by single spaces, padded, for whole-word containment tests."""
    return " " + " ".join(_WORDS.findall(text.lower().replace("’", "'"))) + " "


@lru_cache(maxsize=8192)
def _phrase_words(phrase: str) -> str:
    return words(phrase)  # rule phrases are few and fixed: normalise each once per process


def phrase_in(phrase: str, padded: str) -> bool:
    return _phrase_words(phrase) in padded


def best_target(text: str, cues: tuple[PhraseCue, ...]) -> tuple[str, str] | None:
    """The target of the longest cue phrase found in text, with that phrase."""
    padded = words(text)
    best: tuple[int, str, str] | None = None
    for cue in cues:
        for phrase in cue.phrases:
            if phrase_in(phrase, padded) and (best is None or len(phrase) > best[0]):
                best = (len(phrase), cue.target, phrase)
    return (best[1], best[2]) if best else None


def scores(text: str, cues: tuple[PhraseCue, ...]) -> dict[str, float]:
    """Sum of cue weights per target, each phrase counted once when present."""
    padded = words(text)
    totals: dict[str, float] = {}
    for cue in cues:
        hits = sum(1 for phrase in cue.phrases if phrase_in(phrase, padded))
        if hits:
            totals[cue.target] = totals.get(cue.target, 0.0) + hits * cue.weight
    return totals
