"""Scoring role decisions against labels: the records compared, accuracy, confusion, per-role and macro F1,
calibration by confidence band and the title-only baseline (pure functions; `benchmarks.roles` runs and prints)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rolesignal.rules.types import ROLES

# Confidence bands: [lo, hi) each, the last one closed at 1.
BANDS: tuple[tuple[float, float], ...] = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.85), (0.85, 1.0))


# ----------------------------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Label:
    """One row of labels.csv."""

    id: str
    file: str
    doc_kind: str
    role: str
    confidence: str


@dataclass(frozen=True)
class Prediction:
    """What the pipeline decided for one labelled document in one format."""

    id: str
    format: str
    file_name: str
    doc_kind: str
    title: str
    role: str
    confidence: float
    ml_score: float
    ai_score: float
    title_role: str
    title_mismatch: bool


# ----------------------------------------------------------------------------------------------- pure scoring


def check_roles(values: Sequence[str], roles: Sequence[str]) -> None:
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


def score(pairs: Sequence[tuple[Label, Prediction]], baseline: Sequence[str]) -> dict[str, Any]:
    """All figures for (label, prediction) pairs; `baseline` holds the title-only guess for each pair."""
    labels = [label.role for label, _ in pairs]
    predicted = [p.role for _, p in pairs]
    correct = [a == b for a, b in zip(labels, predicted, strict=True)]
    kinds_right = [label.doc_kind == p.doc_kind for label, p in pairs]
    return {
        "documents": len(pairs),
        "accuracy": accuracy(labels, predicted),
        "macro_f1": macro_f1(labels, predicted),
        "per_role": per_role(labels, predicted),
        "confusion": {"roles": list(ROLES), "matrix": confusion(labels, predicted)},
        "calibration": calibration([p.confidence for _, p in pairs], correct),
        "kind_accuracy": sum(kinds_right) / len(pairs) if pairs else 0.0,
        "kind_misses": [
            {"id": label.id, "format": p.format, "label": label.doc_kind, "predicted": p.doc_kind}
            for (label, p), ok in zip(pairs, kinds_right, strict=True)
            if not ok
        ],
        "baseline": {
            "accuracy": accuracy(labels, list(baseline)),
            "macro_f1": macro_f1(labels, list(baseline)),
            "confusion": confusion(labels, list(baseline)),
        },
        "title_mismatches": [
            {
                "id": label.id,
                "format": p.format,
                "title": p.title,
                "title_role": p.title_role,
                "predicted": p.role,
                "label": label.role,
            }
            for label, p in pairs
            if p.title_mismatch
        ],
        "misclassified": [
            {
                "id": label.id,
                "format": p.format,
                "label": label.role,
                "predicted": p.role,
                "confidence": p.confidence,
                "ml_score": p.ml_score,
                "ai_score": p.ai_score,
                "title": p.title,
            }
            for label, p in pairs
            if label.role != p.role
        ],
    }
