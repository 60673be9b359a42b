"""Turn signal hits into the guide's verdict: role, confidence, scores, five answers and the title check."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from rolesignal.extractors.types import Requirement
from rolesignal.rules.model import decision_features, model_decision
from rolesignal.rules.phrases import best_target
from rolesignal.rules.types import QUESTIONS, Answer, Classification, RuleSet, SignalHit


def signal_scores(hits: Sequence[SignalHit], rules: RuleSet) -> dict[str, float]:
    """Per signal, the sum of its hit weights, capped so one repeated signal cannot dominate."""
    cap = float(rules.scoring.get("max_hits_per_signal", 3))
    totals: dict[str, float] = defaultdict(float)
    for hit in hits:
        totals[hit.signal_id] += hit.weight
    return {sid: min(total, cap * rules.signals[sid].weight) for sid, total in totals.items() if total > 0}


def decide_role(ml: float, ai: float, rules: RuleSet, n_requirements: int = 0) -> tuple[str, float]:
    """The documented decision rule of scoring.yaml, with a confidence in 0..1."""
    d = rules.scoring["decision"]
    total = ml + ai
    evidence = total / (total + float(d["confidence_scale"]))
    if total < float(d["min_total"]):
        # The less evidence, the surer that no building work is stated; but a document that states
        # little (a truncated excerpt, a one-paragraph call) says little either way.
        said = n_requirements / (n_requirements + float(d["none_requirements_scale"]))
        return "none", round((1.0 - 0.5 * total / float(d["min_total"])) * (0.5 + 0.5 * said), 3)
    weaker, stronger = sorted((ml, ai))
    if weaker >= float(d["hybrid_min_side"]) and weaker >= float(d["hybrid_min_ratio"]) * stronger:
        return "hybrid", round(evidence * (0.5 + 0.5 * weaker / stronger), 3)
    role = "ml_engineer" if ml > ai else "ai_developer"
    margin = (stronger - weaker) / total
    return role, round(evidence * (0.5 + 0.5 * margin), 3)


def decide(ml: float, ai: float, n_requirements: int, implied: str, rules: RuleSet) -> tuple[str, float, str]:
    """Role, confidence and what decided it ('content' or 'title'), from the side scores and the title's role."""
    role, confidence = decide_role(ml, ai, rules, n_requirements)
    decided_by = "content"
    prior = rules.scoring["decision"].get("title_prior_confidence")
    if prior is not None and role == "none" and implied in ("ml_engineer", "ai_developer"):
        # The title as a prior, not a judge: only when the content states too little to decide.
        role, confidence, decided_by = implied, float(prior), "title"
    return role, confidence, decided_by


def title_role(title: str, rules: RuleSet) -> str:
    """The role the title's words imply, or 'unknown'."""
    found = best_target(title, rules.titles)
    return found[0] if found else "unknown"


def answer_questions(
    hits: Sequence[SignalHit], rules: RuleSet, ml_score: float = 0.0, ai_score: float = 0.0
) -> tuple[Answer, ...]:
    """Yes if a 'yes' signal is stated, else no if a 'no' signal is, else unknown; the first such one decides.

    The stated requirements are read first; only when none of them bears on a question do the body's passages
    answer it. The title never does: its words name a job, they state no work.
    A question marked `by_balance` ("is the *primary* challenge ...") asks which side dominates: it answers
    yes only when the ML side outweighs the AI side, no only when the AI side does.
    """
    live = [h for h in hits if h.weight > 0 and h.source != "title"]
    tiers = (
        sorted(
            (h for h in live if h.requirement_ordinal is not None), key=lambda h: (h.requirement_ordinal, h.char_start)
        ),
        sorted((h for h in live if h.requirement_ordinal is None), key=lambda h: h.char_start),
    )
    answers = []
    for question in QUESTIONS:
        spec = rules.scoring["questions"].get(question, {})
        order = ("yes", "no")
        if spec.get("by_balance"):
            order = ("yes",) if ml_score > ai_score else ("no",)
        answers.append(_answer(question, spec, order, tiers))
    return tuple(answers)


def _answer(question: str, spec: dict, order: tuple[str, ...], tiers: tuple[list[SignalHit], ...]) -> Answer:
    """The first tier of hits that bears on the question answers it."""
    for tier in tiers:
        for value in order:
            wanted = set(spec.get(value) or [])
            deciding = next((h for h in tier if h.signal_id in wanted), None)
            if deciding is not None:
                return Answer(question, value, deciding.requirement_ordinal)
    return Answer(question, "unknown")


def classify(
    title: str,
    doc_kind: str,
    requirements: Sequence[Requirement],
    hits: Sequence[SignalHit],
    rules: RuleSet,
    other_work: tuple[str, ...] = (),
) -> Classification:
    """The verdict for one document from its requirements' signal hits (and the words it has for work of neither
    role, which only the fitted model weighs)."""
    per_signal = signal_scores(hits, rules)
    ml = round(sum(v for s, v in per_signal.items() if rules.signals[s].side == "ml"), 4)
    ai = round(sum(v for s, v in per_signal.items() if rules.signals[s].side == "ai"), 4)
    implied = title_role(title, rules)
    model = rules.scoring["decision"].get("model")
    if model:
        evidence = [(h.signal_id, h.source, h.weight, h.pattern_id) for h in hits]
        features = decision_features(evidence, len(requirements), implied, doc_kind, rules, len(other_work))
        role, confidence = model_decision(features, model)
        # A verdict for a specialist with nothing in the content behind it rests on the title's words.
        content = sum(features[f"{side}_{group}"] for side in ("ml", "ai") for group in ("requirements", "context"))
        decided_by = "title" if role != "none" and content == 0 else "content"
    else:
        role, confidence, decided_by = decide(ml, ai, len(requirements), implied, rules)
    mismatch = implied in ("ml_engineer", "ai_developer") and role not in (implied, "hybrid")
    return Classification(
        role=role,
        confidence=confidence,
        ml_score=ml,
        ai_score=ai,
        doc_kind=doc_kind,
        answers=answer_questions(hits, rules, ml, ai),
        title_role=implied,
        title_mismatch=mismatch,
        rules_version=rules.version,
        decided_by=decided_by,
        other_work=other_work,
    )
