"""The decision fit: unscaling hits, the product's decision reproduced, the grid search, and held-out folds."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.scoring_fit import (
    Evidence,
    FitError,
    Matrices,
    check_consistency,
    cross_validate,
    fit,
    fit_calibration,
    objective,
    params_in_force,
    predict,
    unscaled,
    with_params,
)
from rolesignal.rules.load import load_rules
from rolesignal.rules.types import ROLES

ML, AI, HY, NO = "ml_engineer", "ai_developer", "hybrid", "none"


def item(id_: str, label: str, raw: dict[tuple[str, str], float], implied: str = "unknown") -> Evidence:
    return Evidence(id_, "txt", label, implied, 3, raw)


def test_unscaled_divides_out_the_evidence_weight_in_force() -> None:
    rules = load_rules()
    prose = rules.scoring["evidence_weights"]["prose"]
    raw = unscaled(
        [("ai.rag", "prose", 0.9 * prose), ("ai.rag", "requirement", 1.5), ("ml.training", "title", 0.0)], rules
    )
    assert raw == {("prose", "ai.rag"): pytest.approx(0.9), ("requirement", "ai.rag"): 1.5}


def test_the_fit_decides_as_the_product_decides_under_the_numbers_in_force() -> None:
    rules = load_rules()
    evidence = [
        item("a", ML, {("requirement", "ml.training"): 3.0}),
        item("b", AI, {("requirement", "ai.rag"): 1.5, ("prose", "ai.llm_integration"): 2.0}),
        item("c", HY, {("requirement", "ml.training"): 3.0, ("requirement", "ai.rag"): 4.5}),
        item("d", NO, {}),
        item("e", ML, {("scope", "ml.training"): 0.2}, implied=ML),  # too little: the title prior decides
    ]
    check_consistency(evidence, [ML, AI, HY, NO, ML], rules)
    with pytest.raises(FitError, match="differ from the product's for 1 documents"):
        check_consistency(evidence, [ML, AI, HY, NO, NO], rules)


def test_objective_is_accuracy_plus_macro_f1() -> None:
    labels = np.array([0, 0, 1, 3])
    assert objective(labels, labels) == 2.0
    # ml: P 1 R 1/2 F1 2/3; ai: P 1/2 R 1 F1 2/3; none: 1; hybrid absent from both: left out
    assert objective(labels, np.array([0, 1, 1, 3])) == pytest.approx(0.75 + (2 / 3 + 2 / 3 + 1) / 3)


def test_the_grid_search_finds_a_threshold_that_separates_and_held_out_folds_use_the_others() -> None:
    rules = load_rules()
    # Prose evidence alone: ML documents carry 3 units of training prose, 'none' documents one unit.
    evidence = [item(f"m{i}", ML, {("prose", "ml.training"): 3.0}) for i in range(4)]
    evidence += [item(f"n{i}", NO, {("prose", "ml.training"): 1.0}) for i in range(4)]
    matrices = Matrices(evidence, rules)
    params, value = fit(matrices, np.arange(len(evidence)))
    assert value == 2.0
    roles = predict(evidence, matrices, np.arange(len(evidence)), params, rules)
    assert [r[0] for r in roles] == [ML] * 4 + [NO] * 4
    fold_of = {e.id: i % 2 for i, e in enumerate(evidence)}
    held, fitted = cross_validate(evidence, fold_of, 2, rules)
    assert [r[0] for r in held] == [ML] * 4 + [NO] * 4 and len(fitted) == 2


def test_with_params_changes_only_the_fitted_numbers() -> None:
    rules = load_rules()
    params = params_in_force(rules) | {"min_total": 9.0, "title_prior": False}
    changed = with_params(rules, params)
    assert changed.scoring["decision"]["min_total"] == 9.0
    assert "title_prior_confidence" not in changed.scoring["decision"]
    assert changed.scoring["strength_weights"] == rules.scoring["strength_weights"]
    assert params_in_force(changed) == params and set(ROLES) >= {ML, AI, HY, NO}


def test_calibration_pulls_an_overconfident_band_to_its_share_right() -> None:
    # Said 0.9, right half the time; said 0.6, right 3 times in 4: a calibrated 0.9 must fall, a 0.6 rise.
    confidences = [0.9] * 40 + [0.6] * 40
    correct = [True, False] * 20 + [True, True, True, False] * 10
    fitted = fit_calibration(confidences, correct, l2=0.0)
    rules = load_rules()
    decision = rules.scoring["decision"] | {"calibration": fitted}
    calibrated_rules = with_params(rules, params_in_force(rules) | {"calibration": fitted})
    assert calibrated_rules.scoring["decision"]["calibration"] == decision["calibration"]
    from rolesignal.rules.classify import calibrated

    assert calibrated(0.9, calibrated_rules) == pytest.approx(0.5, abs=0.01)
    assert calibrated(0.6, calibrated_rules) == pytest.approx(0.75, abs=0.01)
    assert fit_calibration([0.2, 0.8], [False, True], l2=1e6) == {"slope": 1.0, "intercept": 0.0}
