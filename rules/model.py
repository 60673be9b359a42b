"""The fitted decision: a multinomial logistic regression over a document's evidence, read from scoring.yaml.

The evidence is summed per side (ml, ai) and per place it stands (stated requirements; scope and body prose; the
title), each signal capped as in the hand rule, plus the role the title's words imply, the number of stated
requirements, how many different concepts each side names (a lexicon concept, or a signal's own patterns as one), the
kind of document (job posting, RFP, other) and how many different words for work of neither role (business
intelligence, dashboards: other_work.jsonl) it names. Each feature x enters as ln(1 + x), centred and scaled as on the
documents the model was fitted on; each role's score is its intercept plus its coefficients times the features, and
the role with the highest probability (softmax of the scores) is the verdict, that probability its confidence.
`benchmarks.scoring_fit` fits the numbers; nothing here is tuned by hand.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from rolesignal.rules.types import ROLES, RuleSet

FEATURES = (
    "ml_requirements",
    "ai_requirements",
    "ml_context",
    "ai_context",
    "ml_title",
    "ai_title",
    "title_ml",
    "title_ai",
    "requirements",
    "ml_concepts",
    "ai_concepts",
    "kind_rfp",
    "kind_other",
    "other_work",
)
_GROUP = {"requirement": "requirements", "scope": "context", "prose": "context", "title": "title"}


def concept_of(pattern_id: str) -> str:
    """The vocabulary a pattern belongs to, its id before the first '/': a lexicon concept ('lexicon:rag_frameworks'),
    or the signal of a signal pattern (named '<signal>/<name>')."""
    return pattern_id.split("/", 1)[0]


def decision_features(
    hits: Iterable[tuple[str, str, float, str]],
    n_requirements: int,
    implied: str,
    doc_kind: str,
    rules: RuleSet,
    other_work: int = 0,
) -> dict[str, float]:
    """The model's inputs from (signal id, source, weight, pattern id) hits, the requirement count, the title's role,
    the kind of document (a tender or an excerpt of unknown kind states its work differently from a job posting) and
    how many different terms for work of neither role (other_work.jsonl) the text names.

    The breadth of each side counts concepts, not signals: a signal such as ml.training spans frameworks, training
    work and data science alike, and a text that names several of them states more than one that repeats one.
    """
    cap = float(rules.scoring.get("max_hits_per_signal", 3))
    totals: dict[tuple[str, str], float] = defaultdict(float)
    concepts: dict[str, set[str]] = {"ml": set(), "ai": set()}
    for signal_id, source, weight, pattern_id in hits:
        if weight > 0:
            totals[(_GROUP[source], signal_id)] += weight
            concepts[rules.signals[signal_id].side].add(concept_of(pattern_id))
    features = dict.fromkeys(FEATURES, 0.0)
    for (group, signal_id), total in totals.items():
        signal = rules.signals[signal_id]
        features[f"{signal.side}_{group}"] += min(total, cap * signal.weight)
    features["title_ml"] = float(implied == "ml_engineer")
    features["title_ai"] = float(implied == "ai_developer")
    features["requirements"] = float(n_requirements)
    features["ml_concepts"] = float(len(concepts["ml"]))
    features["ai_concepts"] = float(len(concepts["ai"]))
    features["kind_rfp"] = float(doc_kind == "rfp")
    features["kind_other"] = float(doc_kind == "other")
    features["other_work"] = float(other_work)
    return features


def probabilities(features: Mapping[str, float], model: Mapping[str, Any]) -> dict[str, float]:
    """Each role's probability under the fitted model."""
    names = model["features"]
    x = [
        (math.log1p(features[name]) - center) / scale
        for name, center, scale in zip(names, model["center"], model["scale"], strict=True)
    ]
    scores = {
        role: float(model["intercepts"][role]) + sum(c * v for c, v in zip(model["coefficients"][role], x, strict=True))
        for role in ROLES
    }
    top = max(scores.values())
    exp = {role: math.exp(score - top) for role, score in scores.items()}
    total = sum(exp.values())
    return {role: value / total for role, value in exp.items()}


def model_decision(features: Mapping[str, float], model: Mapping[str, Any]) -> tuple[str, float]:
    """The most probable role and its confidence (ties go to the first role in ROLES order).

    The confidence is the role's probability, mapped through the model's `calibration` when it has one: a logistic
    curve fitted on documents the model had not seen, so that a verdict said with 0.7 is right about 7 times in 10.
    """
    probs = probabilities(features, model)
    role = max(ROLES, key=lambda r: (probs[r], -ROLES.index(r)))
    return role, round(calibrated(probs[role], model.get("calibration")), 3)


def calibrated(probability: float, calibration: Mapping[str, float] | None) -> float:
    """sigmoid(slope x logit(p) + intercept), or p itself without a calibration."""
    if not calibration:
        return probability
    p = min(max(probability, 1e-6), 1 - 1e-6)
    z = float(calibration["slope"]) * math.log(p / (1 - p)) + float(calibration["intercept"])
    return 1 / (1 + math.exp(-z))


def model_problems(model: Any) -> list[str]:
    """What is wrong with a decision.model entry of scoring.yaml (empty when it is usable)."""
    if not isinstance(model, dict):
        return ["decision.model must be a mapping"]
    names = model.get("features")
    if not isinstance(names, list) or not names or any(n not in FEATURES for n in names):
        return [f"decision.model.features must list some of {', '.join(FEATURES)}"]
    problems = []
    for key in ("center", "scale"):
        values = model.get(key)
        if not _numbers(values, len(names)) or (key == "scale" and any(v <= 0 for v in values)):
            above = " above 0" if key == "scale" else ""
            problems.append(f"decision.model.{key} must be {len(names)} numbers{above}")
    for role in ROLES:
        if not _numbers((model.get("coefficients") or {}).get(role), len(names)):
            problems.append(f"decision.model.coefficients.{role} must be {len(names)} numbers")
        if not _numbers([(model.get("intercepts") or {}).get(role)], 1):
            problems.append(f"decision.model.intercepts.{role} must be a number")
    calibration = model.get("calibration")
    if calibration is not None and not (
        isinstance(calibration, dict) and _numbers([calibration.get("slope"), calibration.get("intercept")], 2)
    ):
        problems.append("decision.model.calibration must hold the numbers slope and intercept")
    return problems


def _numbers(values: Any, count: int) -> bool:
    return (
        isinstance(values, list)
        and len(values) == count
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    )
