"""Fit the decision numbers of scoring.yaml on labelled documents, and cross-validate that fit by employer folds.

Fitted: `evidence_weights` (title, scope, prose), `decision.min_total`, `decision.hybrid_min_side`,
`decision.hybrid_min_ratio` and whether the title prior is on. A grid search (GRID) picks the point with the highest
accuracy + macro-F1 on the training documents, averaged with its neighbours; ties go to the first point in GRID's
order. Then `decision.calibration` maps the confidence to the share right on those documents (Platt scaling).
Signal patterns, the lexicon and signal weights are not fitted: they are written from the guide.

Each document's hits are read once, with the evidence weight in force divided out, so a grid point costs a few numpy
operations over all documents. The role a grid point gives is checked against the product's own decision for the
numbers in force (`check_consistency`): the fit scores exactly what `rolesignal.rules.classify` would decide.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rolesignal.rules.classify import decide
from rolesignal.rules.types import EVIDENCE_SOURCES, ROLES, RuleSet

# The grid searched; the order of the keys and values is the tie-break order.
GRID: dict[str, tuple[Any, ...]] = {
    "title": (0.25, 0.5, 0.75, 1.0),
    "scope": (0.25, 0.5, 0.75, 1.0),
    "prose": (0.1, 0.2, 0.3, 0.5),
    "min_total": (0.5, 0.75, 1.0, 1.25, 1.5, 2.0),
    "hybrid_min_side": (1.5, 2.0, 2.5, 3.5),
    "hybrid_min_ratio": (0.35, 0.5, 0.65),
    "title_prior": (True, False),
}
_EVIDENCE_KEYS = ("title", "scope", "prose")
_ML, _AI, _HYBRID, _NONE = (ROLES.index(r) for r in ("ml_engineer", "ai_developer", "hybrid", "none"))


class FitError(Exception):
    """The fit cannot be trusted (its decisions differ from the product's)."""


@dataclass(frozen=True)
class Evidence:
    """What one document in one format gives the decision: hits per source and signal, unscaled, and the title."""

    id: str
    format: str
    label: str
    implied: str  # the role the title implies
    n_requirements: int
    raw: Mapping[tuple[str, str], float]  # (source, signal id) -> summed hit weight before the evidence weight


def unscaled(hits: Iterable[tuple[str, str, float]], rules: RuleSet) -> dict[tuple[str, str], float]:
    """(source, signal) -> summed weight of (signal, source, weight) hits, with the evidence weight divided out."""
    weights = rules.scoring.get("evidence_weights") or {}
    raw: dict[tuple[str, str], float] = {}
    for signal_id, source, weight in hits:
        scale = 1.0 if source == "requirement" else float(weights.get(source, 0.0))
        if weight > 0 and scale > 0:
            raw[(source, signal_id)] = raw.get((source, signal_id), 0.0) + weight / scale
    return raw


def fit_calibration(confidences: Sequence[float], correct: Sequence[bool], l2: float = 0.1) -> dict[str, float]:
    """Slope and intercept of a logistic regression of being right on the logit of the confidence (Platt scaling).

    A small L2 penalty pulls the slope towards 1 and the intercept towards 0 (no change), so a few documents
    cannot bend the curve far. Solved by Newton's method.
    """
    c = np.clip(np.asarray(confidences, dtype=float), 0.001, 0.999)
    x = np.stack([np.log(c / (1 - c)), np.ones_like(c)], axis=1)
    y = np.asarray(correct, dtype=float)
    prior = np.array([1.0, 0.0])
    w = prior.copy()
    for _ in range(200):
        p = 1 / (1 + np.exp(-np.clip(x @ w, -30, 30)))
        gradient = x.T @ (p - y) + l2 * (w - prior)
        hessian = (x * (p * (1 - p))[:, None]).T @ x + l2 * np.eye(2)
        step = np.linalg.solve(hessian, gradient)
        step *= min(1.0, 1.0 / max(float(np.max(np.abs(step))), 1e-12))  # damped: no step overshoots to overflow
        w -= step
        if np.max(np.abs(step)) < 1e-9:
            break
    return {"slope": round(float(w[0]), 3), "intercept": round(float(w[1]), 3)}


def params_in_force(rules: RuleSet) -> dict[str, Any]:
    """The fitted numbers as scoring.yaml has them."""
    weights, decision = rules.scoring.get("evidence_weights") or {}, rules.scoring["decision"]
    params: dict[str, Any] = {key: float(weights.get(key, 0.0)) for key in _EVIDENCE_KEYS}
    params |= {key: float(decision[key]) for key in ("min_total", "hybrid_min_side", "hybrid_min_ratio")}
    params["title_prior"] = decision.get("title_prior_confidence") is not None
    params["calibration"] = dict(decision["calibration"]) if decision.get("calibration") else None
    return params


def with_params(rules: RuleSet, params: Mapping[str, Any]) -> RuleSet:
    """The rule set with these numbers in its scoring (nothing is written)."""
    scoring = dict(rules.scoring)
    scoring["evidence_weights"] = {key: params[key] for key in _EVIDENCE_KEYS}
    decision = dict(scoring["decision"])
    decision |= {key: params[key] for key in ("min_total", "hybrid_min_side", "hybrid_min_ratio")}
    if not params["title_prior"]:
        decision.pop("title_prior_confidence", None)
    else:
        decision.setdefault("title_prior_confidence", 0.5)
    if params.get("calibration"):
        decision["calibration"] = dict(params["calibration"])
    else:
        decision.pop("calibration", None)
    scoring["decision"] = decision
    return dataclasses.replace(rules, scoring=scoring)


class Matrices:
    """The evidence of many documents as arrays: raw[document, source, signal], labels, title roles."""

    def __init__(self, evidence: Sequence[Evidence], rules: RuleSet) -> None:
        self.signals = list(rules.signals)
        column = {sid: i for i, sid in enumerate(self.signals)}
        self.raw = np.zeros((len(evidence), len(EVIDENCE_SOURCES), len(self.signals)))
        for row, item in enumerate(evidence):
            for (source, signal_id), weight in item.raw.items():
                self.raw[row, EVIDENCE_SOURCES.index(source), column[signal_id]] += weight
        cap = float(rules.scoring.get("max_hits_per_signal", 3))
        self.cap = np.array([cap * rules.signals[s].weight for s in self.signals])
        self.ml_mask = np.array([rules.signals[s].side == "ml" for s in self.signals], dtype=float)
        self.labels = np.array([ROLES.index(item.label) for item in evidence])
        self.implied = np.array([ROLES.index(item.implied) if item.implied in ROLES else -1 for item in evidence])

    def scores(self, params: Mapping[str, Any], rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """ML and AI scores of the rows' documents under these evidence weights (rounded as classify rounds)."""
        weights = np.array([1.0 if s == "requirement" else params[s] for s in EVIDENCE_SOURCES])
        totals = np.minimum(np.einsum("nks,k->ns", self.raw[rows], weights), self.cap)
        ml = totals @ self.ml_mask
        ai = totals @ (1.0 - self.ml_mask)
        return np.round(ml, 4), np.round(ai, 4)

    def roles(self, params: Mapping[str, Any], rows: np.ndarray, ml: np.ndarray, ai: np.ndarray) -> np.ndarray:
        """The role index decide() gives each row's document (confidence aside)."""
        total = ml + ai
        weaker, stronger = np.minimum(ml, ai), np.maximum(ml, ai)
        none = total < params["min_total"]
        hybrid = (weaker >= params["hybrid_min_side"]) & (weaker >= params["hybrid_min_ratio"] * stronger)
        role = np.where(none, _NONE, np.where(hybrid, _HYBRID, np.where(ml > ai, _ML, _AI)))
        if params["title_prior"]:
            implied = self.implied[rows]
            role = np.where((role == _NONE) & ((implied == _ML) | (implied == _AI)), implied, role)
        return role


def objective(labels: np.ndarray, predicted: np.ndarray) -> float:
    """Accuracy + macro-F1 over the four roles (F1 of a role nobody has and nobody predicts is left out)."""
    f1s = []
    for role in range(len(ROLES)):
        tp = float(np.sum((predicted == role) & (labels == role)))
        support, guessed = float(np.sum(labels == role)), float(np.sum(predicted == role))
        if support or guessed:
            f1s.append(2 * tp / (support + guessed))
    return float(np.mean(labels == predicted)) + (float(np.mean(f1s)) if f1s else 0.0)


def objective_grid(matrices: Matrices, rows: np.ndarray) -> np.ndarray:
    """The objective on these rows at every GRID point, as an array with one axis per GRID key."""
    labels = matrices.labels[rows]
    decision_keys = [k for k in GRID if k not in _EVIDENCE_KEYS]
    values = []
    for evidence_values in itertools.product(*(GRID[k] for k in _EVIDENCE_KEYS)):
        params = dict(zip(_EVIDENCE_KEYS, evidence_values, strict=True))
        ml, ai = matrices.scores(params, rows)
        for decision_values in itertools.product(*(GRID[k] for k in decision_keys)):
            params |= dict(zip(decision_keys, decision_values, strict=True))
            values.append(objective(labels, matrices.roles(params, rows, ml, ai)))
    return np.array(values).reshape([len(GRID[k]) for k in GRID])


def smoothed(grid: np.ndarray) -> np.ndarray:
    """Each point's objective averaged with its neighbours along every axis (edges repeated).

    A hundred documents cannot tell apart points a step away from each other; a point whose neighbours also score
    well is a flat optimum, and holds on new documents better than a lone peak.
    """
    out = grid
    for axis in range(grid.ndim):
        if grid.shape[axis] < 3:
            continue
        padded = np.concatenate(
            [np.take(out, [0], axis=axis), out, np.take(out, [out.shape[axis] - 1], axis=axis)], axis=axis
        )
        size = out.shape[axis]
        out = (
            np.take(padded, range(0, size), axis=axis)
            + np.take(padded, range(1, size + 1), axis=axis)
            + np.take(padded, range(2, size + 2), axis=axis)
        ) / 3
    return out


def fit(matrices: Matrices, rows: np.ndarray) -> tuple[dict[str, Any], float]:
    """The GRID point with the best smoothed objective on these rows (the first in GRID order on a tie), and its
    unsmoothed objective."""
    grid = objective_grid(matrices, rows)
    index = np.unravel_index(int(np.argmax(np.round(smoothed(grid), 9))), grid.shape)
    params = {key: GRID[key][i] for key, i in zip(GRID, index, strict=True)}
    return params, float(grid[index])


def predict(
    evidence: Sequence[Evidence], matrices: Matrices, rows: np.ndarray, params: Mapping[str, Any], rules: RuleSet
) -> list[tuple[str, float, float, float]]:
    """(role, confidence, ml score, ai score) per row, by the product's own decide() under these numbers."""
    fitted = with_params(rules, params)
    ml, ai = matrices.scores(params, rows)
    out = []
    for row, m, a in zip(rows, ml, ai, strict=True):
        item = evidence[row]
        role, confidence, _ = decide(float(m), float(a), item.n_requirements, item.implied, fitted)
        out.append((role, confidence, float(m), float(a)))
    return out


def check_consistency(evidence: Sequence[Evidence], roles: Sequence[str], rules: RuleSet) -> None:
    """Raise FitError unless the fit's arrays give the product's roles under the numbers in force."""
    matrices = Matrices(evidence, rules)
    rows = np.arange(len(evidence))
    params = params_in_force(rules)
    ml, ai = matrices.scores(params, rows)
    fast = matrices.roles(params, rows, ml, ai)
    exact = predict(evidence, matrices, rows, params, rules)
    differ = [
        item.id
        for item, got, want, slow in zip(evidence, fast, roles, exact, strict=True)
        if ROLES[got] != want or slow[0] != want
    ]
    if differ:
        raise FitError(f"the fit's decisions differ from the product's for {len(differ)} documents: {differ[:5]}")


def cross_validate(
    evidence: Sequence[Evidence], fold_of: Mapping[str, int], k: int, rules: RuleSet
) -> tuple[list[tuple[str, float, float, float]], list[dict[str, Any]]]:
    """Held-out predictions for every item (numbers fitted on the other folds) and the numbers fitted per fold."""
    matrices = Matrices(evidence, rules)
    folds = np.array([fold_of[item.id] for item in evidence])
    predictions: list[tuple[str, float, float, float] | None] = [None] * len(evidence)
    fitted = []
    for fold in range(k):
        train, test = np.flatnonzero(folds != fold), np.flatnonzero(folds == fold)
        params = calibrate(evidence, matrices, train, fit(matrices, train)[0], rules)
        fitted.append(params)
        for row, prediction in zip(test, predict(evidence, matrices, test, params, rules), strict=True):
            predictions[row] = prediction
    return [p for p in predictions if p is not None], fitted


def calibrate(
    evidence: Sequence[Evidence], matrices: Matrices, rows: np.ndarray, params: dict[str, Any], rules: RuleSet
) -> dict[str, Any]:
    """The params with a confidence calibration fitted on these rows' decisions under them."""
    raw = predict(evidence, matrices, rows, params | {"calibration": None}, rules)
    right = [role == evidence[row].label for row, (role, *_) in zip(rows, raw, strict=True)]
    return params | {"calibration": fit_calibration([confidence for _, confidence, *_ in raw], right)}


def fit_all(evidence: Sequence[Evidence], rules: RuleSet) -> tuple[dict[str, Any], float]:
    """The numbers fitted on every labelled document: what scoring.yaml should hold."""
    matrices = Matrices(evidence, rules)
    rows = np.arange(len(evidence))
    params, value = fit(matrices, rows)
    return calibrate(evidence, matrices, rows, params, rules), value
