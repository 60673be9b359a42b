"""Scoring role decisions against labels: the records compared and, beside the product's figures
(`rolesignal.rules.metrics`: accuracy, confusion, per-role and macro F1, calibration, the title-only baseline), what
only labels know: the document kind, and the per-document lists (pure functions; `benchmarks.roles` runs and
prints)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rolesignal.rules.metrics import role_figures

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


# ----------------------------------------------------------------------------------------------- scoring


def score(
    pairs: Sequence[tuple[Label, Prediction]], baseline: Sequence[str], product: dict[str, Any] | None = None
) -> dict[str, Any]:
    """All figures for (label, prediction) pairs; `baseline` holds the title-only guess for each pair.

    `product`: the role figures `rolesignal evaluate`'s code gave for the same documents (the labels imported as
    reviews), taken as they are; without it they are computed here, with the same functions.
    """
    labels = [label.role for label, _ in pairs]
    kinds_right = [label.doc_kind == p.doc_kind for label, p in pairs]
    if product is None:
        figures = role_figures(labels, [p.role for _, p in pairs], [p.confidence for _, p in pairs], list(baseline))
    elif product["documents"] != len(pairs):
        raise ValueError(f"the product scored {product['documents']} documents, the labels name {len(pairs)}")
    else:
        figures = product
    return figures | {
        "kind_accuracy": sum(kinds_right) / len(pairs) if pairs else 0.0,
        "kind_misses": [
            {"id": label.id, "format": p.format, "label": label.doc_kind, "predicted": p.doc_kind}
            for (label, p), ok in zip(pairs, kinds_right, strict=True)
            if not ok
        ],
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
