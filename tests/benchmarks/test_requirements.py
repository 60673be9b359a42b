"""Requirement benchmark: normalisation, Dice similarity, one-to-one matching and the counts (exact expectations)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.requirement_matching import (
    JACCARD_THRESHOLD,
    MATCH_THRESHOLD,
    Counts,
    Item,
    Pair,
    explain,
    jaccard,
    match_requirements,
    normalise,
    overlap_kind,
    score,
    similarity,
)
from benchmarks.requirements import corpus_dir, evaluate_document, find_source, load_gold
from tests.conftest import require_shared


def items(*texts: str, strength: str = "required") -> list[Item]:
    return [Item(t, strength) for t in texts]


# --- normalisation and similarity --------------------------------------------------------------------------------


def test_normalise_straightens_curly_quotes_and_dashes() -> None:
    assert normalise("Podium\u2019s \u201cfallback\u201d \u2013 resolver") == 'podium\'s "fallback" - resolver'


@pytest.mark.parametrize("marker", ["- ", "* ", "\u2022 ", "\u25cf ", "1. ", "12) ", "a) ", "(iv) ", "-   ", ": "])
def test_normalise_strips_leading_bullet_markers(marker: str) -> None:
    assert normalise(f"{marker}Experience with Kubernetes") == "experience with kubernetes"


def test_normalise_keeps_leading_numbers_that_are_content() -> None:
    assert normalise("2+ years of Python") == "2+ years of python"
    assert normalise("3.5 years of Python") == "3.5 years of python"


def test_normalise_collapses_whitespace_and_lowercases() -> None:
    assert normalise("  Build\tAND\n  ship\u00a0models ") == "build and ship models"


def test_normalise_folds_accents_and_drops_what_latin1_rendering_drops() -> None:
    assert normalise("r\u00e9sum\u00e9s \U0001f30e S\u00e3o Paulo") == "resumes sao paulo"


def test_normalise_keeps_only_the_text_of_markdown_links() -> None:
    assert normalise("a reasonable [*performance budget*](https://example.com/x) here") == (
        "a reasonable *performance budget* here"
    )


def test_similarity_is_dice_over_word_sets() -> None:
    # {build, ml, models} vs {build, ml, pipelines, fast}: 2*2 / (3+4)
    assert similarity("Build ML models", "build ML pipelines fast") == pytest.approx(4 / 7)
    assert similarity("\u2022 Python, SQL.", "python sql") == 1.0
    assert similarity("Python Python", "Python") == 1.0  # sets, not multisets
    assert similarity("", "") == 0.0
    assert similarity("alpha", "beta") == 0.0


# --- matching ----------------------------------------------------------------------------------------------------


def test_identical_lists_match_in_gold_order() -> None:
    gold = items("Python and SQL", "Experience with Kubernetes")
    predicted = list(reversed(gold))
    assert match_requirements(gold, predicted) == [Pair(0, 1, 1.0), Pair(1, 0, 1.0)]


def test_a_prediction_is_never_reused() -> None:
    # One prediction resembles both gold items; it goes to the closer one and the other gold stays unmatched.
    gold = items("deploy models to kubernetes clusters", "deploy models to kubernetes")
    predicted = items("deploy models to kubernetes")
    assert match_requirements(gold, predicted) == [Pair(1, 0, 1.0)]


def test_a_gold_requirement_is_never_reused() -> None:
    gold = items("deploy models to kubernetes")
    predicted = items("deploy models to kubernetes", "deploy models to kubernetes")
    assert match_requirements(gold, predicted) == [Pair(0, 0, 1.0)]


def test_greedy_takes_the_best_pair_first() -> None:
    # g1~p0 = 1.0 beats g0~p0 = 8/9, so p0 goes to g1 and g0 takes its next candidate p1 (2*3/9); taking gold in
    # document order instead would have paired g0~p0 and g1~p1 (0.5).
    gold = items("a b c d x", "a b c d")
    predicted = items("a b c d", "a b x y")
    pairs = match_requirements(gold, predicted)
    assert [(p.gold, p.predicted) for p in pairs] == [(0, 1), (1, 0)]
    assert pairs[0].similarity == pytest.approx(6 / 9)
    assert pairs[1].similarity == 1.0


def test_threshold_is_inclusive_and_respected() -> None:
    gold = items("a b c d")
    predicted = items("a b x y")  # 2*2 / 8 = 0.5 exactly
    assert MATCH_THRESHOLD == 0.5
    assert match_requirements(gold, predicted) == [Pair(0, 0, 0.5)]
    assert match_requirements(gold, predicted, threshold=0.51) == []
    assert match_requirements(gold, items("a x y z")) == []  # 0.25


def test_jaccard_is_the_stricter_measure() -> None:
    assert jaccard("Build ML models", "build ML pipelines fast") == pytest.approx(2 / 5)
    assert jaccard("", "") == 0.0
    gold = items("a b c d e")
    half = items("a b c d x y")  # Dice 8/11 = 0.73 counts; Jaccard 4/7 = 0.57 does not
    assert JACCARD_THRESHOLD == 0.6
    assert match_requirements(gold, half) == [Pair(0, 0, pytest.approx(8 / 11))]
    assert match_requirements(gold, half, JACCARD_THRESHOLD, measure="jaccard") == []
    close = items("a b c d e x")  # Jaccard 5/6
    assert match_requirements(gold, close, JACCARD_THRESHOLD, measure="jaccard") == [Pair(0, 0, pytest.approx(5 / 6))]
    with pytest.raises(ValueError, match="measure"):
        match_requirements(gold, close, measure="cosine")


def test_empty_lists_match_nothing() -> None:
    assert match_requirements([], items("a b")) == []
    assert match_requirements(items("a b"), []) == []
    assert match_requirements(items(""), items("")) == []


# --- scores ------------------------------------------------------------------------------------------------------


def test_score_counts_and_ratios() -> None:
    gold = [Item("python and sql", "required"), Item("kubernetes in production", "preferred"), Item("gone", "required")]
    predicted = [
        Item("Python and SQL", "required"),
        Item("Kubernetes in production", "required"),
        Item("we offer free lunch", "responsibility"),
        Item("apply now today", "required"),
    ]
    counts = score(gold, predicted, match_requirements(gold, predicted))
    assert counts == Counts(gold=3, predicted=4, matched=2, same_strength=1)
    assert counts.precision == 0.5
    assert counts.recall == pytest.approx(2 / 3)
    assert counts.f1 == pytest.approx(2 * 2 / 7)
    assert counts.strength_accuracy == 0.5


def test_strength_accuracy_counts_matched_pairs_only() -> None:
    # The unmatched prediction's strength differs from everything, yet accuracy over the one pair is 1.0.
    gold = [Item("python and sql", "required")]
    predicted = [Item("python and sql", "required"), Item("totally different words here", "preferred")]
    counts = score(gold, predicted, match_requirements(gold, predicted))
    assert counts.strength_accuracy == 1.0
    assert counts.precision == 0.5


def test_undefined_ratios_are_none() -> None:
    assert Counts().precision is None
    assert Counts().recall is None
    assert Counts().f1 is None
    assert Counts().strength_accuracy is None
    assert Counts(gold=2).recall == 0.0
    assert Counts(gold=2).f1 == 0.0


def test_counts_add_up_for_micro_averaging() -> None:
    total = Counts(10, 8, 6, 3) + Counts(2, 4, 2, 2)
    assert total == Counts(12, 12, 8, 5)
    assert total.precision == pytest.approx(8 / 12)
    assert total.strength_accuracy == pytest.approx(5 / 8)


def test_explain_reports_misses_false_positives_and_confusions() -> None:
    gold = [Item("python and sql", "required", "Requirements"), Item("kubernetes in production", "preferred")]
    predicted = [
        Item("Python and SQL", "required"),
        Item("Kubernetes in production and also terraform with helm charts daily", "required"),
        Item("python and sql", "required"),
    ]
    errors = explain(gold, predicted, match_requirements(gold, predicted))
    assert [m["text"] for m in errors.misses] == ["kubernetes in production"]
    assert errors.misses[0]["closest"]["relation"] == "contains it"  # merged with more text
    assert [p["text"] for p in errors.false_positives] == [predicted[1].text, predicted[2].text]
    assert errors.false_positives[0]["closest"]["relation"] == "part of it"  # the gold is part of a longer text
    assert errors.false_positives[1]["closest"]["relation"] == "same words"  # a repeat of a matched requirement
    assert errors.strength_confusions == []


def test_explain_lists_strength_confusions_of_matched_pairs() -> None:
    gold = [Item("python and sql", "preferred", "Nice to have")]
    predicted = [Item("Python and SQL", "required", "Requirements")]
    errors = explain(gold, predicted, match_requirements(gold, predicted))
    assert errors.misses == [] and errors.false_positives == []
    assert errors.strength_confusions == [
        {
            "text": "python and sql",
            "gold": "preferred",
            "predicted": "required",
            "gold_section": "Nice to have",
            "predicted_section": "Requirements",
        }
    ]


def test_overlap_kind() -> None:
    assert overlap_kind("python sql", "Python, SQL") == "same words"
    assert overlap_kind("python", "python sql") == "part of it"
    assert overlap_kind("python sql go", "python sql") == "contains it"
    assert overlap_kind("python java", "python sql") == ""


# --- smoke test on the corpus ------------------------------------------------------------------------------------


def test_evaluates_one_corpus_document_in_txt(tmp_path: Path) -> None:
    corpus = corpus_dir()
    require_shared(corpus / "requirements.jsonl")
    from rolesignal.flows.analyse import Analyzer
    from rolesignal.rules.load import load_rules

    gold = load_gold(corpus)[0]
    result = evaluate_document(gold, find_source(corpus, gold.id), "txt", Analyzer(load_rules()), tmp_path)
    assert not result.skipped
    c = result.counts
    assert c.gold == len(gold.requirements) > 0
    # The first hand-marked document is read well: with nothing paired the figures would be None and prove nothing.
    assert 0 < c.matched <= min(c.gold, c.predicted)
    for value in (c.precision, c.recall, c.f1, c.strength_accuracy):
        assert value is not None and 0.0 <= value <= 1.0
