"""Whole-word phrase lookups used for document kinds and title roles."""

from __future__ import annotations

import re
from functools import lru_cache

from rolesignal.rules.types import PhraseCue

_WORDS = re.compile(r"[a-z0-9+#]+(?:['’][a-z]+)?")


def words(text: str) -> str:
    """Lower-case words joined by single spaces, padded, for whole-word containment tests."""
    return _padded(text)[0]


def _padded(text: str) -> tuple[str, set[str]]:
    """words(text), and the set of those words."""
    found = _WORDS.findall(text.lower().replace("’", "'"))
    return " " + " ".join(found) + " ", set(found)


@lru_cache(maxsize=8192)
def _phrase_words(phrase: str) -> str:
    return words(phrase)  # rule phrases are few and fixed: normalise each once per process


@lru_cache(maxsize=8192)
def _phrase_set(phrase: str) -> frozenset[str]:
    return frozenset(_phrase_words(phrase).split())


def phrase_in(phrase: str, padded: str) -> bool:
    return _phrase_words(phrase) in padded


def _present(phrase: str, padded: str, present: set[str]) -> bool:
    """phrase_in, first ruling out phrases with a word the text lacks (`present`: the words of `padded`).

    Words hold no spaces, so a padded phrase inside the padded text is whole words of it: a phrase can only be
    there when each of its words is. Most phrases fail that set test, which is cheaper than searching the text.
    """
    needed = _phrase_set(phrase)
    if needed and not needed <= present:
        return False
    return _phrase_words(phrase) in padded


def best_target(text: str, cues: tuple[PhraseCue, ...]) -> tuple[str, str] | None:
    """The target of the longest cue phrase found in text, with that phrase."""
    padded, present = _padded(text)
    best: tuple[int, str, str] | None = None
    for cue in cues:
        for phrase in cue.phrases:
            if _present(phrase, padded, present) and (best is None or len(phrase) > best[0]):
                best = (len(phrase), cue.target, phrase)
    return (best[1], best[2]) if best else None


def scores(text: str, cues: tuple[PhraseCue, ...]) -> dict[str, float]:
    """Sum of cue weights per target, each phrase counted once when present."""
    padded, present = _padded(text)
    totals: dict[str, float] = {}
    for cue in cues:
        hits = sum(1 for phrase in cue.phrases if _present(phrase, padded, present))
        if hits:
            totals[cue.target] = totals.get(cue.target, 0.0) + hits * cue.weight
    return totals
