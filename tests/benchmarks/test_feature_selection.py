"""Choosing the decision model's features: the elimination itself, grouped held-out accuracy, the nested estimate."""

from __future__ import annotations

from benchmarks.feature_selection import backward_eliminate, held_out_accuracy, nested_accuracy
from benchmarks.role_scoring import Label
from benchmarks.scoring_fit import DROPPED_FEATURES, MODEL_FEATURES, Evidence
from rolesignal.rules.model import FEATURES

ML, NO = "ml_engineer", "none"


def test_elimination_drops_what_lowers_the_score_and_stops_when_nothing_helps() -> None:
    useful = {"b", "d"}

    def score(kept: tuple[str, ...]) -> float:
        return len(useful & set(kept)) - 0.1 * len(set(kept) - useful)

    assert backward_eliminate(("a", "b", "c", "d"), score) == ("b", "d")
    assert backward_eliminate(("a", "b", "c"), lambda kept: 1.0) == ("a", "b", "c")  # no drop raises it
    assert backward_eliminate(("a", "b", "c"), lambda kept: -len(kept)) == ("c",)  # one always stays


def test_the_model_features_are_the_rules_features_but_the_dropped_ones() -> None:
    assert set(DROPPED_FEATURES) < set(FEATURES)
    assert MODEL_FEATURES == tuple(f for f in FEATURES if f not in DROPPED_FEATURES)


def documents(n_ml: int, n_none: int) -> list[Evidence]:
    """ML documents state ML requirements, the others nothing: ml_requirements alone separates them."""
    zero = dict.fromkeys(FEATURES, 0.0) | {"requirements": 5.0}
    ml = [Evidence(f"m{i}", "txt", ML, zero | {"ml_requirements": 4.0}) for i in range(n_ml)]
    return ml + [Evidence(f"n{i}", "txt", NO, zero) for i in range(n_none)]


def test_held_out_accuracy_fits_on_the_other_folds_over_the_given_features() -> None:
    items = documents(8, 4)
    fold_of = {e.id: i % 2 for i, e in enumerate(items)}
    assert held_out_accuracy(items, ("ml_requirements",), fold_of, 2) == 1.0
    # a feature that never varies leaves the majority of the other fold (ml_engineer) for everyone
    assert held_out_accuracy(items, ("other_work",), fold_of, 2) == 8 / 12


def test_nested_estimate_selects_inside_each_training_fold() -> None:
    items = documents(6, 6)
    labels = [Label(e.id, f"{e.id}.txt", "job_posting", e.label, "high") for e in items]
    groups = {e.id: f"employer-{e.id}" for e in items}
    assert nested_accuracy(items, labels, groups, seed=0, k=2) == {"all": 1.0, "selected": 1.0, "fixed": 1.0}
