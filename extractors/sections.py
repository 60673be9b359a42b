"""Recognise a heading's section type from the heading phrases in rules/sections.jsonl."""

from __future__ import annotations

import re
from functools import lru_cache

from rolesignal.extractors.types import SectionType

_NOISE = re.compile(r"[^\w'’&+/ -]+")
_NUMBERING = re.compile(r"^\s*(?:[ivxlc]+|\d+(?:\.\d+)*|[a-z])[.)]\s+", re.IGNORECASE)


def normalise_heading(text: str) -> str:
    """Lower case, numbering, emoji and punctuation removed, spaces collapsed."""
    text = text.replace("’", "'").lower()
    text = _NUMBERING.sub("", text)
    text = _NOISE.sub(" ", text)
    return " ".join(text.split())


@lru_cache(maxsize=8192)
def _singular(text: str) -> str:
    """Crude plural folding so 'Technical Requirements' meets the phrase 'technical requirement'."""
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in text.split())


def heading_phrases(sections: tuple[SectionType, ...]) -> frozenset[str]:
    """Every heading phrase of the sections as ends_with_heading_phrase compares them."""
    return frozenset(f" {_singular(phrase)}" for section in sections for phrase in section.headings)


@lru_cache(maxsize=8192)
def ends_with_heading_phrase(text: str, phrases: frozenset[str], whole: bool = False) -> bool:
    """Whether the heading's last words (all its words, if `whole`) are one of the heading phrases ("Minimum Required
    Experience", not "The Role Architect"): where a heading run into the text ends is only known by its words.

    `phrases` comes from heading_phrases (a frozenset hashes once, which keeps the cache cheap)."""
    padded = f" {_singular(normalise_heading(text))}"
    return padded in phrases if whole else any(padded.endswith(phrase) for phrase in phrases)


def classify_heading(text: str, sections: tuple[SectionType, ...]) -> SectionType | None:
    """The section type whose longest heading phrase occurs in the heading (whole words), else a prefix match."""
    norm = normalise_heading(text)
    if not norm:
        return None
    padded = f" {_singular(norm)} "
    best: tuple[int, SectionType, str] | None = None
    bearing: tuple[int, SectionType, str] | None = None  # the longest phrase of a section that bears requirements
    for section in sections:
        for phrase in section.headings:
            words = f" {_singular(phrase)} "
            if words not in padded:
                continue
            if best is None or len(phrase) > best[0]:
                best = (len(phrase), section, words)
            if section.bears_requirements and (bearing is None or len(phrase) > bearing[0]):
                bearing = (len(phrase), section, words)
    if best is not None and bearing is not None and not best[1].bears_requirements and bearing[2] not in best[2]:
        # "Problem Background & Scope", "Company and Role": a heading that names the work among other things leads
        # to the work; a phrase inside the longer one ("proposal requirements") does not count on its own.
        return bearing[1]
    if best is not None:
        return best[1]
    for section in sections:
        if any(norm.startswith(prefix) for prefix in section.prefixes):
            return section
    return None


def words_beyond(text: str, section: SectionType) -> int:
    """How many of the heading's words none of the section's phrases found in it covers ("Data Application
    Engineer" has two beyond "application"; "About us" none)."""
    words = _singular(normalise_heading(text)).split()
    covered = [False] * len(words)
    for phrase in section.headings:
        target = _singular(phrase).split()
        for i in range(len(words) - len(target) + 1):
            if words[i : i + len(target)] == target:
                covered[i : i + len(target)] = [True] * len(target)
    return covered.count(False)
