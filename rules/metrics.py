"""Scoring role decisions against people's roles (reviews or a labels file): accuracy, the confusion matrix, per-role
and macro F1, calibration by confidence band, the title-only reader, and per signal how often its documents' role is
on its side.

Pure functions over role strings: `rolesignal evaluate` and `benchmarks.roles` score through the same code, so the
product's evaluation is the one the benchmarks trust.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rolesignal.rules.types import ROLES

# Confidence bands: [lo, hi) each, the last one closed at 1.
BANDS: tuple[tuple[float, float], ...] = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.85), (0.85, 1.0))
# The roles whose work lies on each side: a hybrid role needs both.
ON_SIDE = {"ml": ("ml_engineer", "hybrid"), "ai": ("ai_developer", "hybrid")}


@dataclass(frozen=True)
class Decision:
    """What one set of rules decided for one document, as far as scoring reads it."""

    role: str
    confidence: float
    title_role: str  # the role the title implies, or 'unknown'
    signals: frozenset[tuple[str, str]] = frozenset()  # (signal_id, side) of the hits that counted for it


def check_roles(values: Sequence[str], roles: Sequence[str] = ROLES) -> None:
    """Raise ValueError naming any value that is not one of `roles`."""
    unknown = sorted(set(values) - set(roles))
    if unknown:
        raise ValueError(f"unknown role(s) {unknown}; expected one of {list(roles)}")


def accuracy(labels: Sequence[str], predicted: Sequence[str]) -> float:
    """Share of positions where predicted equals label (0.0 for no items)."""
    if len(labels) != len(predicted):
        raise ValueError("labels and predictions differ in length")
    if not labels:
        return 0.0
    return sum(a == b for a, b in zip(labels, predicted, strict=True)) / len(labels)


def confusion(labels: Sequence[str], predicted: Sequence[str], roles: Sequence[str] = ROLES) -> list[list[int]]:
    """The confusion matrix: rows are labels, columns are predictions, both in `roles` order."""
    if len(labels) != len(predicted):
        raise ValueError("labels and predictions differ in length")
    check_roles(labels, roles)
    check_roles(predicted, roles)
    index = {r: i for i, r in enumerate(roles)}
    matrix = [[0] * len(roles) for _ in roles]
    for label, guess in zip(labels, predicted, strict=True):
        matrix[index[label]][index[guess]] += 1
    return matrix


def per_role(
    labels: Sequence[str], predicted: Sequence[str], roles: Sequence[str] = ROLES
) -> dict[str, dict[str, float | int]]:
    """Precision, recall, F1, support (labelled) and predicted count per role; an undefined ratio counts as 0."""
    matrix = confusion(labels, predicted, roles)
    out: dict[str, dict[str, float | int]] = {}
    for i, role in enumerate(roles):
        tp = matrix[i][i]
        support = sum(matrix[i])
        guessed = sum(row[i] for row in matrix)
        precision = tp / guessed if guessed else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[role] = {"precision": precision, "recall": recall, "f1": f1, "support": support, "predicted": guessed}
    return out


def macro_f1(labels: Sequence[str], predicted: Sequence[str], roles: Sequence[str] = ROLES) -> float:
    """The unweighted mean of the per-role F1 over all of `roles` (a role never labelled nor predicted scores 0)."""
    scores = per_role(labels, predicted, roles)
    return sum(float(s["f1"]) for s in scores.values()) / len(roles)


def band_of(confidence: float, bands: Sequence[tuple[float, float]] = BANDS) -> int:
    """Index of the band holding confidence: [lo, hi), the last band closed at its top."""
    for i, (lo, hi) in enumerate(bands):
        if lo <= confidence < hi or (i == len(bands) - 1 and confidence == hi):
            return i
    raise ValueError(f"confidence {confidence} lies outside every band")


def calibration(
    confidences: Sequence[float], correct: Sequence[bool], bands: Sequence[tuple[float, float]] = BANDS
) -> list[dict[str, Any]]:
    """Per confidence band: count, correct count, accuracy and mean confidence (None for an empty band).

    A band is calibrated when its accuracy is close to its mean confidence (`gap` = accuracy - mean confidence).
    """
    if len(confidences) != len(correct):
        raise ValueError("confidences and outcomes differ in length")
    counts = [0] * len(bands)
    hits = [0] * len(bands)
    sums = [0.0] * len(bands)
    for confidence, ok in zip(confidences, correct, strict=True):
        i = band_of(confidence, bands)
        counts[i] += 1
        hits[i] += bool(ok)
        sums[i] += confidence
    return [
        {
            "band": f"[{lo:.2f}, {hi:.2f}{']' if i == len(bands) - 1 else ')'}",
            "lo": lo,
            "hi": hi,
            "count": counts[i],
            "correct": hits[i],
            "accuracy": hits[i] / counts[i] if counts[i] else None,
            "mean_confidence": round(sums[i] / counts[i], 4) if counts[i] else None,
            "gap": round(hits[i] / counts[i] - sums[i] / counts[i], 4) if counts[i] else None,
        }
        for i, (lo, hi) in enumerate(bands)
    ]


def baseline_role(title_role: str) -> str:
    """The title-only guess: the role the title implies, with 'unknown' read as 'none'."""
    return "none" if title_role == "unknown" else title_role


def role_figures(
    labels: Sequence[str], predicted: Sequence[str], confidences: Sequence[float], baseline: Sequence[str]
) -> dict[str, Any]:
    """Every figure of a set of decisions against people's roles, with the title-only reader's beside them."""
    correct = [a == b for a, b in zip(labels, predicted, strict=True)]
    return {
        "documents": len(labels),
        "accuracy": accuracy(labels, predicted),
        "macro_f1": macro_f1(labels, predicted),
        "per_role": per_role(labels, predicted),
        "confusion": {"roles": list(ROLES), "matrix": confusion(labels, predicted)},
        "calibration": calibration(list(confidences), correct),
        "baseline": {
            "accuracy": accuracy(labels, list(baseline)),
            "macro_f1": macro_f1(labels, list(baseline)),
            "confusion": confusion(labels, list(baseline)),
        },
    }


def signal_agreement(truth: Mapping[str, str], decided: Mapping[str, Decision]) -> list[dict[str, Any]]:
    """Per signal found in the documents: how many there are, and how many of them people put on the signal's side.

    A signal whose documents people often put on the other side is where a rule author should look first: the list
    starts with the lowest agreement.
    """
    seen: dict[tuple[str, str], list[str]] = {}
    for key, decision in decided.items():
        if key in truth:
            for signal in decision.signals:
                seen.setdefault(signal, []).append(truth[key])
    rows = []
    for (signal_id, side), roles in seen.items():
        on_side = sum(role in ON_SIDE.get(side, ()) for role in roles)
        rows.append(
            {
                "signal_id": signal_id,
                "side": side,
                "documents": len(roles),
                "on_side": on_side,
                "agreement": on_side / len(roles),
            }
        )
    return sorted(rows, key=lambda r: (r["agreement"], -r["documents"], r["signal_id"]))


def score_decisions(truth: Mapping[str, str], decided: Mapping[str, Decision]) -> dict[str, Any]:
    """The figures of `decided` against `truth` (both keyed by document), on the documents both know, in key order."""
    keys = sorted(set(truth) & set(decided))
    labels = [truth[k] for k in keys]
    check_roles(labels)
    figures = role_figures(
        labels,
        [decided[k].role for k in keys],
        [decided[k].confidence for k in keys],
        [baseline_role(decided[k].title_role) for k in keys],
    )
    return figures | {"per_signal": signal_agreement(truth, decided)}
