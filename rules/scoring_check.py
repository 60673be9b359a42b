"""The checks of scoring.yaml's values: keys, and their types, so a wrong value is a problem for `rules check`,
not a failure of every scan in the reader processes."""

from __future__ import annotations

from typing import Any

from rolesignal.extractors.types import STRENGTHS
from rolesignal.rules.model import model_problems
from rolesignal.rules.types import EVIDENCE_SOURCES, QUESTIONS


def scoring_problems(data: dict[str, Any], signal_ids: set[str]) -> list[str]:
    """What is wrong with the parsed scoring.yaml (empty when nothing is); a value of the wrong type is replaced by an
    empty one of the right type in `data`, so the checks after it can run."""
    problems: list[str] = []
    for key in ("strength_weights", "decision", "questions", "negations"):
        if key not in data:
            problems.append(f"missing '{key}'")
    # Types, not only keys: a value of the wrong shape would pass here and fail every scan in the reader processes.
    shapes = {
        "strength_weights": (dict, "a mapping of strength to number"),
        "decision": (dict, "a mapping"),
        "questions": (dict, "a mapping"),
        "negations": (list, "a list of words"),
        "lemma_overrides": (dict, "a mapping of word to lemma"),
        "tool_use_phrases": (list, "a list of phrases"),
    }
    for key, (kind, described) in shapes.items():
        if key in data and data[key] is not None and not isinstance(data[key], kind):
            problems.append(f"{key} must be {described}")
            data[key] = kind()
    words = data.get("negations") or []
    if not all(isinstance(w, str) and w for w in words):
        problems.append("negations must be a list of words (strings)")
    if not all(isinstance(p, str) and p.strip() for p in data.get("tool_use_phrases") or []):
        problems.append("tool_use_phrases must be a list of phrases (strings)")
    overrides = data.get("lemma_overrides") or {}
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in overrides.items()):
        problems.append("lemma_overrides must map words to words")
    for strength, weight in (data.get("strength_weights") or {}).items():
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            problems.append(f"strength_weights.{strength} must be a number")
    for key in ("max_hits_per_signal", "negation_window"):
        value = data.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float) or value < 0):
            problems.append(f"{key} must be a number of at least 0")
    for strength in STRENGTHS:
        if strength not in data.get("strength_weights", {}):
            problems.append(f"strength_weights lacks {strength!r}")
    for question, spec in (data.get("questions") or {}).items():
        if question not in QUESTIONS:
            problems.append(f"unknown question {question!r}")
            continue
        if any(isinstance(key, bool) for key in spec):
            problems.append(f'questions.{question}: quote the keys "yes" and "no" (YAML reads them as booleans)')
        for answer in ("yes", "no"):
            for sid in spec.get(answer, []) or []:
                if sid not in signal_ids:
                    problems.append(f"questions.{question}.{answer}: unknown signal id {sid!r}")
    for key in ("min_total", "hybrid_min_side", "hybrid_min_ratio", "confidence_scale", "none_requirements_scale"):
        if not isinstance((data.get("decision") or {}).get(key), int | float):
            problems.append(f"decision.{key} must be a number")
    weights = data.get("evidence_weights") or {}
    if not isinstance(weights, dict):
        problems.append("evidence_weights must map a source to a number")
        weights = {}
    for source, weight in weights.items():
        if source not in EVIDENCE_SOURCES[1:]:
            problems.append(f"evidence_weights: unknown source {source!r} (one of {', '.join(EVIDENCE_SOURCES[1:])})")
        elif isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 <= weight <= 1:
            problems.append(f"evidence_weights.{source} must be a number from 0 to 1")
    model = (data.get("decision") or {}).get("model")
    if model is not None:
        for problem in model_problems(model):
            problems.append(problem)
    prior = (data.get("decision") or {}).get("title_prior_confidence")
    if prior is not None and (isinstance(prior, bool) or not isinstance(prior, int | float) or not 0 <= prior <= 1):
        problems.append("decision.title_prior_confidence must be a number from 0 to 1 (or absent: no title prior)")
    return problems
