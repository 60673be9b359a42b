"""The decision rule, confidence, title check and five answers, on hand-made hits."""

from __future__ import annotations

from dataclasses import replace

import pytest

from rolesignal.rules.classify import answer_questions, classify, decide_role, title_role
from rolesignal.rules.model import FEATURES
from rolesignal.rules.types import RuleSet, SignalHit


def hit(signal: str, weight: float, ordinal: int = 0) -> SignalHit:
    return SignalHit(ordinal, signal, signal.split(".")[0], weight, "x", "p", 0, 1)


@pytest.mark.parametrize(
    ("ml", "ai", "role"),
    [
        (0.0, 0.0, "none"),
        (0.5, 0.5, "none"),  # below min_total: mentions, not work
        (4.0, 0.5, "ml_engineer"),
        (0.5, 4.0, "ai_developer"),
        (3.0, 3.0, "hybrid"),  # both sides substantial
        (5.0, 2.9, "hybrid"),  # weaker side still past both bars
        (8.0, 3.0, "ml_engineer"),  # weaker side under half the stronger
        (2.0, 1.0, "ml_engineer"),  # neither side deep enough for hybrid
    ],
)
def test_decision_rule(builtin_rules: RuleSet, ml: float, ai: float, role: str) -> None:
    assert decide_role(ml, ai, builtin_rules)[0] == role


def test_confidence_grows_with_evidence_and_margin(builtin_rules: RuleSet) -> None:
    weak = decide_role(0.0, 2.0, builtin_rules)[1]
    strong = decide_role(0.0, 10.0, builtin_rules)[1]
    contested = decide_role(4.0, 10.0, builtin_rules)[1]
    assert 0 < weak < strong <= 1
    assert contested < strong


@pytest.mark.parametrize(
    ("title", "role"),
    [
        ("Senior Machine Learning Engineer, Fraud", "ml_engineer"),
        ("MLOps Engineer - LLM Serving", "ml_engineer"),
        ("Generative AI Engineer", "ai_developer"),
        ("Backend Engineer", "unknown"),
    ],
)
def test_title_role(builtin_rules: RuleSet, title: str, role: str) -> None:
    assert title_role(title, builtin_rules) == role


def test_title_mismatch_flagged(hand_rules: RuleSet) -> None:
    hits = [hit("ai.llm_integration", 1.5, 0), hit("ai.rag", 1.5, 1), hit("ai.prompt_design", 1.0, 2)]
    verdict = classify("Machine Learning Engineer", "job_posting", [], hits, hand_rules)
    assert (verdict.role, verdict.title_role, verdict.title_mismatch) == ("ai_developer", "ml_engineer", True)


def test_title_decides_only_when_the_content_says_too_little(hand_rules: RuleSet) -> None:
    thin = [hit("ml.training", 0.5, 0)]  # below the bar: the content alone would say 'none'
    verdict = classify("Senior Machine Learning Engineer", "job_posting", [], thin, hand_rules)
    prior = hand_rules.scoring["decision"]["title_prior_confidence"]
    assert (verdict.role, verdict.confidence, verdict.decided_by, verdict.title_mismatch) == (
        "ml_engineer",
        prior,
        "title",
        False,
    )
    untitled = classify("Backend Engineer", "job_posting", [], thin, hand_rules)
    assert (untitled.role, untitled.decided_by) == ("none", "content")
    clear = [hit("ai.llm_integration", 1.5, 0), hit("ai.rag", 1.5, 1)]
    decided = classify("Senior Machine Learning Engineer", "job_posting", [], clear, hand_rules)
    assert (decided.role, decided.decided_by, decided.title_mismatch) == ("ai_developer", "content", True)


def test_without_the_key_there_is_no_title_prior(hand_rules: RuleSet) -> None:
    decision = {k: v for k, v in hand_rules.scoring["decision"].items() if k != "title_prior_confidence"}
    rules = replace(hand_rules, scoring=hand_rules.scoring | {"decision": decision})
    verdict = classify("Senior Machine Learning Engineer", "job_posting", [], [], rules)
    assert (verdict.role, verdict.decided_by, verdict.title_mismatch) == ("none", "content", True)


def test_hybrid_is_not_a_mismatch(hand_rules: RuleSet) -> None:
    hits = [hit("ai.rag", 3.0, 0), hit("ai.llm_integration", 2.0, 1), hit("ml.training", 3.0, 2)]
    verdict = classify("Machine Learning Engineer", "job_posting", [], hits, hand_rules)
    assert (verdict.role, verdict.title_mismatch) == ("hybrid", False)


def test_repeated_signal_is_capped(hand_rules: RuleSet) -> None:
    weight = hand_rules.signals["ai.rag"].weight
    hits = [hit("ai.rag", weight, i) for i in range(10)]
    verdict = classify("", "job_posting", [], hits, hand_rules)
    assert verdict.ai_score == pytest.approx(3 * weight)


def test_answers_name_the_deciding_requirement(builtin_rules: RuleSet) -> None:
    hits = [hit("ai.llm_integration", 1.0, 2), hit("ml.training", 1.0, 5), hit("ml.non_text_modality", 0.0, 1)]
    answers = {a.question: (a.value, a.requirement_ordinal) for a in answer_questions(hits, builtin_rules, 2.0, 1.0)}
    assert answers == {
        "trains_own_model": ("yes", 5),
        "custom_intelligence_layer": ("yes", 5),
        "model_quality_is_the_challenge": ("yes", 5),
        "non_text_modality": ("no", 2),  # the image hit was negated (weight 0)
        "privacy_blocks_third_party_api": ("no", 2),
    }


def test_no_hits_answers_unknown(builtin_rules: RuleSet) -> None:
    assert {a.value for a in answer_questions([], builtin_rules)} == {"unknown"}


def test_none_is_less_sure_when_little_is_stated(builtin_rules: RuleSet) -> None:
    thin = decide_role(0.0, 0.0, builtin_rules, n_requirements=0)
    full = decide_role(0.0, 0.0, builtin_rules, n_requirements=30)
    assert thin == ("none", 0.5)
    assert full[0] == "none" and 0.9 < full[1] < 1.0


def test_primary_challenge_follows_the_dominant_side(builtin_rules: RuleSet) -> None:
    hits = [hit("ml.experimentation", 1.0, 3), hit("ai.rag", 1.0, 1), hit("ai.llm_integration", 1.0, 2)]
    ai_heavy = {a.question: (a.value, a.requirement_ordinal) for a in answer_questions(hits, builtin_rules, 1.0, 2.0)}
    ml_heavy = {a.question: (a.value, a.requirement_ordinal) for a in answer_questions(hits, builtin_rules, 5.0, 2.0)}
    assert ai_heavy["model_quality_is_the_challenge"] == ("no", 1)
    assert ml_heavy["model_quality_is_the_challenge"] == ("yes", 3)


def tiny_model(title_ml: float) -> dict:
    """A hand-written model: the title's ML role pushes towards ml_engineer, ML requirements too; else none."""
    zeros = [0.0] * len(FEATURES)
    ml = list(zeros)
    ml[FEATURES.index("title_ml")] = title_ml
    ml[FEATURES.index("ml_requirements")] = 5.0
    return {
        "features": list(FEATURES),
        "center": zeros,
        "scale": [1.0] * len(FEATURES),
        "coefficients": {"ml_engineer": ml, "ai_developer": zeros, "hybrid": zeros, "none": zeros},
        "intercepts": {"ml_engineer": 0.0, "ai_developer": -5.0, "hybrid": -5.0, "none": 1.0},
    }


def with_model(rules: RuleSet, model: dict) -> RuleSet:
    return replace(rules, scoring=rules.scoring | {"decision": rules.scoring["decision"] | {"model": model}})


def test_a_fitted_model_decides_and_says_when_only_the_title_spoke(hand_rules: RuleSet) -> None:
    rules = with_model(hand_rules, tiny_model(title_ml=3.0))
    by_title = classify("Senior Machine Learning Engineer", "job_posting", [], [], rules)
    # ml: e^(3 * ln 2) = 8 against none e^1, ai and hybrid e^-5 each
    assert (by_title.role, by_title.decided_by, by_title.confidence) == ("ml_engineer", "title", 0.745)
    by_content = classify("Backend Engineer", "job_posting", [], [hit("ml.training", 1.0)], rules)
    assert (by_content.role, by_content.decided_by) == ("ml_engineer", "content")
    nothing = classify("Backend Engineer", "job_posting", [], [], rules)
    assert (nothing.role, nothing.decided_by) == ("none", "content")


def test_requirements_answer_before_passages_and_the_title_never(builtin_rules: RuleSet) -> None:
    in_title = replace(hit("ml.training", 0.5, 0), requirement_ordinal=None, source="title")
    in_prose = replace(hit("ml.non_text_modality", 0.3, 0), requirement_ordinal=None, source="prose", char_start=40)
    stated = hit("ai.llm_integration", 1.5, 3)
    answers = {
        a.question: (a.value, a.requirement_ordinal)
        for a in answer_questions([in_title, in_prose, stated], builtin_rules)
    }
    assert answers["trains_own_model"] == ("no", 3)  # the title's "machine learning" is no stated training
    assert answers["non_text_modality"] == ("no", 3)  # a stated requirement outranks a passage
    only_prose = {a.question: a.value for a in answer_questions([in_title, in_prose], builtin_rules)}
    assert (only_prose["non_text_modality"], only_prose["trains_own_model"]) == ("yes", "unknown")
