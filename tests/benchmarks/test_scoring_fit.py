"""The decision model's fit: features from hits, the fit itself, held-out folds, the scoring.yaml block."""

from __future__ import annotations

import pytest

from benchmarks.role_scoring import Label
from benchmarks.scoring_fit import (
    BEGIN,
    END,
    MODEL_FEATURES,
    Evidence,
    FitError,
    check_consistency,
    cross_validate,
    evidence_of,
    fit_calibrated,
    fit_calibration,
    fit_model,
    held_out_roles,
    model_yaml,
    repeated_held_out,
    replace_block,
)
from rolesignal.rules.load import load_rules
from rolesignal.rules.model import (
    FEATURES,
    calibrated,
    decision_features,
    model_decision,
    model_problems,
    probabilities,
)

ML, AI, HY, NO = "ml_engineer", "ai_developer", "hybrid", "none"


def test_features_sum_each_side_per_place_capped_per_signal() -> None:
    rules = load_rules()
    hits = [("ai.rag", "requirement", 1.5, "ai.rag/vector-store")] * 5 + [
        ("ml.training", "prose", 0.3, "ml.training/pytorch"),
        ("ai.rag", "title", 0.75, "lexicon:rag_broad/RAG"),
    ]
    features = decision_features(hits, 4, ML, "rfp", rules)
    assert features["ai_requirements"] == 4.5  # 3 x ai.rag's weight 1.5, the cap
    assert (features["ml_context"], features["ai_title"], features["ml_requirements"]) == (0.3, 0.75, 0.0)
    assert (features["title_ml"], features["title_ai"], features["requirements"]) == (1.0, 0.0, 4.0)
    assert (features["ml_concepts"], features["ai_concepts"]) == (1.0, 2.0)  # ai.rag's own patterns, and a lexicon's
    assert (features["kind_rfp"], features["kind_other"]) == (1.0, 0.0)
    assert features["other_work"] == 0.0
    assert decision_features(hits, 4, ML, "rfp", rules, other_work=3)["other_work"] == 3.0


def test_breadth_counts_each_sides_different_concepts_not_negated_words() -> None:
    rules = load_rules()
    hits = [
        ("ml.training", "requirement", 0.8, "lexicon:ml_frameworks/PyTorch"),
        ("ml.training", "requirement", 0.8, "lexicon:ml_frameworks/JAX"),
        ("ml.training", "scope", 0.5, "lexicon:deep_learning_broad/deep learning"),
        ("ml.training", "requirement", 1.0, "ml.training/train-models"),
        ("ml.experimentation", "title", 0.5, "lexicon:experiment_tracking/MLflow"),
        ("ai.rag", "requirement", 0.0, "ai.rag/vector-store"),
    ]
    features = decision_features(hits, 2, "unknown", "job_posting", rules)
    # two frameworks are one concept; deep learning, training work and experiment tracking three more
    assert (features["ml_concepts"], features["ai_concepts"]) == (4.0, 0.0)


def item(id_: str, label: str, ml: float, ai: float) -> Evidence:
    features = dict.fromkeys(FEATURES, 0.0) | {"ml_requirements": ml, "ai_requirements": ai, "requirements": 5.0}
    return Evidence(id_, "txt", label, features)


DOCUMENTS = [
    *(item(f"m{i}", ML, 4.0 + i % 2, 0.0) for i in range(6)),
    *(item(f"a{i}", AI, 0.0, 4.0 + i % 2) for i in range(6)),
    *(item(f"n{i}", NO, 0.0, 0.0) for i in range(6)),
]


def test_a_fitted_model_separates_what_its_features_separate() -> None:
    model = fit_model(DOCUMENTS)
    assert model_problems(model) == []
    assert [model_decision(e.features, model)[0] for e in DOCUMENTS] == [e.label for e in DOCUMENTS]
    probs = probabilities(DOCUMENTS[0].features, model)
    assert sum(probs.values()) == pytest.approx(1.0) and max(probs, key=probs.get) == ML


def test_held_out_folds_are_decided_by_a_model_fitted_on_the_others() -> None:
    fold_of = {e.id: int(e.id[1:]) % 3 for e in DOCUMENTS}
    held, models = cross_validate(DOCUMENTS, fold_of, 3)
    assert len(models) == 3 and [role for role, _ in held] == [e.label for e in DOCUMENTS]
    assert all(0 < confidence <= 1 for _, confidence in held)
    # The plain held-out roles (for repeated cross-validation) are the same verdicts, calibration aside.
    assert held_out_roles(DOCUMENTS, fold_of, 3) == [role for role, _ in held]


def test_repeated_folds_score_the_unread_documents_apart() -> None:
    """Over every assignment, the items whose errors nobody read are scored on their own, and beside the rest."""
    labels = [Label(e.id, f"{e.id}.txt", "job_posting", e.label, "high") for e in DOCUMENTS]
    groups = {e.id: e.id for e in DOCUMENTS}
    first = held_out_roles(DOCUMENTS, {e.id: int(e.id[1:]) % 3 for e in DOCUMENTS}, 3)
    unread = [e.id.startswith("n") for e in DOCUMENTS]
    figures = repeated_held_out(DOCUMENTS, labels, groups, 3, 2, first, unread)
    assert (
        figures["repeats"] == 2 and figures["unread_accuracy"] == [1.0, 1.0] and figures["read_accuracy"] == [1.0, 1.0]
    )
    assert "unread_accuracy" not in repeated_held_out(DOCUMENTS, labels, groups, 3, 2, first)


def test_consistency_check_compares_with_the_model_in_force(tmp_path) -> None:  # noqa: ANN001 - pytest fixture
    rules = load_rules()
    model = rules.scoring["decision"]["model"]
    evidence = [
        evidence_of(
            "x", "txt", [("ai.rag", "requirement", 1.5, "ai.rag/vector-store")] * 3, 5, "unknown", "job_posting", rules
        )
    ]
    decided = model_decision(evidence[0].features, model)[0]
    check_consistency(evidence, [decided], rules)
    with pytest.raises(FitError, match="differ from the product's for 1 documents"):
        check_consistency(evidence, [NO if decided != NO else ML], rules)


def test_the_block_written_into_scoring_yaml_loads_as_the_model(tmp_path) -> None:  # noqa: ANN001 - pytest fixture
    import shutil

    from rolesignal.rules.load import DEFAULT_DIR

    target = tmp_path / "rules"
    shutil.copytree(DEFAULT_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    model = fit_model(DOCUMENTS)
    scoring = target / "scoring.yaml"
    scoring.write_text(replace_block(scoring.read_text(encoding="utf-8"), model_yaml(model, len(DOCUMENTS))))
    assert load_rules(target).scoring["decision"]["model"] == model
    with pytest.raises(FitError, match="markers"):
        replace_block("decision:\n  min_total: 1\n", model_yaml(model, 1))
    assert BEGIN in scoring.read_text() and END in scoring.read_text()


def test_calibration_pulls_each_confidence_to_its_share_right() -> None:
    # Said 0.9, right half the time; said 0.6, right 3 times in 4: 0.9 must fall to 0.5, 0.6 rise to 0.75.
    confidences = [0.9] * 40 + [0.6] * 40
    correct = [True, False] * 20 + [True, True, True, False] * 10
    fitted = fit_calibration(confidences, correct, l2=0.0)
    assert calibrated(0.9, fitted) == pytest.approx(0.5, abs=0.01)
    assert calibrated(0.6, fitted) == pytest.approx(0.75, abs=0.01)
    assert fit_calibration([0.2, 0.8], [False, True], l2=1e6) == {"slope": 1.0, "intercept": 0.0}
    assert calibrated(0.42, None) == 0.42


def test_a_calibrated_model_loads_and_decides_with_its_calibration(tmp_path) -> None:  # noqa: ANN001 - pytest fixture
    import shutil

    from rolesignal.rules.load import DEFAULT_DIR

    fold_of = {e.id: int(e.id[1:]) % 3 for e in DOCUMENTS}
    model = fit_calibrated(DOCUMENTS, fold_of)
    assert set(model["calibration"]) == {"slope", "intercept"} and model_problems(model) == []
    target = tmp_path / "rules"
    shutil.copytree(DEFAULT_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    scoring = target / "scoring.yaml"
    scoring.write_text(replace_block(scoring.read_text(encoding="utf-8"), model_yaml(model, len(DOCUMENTS))))
    assert load_rules(target).scoring["decision"]["model"] == model
    role, confidence = model_decision(DOCUMENTS[0].features, model)
    assert (role, confidence) == (
        ML,
        round(calibrated(probabilities(DOCUMENTS[0].features, model)[ML], model["calibration"]), 3),
    )
    assert model_problems(model | {"calibration": {"slope": "x"}}) == [
        "decision.model.calibration must hold the numbers slope and intercept"
    ]


def test_evidence_of_a_side_never_argues_against_the_roles_doing_that_work(monkeypatch) -> None:  # noqa: ANN001
    import benchmarks.scoring_fit as scoring_fit

    # Titles with AI words on every ML posting and on no AI one: left alone, the fit learns that AI words in a title
    # mean ml_engineer; the order penalty keeps ai_developer (and hybrid) at least as favoured by them.
    documents = [
        Evidence(e.id, e.format, e.label, dict(e.features) | {"ai_title": 1.0 if e.label == ML else 0.0})
        for e in DOCUMENTS
    ]
    column = MODEL_FEATURES.index("ai_title")

    def gaps(model: dict) -> list[float]:
        w = {role: model["coefficients"][role][column] for role in (ML, AI, HY, NO)}
        return [w[doing] - w[other] for doing in (AI, HY) for other in (ML, NO)]

    assert min(gaps(fit_model(documents))) > -0.02
    monkeypatch.setattr(scoring_fit, "ORDER_PENALTY", 0.0)
    assert min(gaps(fit_model(documents))) < -0.2
