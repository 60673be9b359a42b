"""PatternMatcher (gated Matchers, word sequences as phrases) finds exactly what one plain spaCy Matcher finds."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.matcher import Matcher, PhraseMatcher

from extractors.matching import PatternMatcher, gate, word_sequences
from extractors.nlp import build_nlp
from rules.load import RuleSet

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "source"


def reference_matches(nlp, patterns, doc) -> set[tuple[str, int, int]]:  # type: ignore[no-untyped-def]
    """What the matchers give with every pattern in one Matcher and one lemma PhraseMatcher."""
    tokens, phrases = Matcher(nlp.vocab), PhraseMatcher(nlp.vocab, attr="LEMMA")
    for p in patterns:
        if p.tokens is not None:
            tokens.add(p.id, [list(p.tokens)])
        else:
            phrases.add(p.id, [nlp(p.phrase)])
    return {(nlp.vocab.strings[k], s, e) for k, s, e in [*tokens(doc), *phrases(doc)]}


@pytest.mark.parametrize("which", ["signal_patterns", "cues"])
def test_same_matches_as_one_plain_matcher(builtin_rules: RuleSet, which: str) -> None:
    nlp = build_nlp(builtin_rules.scoring.get("lemma_overrides"))
    patterns = getattr(builtin_rules, which)
    ours = PatternMatcher(nlp, patterns)
    texts = [line for path in sorted(EXAMPLES.glob("*.md")) for line in path.read_text().splitlines() if line.strip()]
    texts += [
        "We will fine-tune the model through the OpenAI fine-tuning API and build RAG pipelines with LangChain.",
        "The Contractor shall host the portal; and shall train staff. 5+ years of Python required.",
        "If you have experience with PyTorch, train and deploy recommendation models on GPUs.",
    ]
    found = 0
    for doc in nlp.pipe(texts):
        expected = reference_matches(nlp, patterns, doc)
        assert {(p.id, s, e) for p, s, e in ours(doc)} == expected, doc.text
        found += len(expected)
    assert found > 50  # the texts do exercise the patterns


def test_gates_and_word_sequences() -> None:
    train = [{"LEMMA": "train"}, {"LOWER": {"NOT_IN": ["staff"]}, "OP": "{0,3}"}, {"LEMMA": {"IN": ["model", "net"]}}]
    assert gate(train) == (("LEMMA", frozenset({"train"})), ("LEMMA", frozenset({"model", "net"})))
    assert word_sequences(train) is None  # an operator: a real token pattern
    pair = [{"LOWER": {"IN": ["contractor", "vendor"]}}, {"LOWER": "shall"}]
    assert word_sequences(pair) == ("LOWER", [("contractor", "shall"), ("vendor", "shall")])
    assert word_sequences([{"LOWER": "AI"}]) is None  # an upper-case LOWER value never matches: left to the Matcher
    assert word_sequences([{"LOWER": "a"}, {"LEMMA": "b"}]) is None  # two attributes
