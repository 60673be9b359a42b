"""Phrase lookups: the word-set shortcut finds exactly what a plain search of the padded text finds."""

from __future__ import annotations

import pytest

from rolesignal.rules.phrases import best_target, phrase_in, scores, words
from rolesignal.rules.types import PhraseCue, RuleSet


def reference_scores(text: str, cues: tuple[PhraseCue, ...]) -> dict[str, float]:
    padded = words(text)
    totals: dict[str, float] = {}
    for cue in cues:
        hits = sum(1 for phrase in cue.phrases if phrase_in(phrase, padded))
        if hits:
            totals[cue.target] = totals.get(cue.target, 0.0) + hits * cue.weight
    return totals


TEXTS = [
    "Request for Proposals (RFP): the Vendor shall respond by May 1.",
    "Senior Machine-Learning Engineer — we're hiring! Apply now; job posting #12",
    "",
    "!!!",
    "AI Developer (LLM apps) / Prompt Engineer’s role",
]


@pytest.mark.parametrize("text", TEXTS)
def test_scores_and_best_target_match_a_plain_search(builtin_rules: RuleSet, text: str) -> None:
    assert scores(text, builtin_rules.doc_kinds) == reference_scores(text, builtin_rules.doc_kinds)
    padded = words(text)
    expected = None
    for cue in builtin_rules.titles:
        for phrase in cue.phrases:
            if phrase_in(phrase, padded) and (expected is None or len(phrase) > expected[0]):
                expected = (len(phrase), cue.target, phrase)
    assert best_target(text, builtin_rules.titles) == (expected[1:] if expected else None)


def test_a_phrase_without_words_is_found_only_in_text_without_words() -> None:
    cues = (PhraseCue(id="x", target="x", weight=1.0, phrases=("!!",)),)
    assert scores("...", cues) == {"x": 1.0} and scores("a word", cues) == {}
