"""The pure scoring functions that `rolesignal evaluate` and `benchmarks.roles` share."""

from __future__ import annotations

import pytest

from rolesignal.rules.classify import title_role
from rolesignal.rules.metrics import (
    BANDS,
    Decision,
    accuracy,
    band_of,
    baseline_role,
    calibration,
    confusion,
    macro_f1,
    per_role,
    score_decisions,
    signal_agreement,
)

ML, AI, HY, NO = "ml_engineer", "ai_developer", "hybrid", "none"

# A hand-made example over the four roles, worked out on paper:
#   ml: 2 of 3 found, both ml guesses right -> P 1,   R 2/3, F1 0.8
#   ai: 1 of 2 found, 1 of 2 guesses right  -> P 1/2, R 1/2, F1 0.5
#   hy: 1 of 1 found, 1 of 2 guesses right  -> P 1/2, R 1,   F1 2/3
#   no: 1 of 2 found, 1 of 2 guesses right  -> P 1/2, R 1/2, F1 0.5
#   macro-F1 = (0.8 + 0.5 + 2/3 + 0.5) / 4 = 37/60; accuracy 5/8
LABELS = [ML, ML, ML, AI, AI, HY, NO, NO]
PREDICTED = [ML, ML, AI, AI, NO, HY, NO, HY]


def test_confusion_rows_are_labels_and_columns_predictions() -> None:
    assert confusion(LABELS, PREDICTED) == [
        [2, 1, 0, 0],
        [0, 1, 0, 1],
        [0, 0, 1, 0],
        [0, 0, 1, 1],
    ]


def test_per_role_and_macro_f1_of_the_hand_made_example() -> None:
    scores = per_role(LABELS, PREDICTED)
    assert scores[ML] == pytest.approx({"precision": 1.0, "recall": 2 / 3, "f1": 0.8, "support": 3, "predicted": 2})
    assert scores[AI] == pytest.approx({"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2, "predicted": 2})
    assert scores[HY] == pytest.approx({"precision": 0.5, "recall": 1.0, "f1": 2 / 3, "support": 1, "predicted": 2})
    assert scores[NO] == pytest.approx({"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2, "predicted": 2})
    assert macro_f1(LABELS, PREDICTED) == pytest.approx(37 / 60)
    assert accuracy(LABELS, PREDICTED) == pytest.approx(5 / 8)


def test_macro_f1_averages_over_all_four_roles() -> None:
    assert macro_f1([ML, AI, HY, NO], [ML, AI, HY, NO]) == 1.0
    # hybrid and none are never labelled nor predicted: they score 0, the mean is still over four roles.
    assert macro_f1([ML, AI], [ML, AI]) == 0.5
    assert macro_f1([ML, ML], [AI, AI]) == 0.0


def test_unknown_roles_and_length_mismatches_are_errors() -> None:
    with pytest.raises(ValueError, match="unknown role"):
        confusion([ML], ["unknown"])
    with pytest.raises(ValueError, match="length"):
        confusion([ML, AI], [ML])


def test_calibration_bands_are_half_open_and_the_last_is_closed() -> None:
    confidences = [0.0, 0.49, 0.5, 0.69, 0.7, 0.849, 0.85, 1.0]
    correct = [True, False, True, True, False, False, True, True]
    bands = calibration(confidences, correct)
    assert [(b["lo"], b["hi"]) for b in bands] == list(BANDS) == [(0.0, 0.5), (0.5, 0.7), (0.7, 0.85), (0.85, 1.0)]
    assert [b["band"] for b in bands] == ["[0.00, 0.50)", "[0.50, 0.70)", "[0.70, 0.85)", "[0.85, 1.00]"]
    assert [b["count"] for b in bands] == [2, 2, 2, 2]
    assert [b["correct"] for b in bands] == [1, 2, 0, 2]
    assert [b["accuracy"] for b in bands] == [0.5, 1.0, 0.0, 1.0]
    assert [b["mean_confidence"] for b in bands] == [0.245, 0.595, 0.7745, 0.925]
    assert [b["gap"] for b in bands] == [0.255, 0.405, -0.7745, 0.075]


def test_calibration_empty_band_has_no_accuracy_and_out_of_range_fails() -> None:
    bands = calibration([0.9, 0.95], [True, False])
    assert [(b["count"], b["accuracy"]) for b in bands] == [(0, None), (0, None), (0, None), (2, 0.5)]
    assert band_of(0.85) == 3 and band_of(0.8499) == 2
    with pytest.raises(ValueError):
        band_of(1.01)
    with pytest.raises(ValueError):
        band_of(-0.1)


def test_baseline_reads_unknown_title_role_as_none() -> None:
    assert baseline_role("unknown") == NO
    for role in (ML, AI, HY, NO):
        assert baseline_role(role) == role


def test_baseline_through_the_real_title_rules(builtin_rules) -> None:  # noqa: ANN001 - fixture
    assert title_role("Office Manager", builtin_rules) == "unknown"
    assert baseline_role(title_role("Office Manager", builtin_rules)) == NO
    assert baseline_role(title_role("Senior Machine Learning Engineer", builtin_rules)) == ML


def test_score_decisions_scores_the_documents_both_sides_know_with_the_title_reader_beside() -> None:
    truth = {"a": ML, "b": AI, "c": NO, "only-reviewed": HY}
    decided = {
        "a": Decision(ML, 0.9, ML),
        "b": Decision(NO, 0.6, "unknown"),
        "c": Decision(NO, 0.8, AI),
        "not-reviewed": Decision(AI, 0.9, AI),
    }
    figures = score_decisions(truth, decided)
    assert figures["documents"] == 3
    assert figures["accuracy"] == pytest.approx(2 / 3)
    assert figures["confusion"]["matrix"] == [[1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0], [0, 0, 0, 1]]
    # the title reader guesses ml, none (unknown), ai: one right of three
    assert figures["baseline"]["accuracy"] == pytest.approx(1 / 3)
    assert [b["count"] for b in figures["calibration"]] == [0, 1, 1, 1]


def test_unknown_reviewed_roles_are_errors() -> None:
    with pytest.raises(ValueError, match="unknown role"):
        score_decisions({"a": "ML"}, {"a": Decision(ML, 0.9, ML)})


def test_signal_agreement_counts_hybrid_on_both_sides_and_lists_the_worst_first() -> None:
    rag, train = ("ai.rag", "ai"), ("ml.training", "ml")
    truth = {"a": AI, "b": HY, "c": ML, "d": NO}
    decided = {
        "a": Decision(AI, 0.9, AI, frozenset({rag})),
        "b": Decision(HY, 0.9, AI, frozenset({rag, train})),
        "c": Decision(ML, 0.9, ML, frozenset({train, rag})),
        "d": Decision(NO, 0.9, ML, frozenset({train})),
        "not-reviewed": Decision(AI, 0.9, AI, frozenset({rag})),
    }
    assert signal_agreement(truth, decided) == [
        {"signal_id": "ai.rag", "side": "ai", "documents": 3, "on_side": 2, "agreement": pytest.approx(2 / 3)},
        {"signal_id": "ml.training", "side": "ml", "documents": 3, "on_side": 2, "agreement": pytest.approx(2 / 3)},
    ]
    assert signal_agreement({"a": AI}, {"a": Decision(AI, 0.9, AI, frozenset({train}))})[0]["agreement"] == 0.0
