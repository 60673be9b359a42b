"""Signals are matched on lemmas, weighed by strength and section, dropped when negated, most specific first."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from rolesignal.extractors.nlp import build_nlp
from rolesignal.extractors.types import Passage, Requirement
from rolesignal.rules.load import load_rules
from rolesignal.rules.match import SignalMatcher
from rolesignal.rules.types import RuleSet, SignalHit


@pytest.fixture(scope="module")
def matcher(small_rules: RuleSet) -> Callable[[list[Requirement]], list[SignalHit]]:
    """A SignalMatcher called as the Analyzer calls it: each requirement in the span of the Doc it was read from."""
    nlp = build_nlp(small_rules.scoring.get("lemma_overrides"))
    signal_matcher = SignalMatcher(small_rules, nlp)
    return lambda requirements: signal_matcher(requirements, [doc[:] for doc in nlp.pipe(r.text for r in requirements)])


def req(text: str, strength: str = "required", section: str = "required_qualifications") -> Requirement:
    return Requirement(0, text, section, "", strength, 1, 100, 100 + len(text))


def signals(matcher: SignalMatcher, text: str, **kw: str) -> list[tuple[str, str, bool]]:
    return [(h.signal_id, h.matched_text, h.negated) for h in matcher([req(text, **kw)])]


def test_lemmas_match_inflections(matcher: SignalMatcher) -> None:
    assert signals(matcher, "Trained models daily") == [("ml.training", "Trained models", False)]


def test_token_pattern_with_plural_override(matcher: SignalMatcher) -> None:
    assert signals(matcher, "Call LLM APIs safely") == [("ai.llm_integration", "LLM APIs", False)]


def test_negation_before_match(matcher: SignalMatcher) -> None:
    assert signals(matcher, "No need to train models here") == [("ml.training", "train models", True)]


def test_rather_than_negates(matcher: SignalMatcher) -> None:
    hits = signals(matcher, "Use OpenAI rather than train models")
    assert hits == [("ai.llm_integration", "OpenAI", False), ("ml.training", "train models", True)]


def test_negation_does_not_cross_sentences(matcher: SignalMatcher) -> None:
    assert signals(matcher, "Not remote. Train models") == [("ml.training", "Train models", False)]


def test_managed_fine_tuning_beats_bare_fine_tune(matcher: SignalMatcher) -> None:
    assert signals(matcher, "Use the OpenAI fine-tuning API") == [
        ("ai.llm_integration", "OpenAI", False),
        ("ai.managed_fine_tuning", "fine-tuning API", False),
    ]


def test_one_hit_per_signal_per_requirement(matcher: SignalMatcher) -> None:
    assert signals(matcher, "RAG over a vector database, more RAG") == [("ai.rag", "vector database", False)]


def test_weight_follows_strength_and_section(matcher: SignalMatcher, small_rules: RuleSet) -> None:
    base = small_rules.signals["ai.rag"].weight
    [required] = matcher([req("Build RAG")])
    [preferred] = matcher([req("Build RAG", strength="preferred", section="preferred_qualifications")])
    [negated] = matcher([req("No RAG")])
    assert required.weight == pytest.approx(base * 1.0)
    assert preferred.weight == pytest.approx(base * 0.4 * 0.5)
    assert negated.weight == 0.0


def test_hit_offsets_are_document_offsets(matcher: SignalMatcher) -> None:
    requirement = req("Integrate with Salesforce")
    [hit] = matcher([requirement])
    assert (hit.char_start, hit.char_end) == (100 + 15, 100 + 25)


def test_nothing_matches_plain_text(matcher: SignalMatcher) -> None:
    assert signals(matcher, "Net 30 prompt payment terms") == []


def test_passages_and_title_weigh_what_scoring_yaml_says(small_rules: RuleSet) -> None:
    nlp = build_nlp(small_rules.scoring.get("lemma_overrides"))
    signal_matcher = SignalMatcher(small_rules, nlp)
    weights = small_rules.scoring["evidence_weights"]
    text = "We will train models on our data."
    passage = Passage("prose", "", 40, 40 + len(text))
    [hit] = signal_matcher.passages([passage], [nlp(text)[:]])
    assert (hit.requirement_ordinal, hit.source, hit.weight) == (None, "prose", weights["prose"])
    assert (hit.char_start, hit.matched_text) == (40 + text.index("train"), "train models")
    [title_hit] = signal_matcher.title(nlp("RAG Engineer"))
    assert (title_hit.source, title_hit.char_start, title_hit.weight) == ("title", 0, round(1.5 * weights["title"], 4))


def test_a_pattern_weighs_its_specificity(small_rules: RuleSet, tmp_path: Path) -> None:
    target = tmp_path / "rules"
    shutil.copytree(small_rules.directory, target)
    (target / "lexicon.jsonl").write_text(
        '{"id": "dl", "signal": "ml.training", "specificity": 0.4, "terms": ["deep learning"], "note": "broad"}\n'
    )
    rules = load_rules(target)
    nlp = build_nlp(rules.scoring.get("lemma_overrides"))
    [hit] = SignalMatcher(rules, nlp)([req("Deep learning for images")], [nlp("Deep learning for images")[:]])
    # required qualification (1.0) x section weight (1.0) x ml.training's weight (1.0) x the specificity
    assert (hit.pattern_id, hit.weight) == ("lexicon:dl/deep learning", 0.4)
