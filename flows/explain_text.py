"""The words of `rolesignal explain`: a verdict a hiring lead understands, then the evidence behind it."""

from __future__ import annotations

import textwrap
from collections import Counter
from typing import Any

from rolesignal.flows.output import shown

ROLE_NAMES = {
    "ml_engineer": "an ML engineer",
    "ai_developer": "an AI developer",
    "hybrid": "someone with depth in both (hybrid)",
    "none": "no AI or ML specialist",
}
QUESTION_TEXT = {
    "trains_own_model": "Will the work train a model on own data (rather than use a foundation model via API)?",
    "custom_intelligence_layer": "Is the core intelligence a custom model rather than an existing LLM?",
    "model_quality_is_the_challenge": "Is the primary challenge model quality rather than application/integration?",
    "non_text_modality": "Does it involve image/video/audio classification, tabular prediction or other non-text data?",
    "privacy_blocks_third_party_api": "Do data-privacy requirements prevent using a third-party API?",
}

SOURCE_NAMES = {
    "title": "title",
    "scope": "scope or role prose",
    "prose": "body prose",
}


def _label(hit: Any) -> str:
    return hit.label or hit.signal_id.split(".", 1)[1].replace("_", " ")


def _live(requirement: Any, side: str | None = None) -> list[Any]:
    return [h for h in requirement.hits if h.weight > 0 and (side is None or h.side == side)]


def _side_summary(requirements: list[Any], side: str) -> tuple[int, str]:
    """How many requirements carry the side's signals, and the most frequent signals as 'label ×n'."""
    with_side = [r for r in requirements if _live(r, side)]
    counts = Counter(_label(h) for r in with_side for h in _live(r, side))
    listed = ", ".join(f"{label} ×{n}" for label, n in counts.most_common(4))
    return len(with_side), listed


def _other_summary(explanation: Any, side: str) -> str:
    """The side's signals found outside the stated requirements, as 'label ×n'."""
    hits = [o.hit for o in getattr(explanation, "other_evidence", []) if o.hit.weight > 0 and o.hit.side == side]
    return ", ".join(f"{label} ×{n}" for label, n in Counter(_label(h) for h in hits).most_common(4))


def other_work_line(doc: dict[str, Any], width: int) -> list[str]:
    """The words for work of neither role the text names, when it names any (the decision model counts them)."""
    terms = doc.get("other_work") or []
    if not terms:
        return []
    named = ", ".join(shown(str(t)) for t in terms)
    return [
        textwrap.fill(
            f"work of neither role named ({len(terms)}; the decision model counts them towards none): {named}",
            width,
            subsequent_indent="  ",
        )
    ]


def verdict(explanation: Any) -> str:
    """One sentence: whom to hire and the requirement counts behind it."""
    doc = explanation.document
    reqs = explanation.requirements
    total = len(reqs)
    role = doc["role"]
    n_ml, ml_list = _side_summary(reqs, "ml")
    n_ai, ai_list = _side_summary(reqs, "ai")
    if doc.get("decided_by") == "title":
        return (
            f"Going by the title, hire {ROLE_NAMES.get(role, role)}: the {total} stated requirements say too little "
            f"to decide ({n_ml} model-layer, {n_ai} application-layer), so the role the title implies is taken, at "
            "low confidence; check the document (the guide warns that titles are used inconsistently)."
        )
    other = {side: _other_summary(explanation, side) for side in ("ml", "ai")}
    if role in ("ai_developer", "ml_engineer") and not (n_ai if role == "ai_developer" else n_ml):
        # The work is stated in a title, a purpose or scope paragraph, not in a requirements list.
        layer = "application-layer" if role == "ai_developer" else "model-layer"
        sentence = (
            f"Hire {ROLE_NAMES[role]}: the work is stated outside a requirements list, and it is {layer} work "
            f"({other['ai' if role == 'ai_developer' else 'ml']}, in the title or body prose)."
        )
    elif role == "ai_developer":
        sentence = f"Hire an AI developer: {n_ai} of {total} stated requirements are application-layer work ({ai_list})"
        sentence += f"; {n_ml} are model-layer." if n_ml else "."
    elif role == "ml_engineer":
        sentence = f"Hire an ML engineer: {n_ml} of {total} stated requirements are model-layer work ({ml_list})"
        sentence += f"; {n_ai} are application-layer." if n_ai else "."
    elif role == "hybrid":
        sentence = (
            f"Hire someone with depth in both layers: of {total} stated requirements, {n_ml} are model-layer "
            f"({ml_list}) and {n_ai} are application-layer ({ai_list})."
        )
    else:
        sentence = f"No AI or ML building work is stated: of {total} stated requirements, "
        sentence += (
            "none asks for training models or building on LLMs."
            if not (n_ml or n_ai)
            else f"only {n_ml + n_ai} touch on it, too little to need a specialist."
        )
        mentioned = ", ".join(summary for summary in other.values() if summary)
        if mentioned:
            sentence += f" The title or body prose mention {mentioned}: too little on their own."
    if doc.get("title_mismatch"):
        sentence += (
            f" Note: the title suggests {ROLE_NAMES.get(doc['title_role'], doc['title_role'])}, but the stated work "
            "says otherwise (the guide warns that titles are used inconsistently)."
        )
    return sentence


def evidence_by_place(explanation: Any) -> str:
    """The signal weight per side where it stands, as the decision reads it (before each signal's cap)."""
    sums = {(place, side): 0.0 for place in ("requirements", "prose", "title") for side in ("ml", "ai")}
    for req in explanation.requirements:
        for hit in _live(req):
            sums[("requirements", hit.side)] += hit.weight
    for other in getattr(explanation, "other_evidence", []):
        if other.hit.weight > 0:
            sums[("title" if other.source == "title" else "prose", other.hit.side)] += other.hit.weight
    parts = [
        f"{place} ML {sums[(place, 'ml')]:.2f} / AI {sums[(place, 'ai')]:.2f}"
        for place in ("requirements", "prose", "title")
    ]
    return "evidence by place: " + "; ".join(parts)


def reviewed_line(doc: dict) -> list[str]:
    """The review in force of the document, when a person gave one (`rolesignal review`)."""
    reviewed = doc.get("reviewed_role")
    if not reviewed:
        return []
    return [f"reviewed as {reviewed} ({'the tool agrees' if reviewed == doc['role'] else 'the tool disagrees'})"]


def explanation_text(explanation: Any, width: int = 100) -> str:
    """The full explanation: verdict, scores, the five questions, then each requirement with its evidence."""
    # What the document says (its path, title, headings, text) goes through shown(): a control character in it is
    # printed as an escape, never sent to the terminal.
    doc = explanation.document
    # Every line within `width` (but a path or a word longer than that): a terminal never wraps them.
    lines = [
        shown(str(doc["path"])),
        textwrap.fill(
            f"  title: {shown(str(doc['title']))}   kind: {doc['doc_kind']}   type: {doc['file_type']}",
            width,
            subsequent_indent="         ",
        ),
        "",
        textwrap.fill(verdict(explanation), width),
        "",
        f"role {doc['role']}  confidence {doc['confidence']:.2f}  ML score {doc['ml_score']:.2f}  "
        f"AI score {doc['ai_score']:.2f}  rules {doc['rules_version']}",
        f"title role {doc['title_role']}"
        f"{'  TITLE MISMATCH' if doc['title_mismatch'] else ''}"
        f"{'  DECIDED BY THE TITLE' if doc.get('decided_by') == 'title' else ''}",
        *reviewed_line(doc),
        *other_work_line(doc, width),
        evidence_by_place(explanation),
        "",
        "The guide's five questions:",
    ]
    for answer in explanation.answers:
        deciding = f" (requirement #{answer.requirement_ordinal})" if answer.requirement_ordinal is not None else ""
        question = f"  {answer.value:<7} {QUESTION_TEXT.get(answer.question, answer.question)}{deciding}"
        # A question is one line in a terminal of 120 columns, wrapped in a narrower text.
        lines.append(textwrap.fill(question, width + 20, subsequent_indent=" " * 10))
    lines += ["", f"Stated requirements ({len(explanation.requirements)}):"]
    passages: dict[str, str] = {}
    for req in explanation.requirements:
        where = f"{req.strength}, {shown(req.heading or 'no heading')}, p.{req.page}"
        lines.append(textwrap.fill(f"#{req.ordinal} [{where}] {shown(req.text)}", width, subsequent_indent="      "))
        for hit in _live(req):
            lines.append(f'      -> {hit.signal_id} ({hit.side}, +{hit.weight:.2f}) on "{shown(hit.matched_text)}"')
            if hit.guide_passage:
                passages.setdefault(hit.signal_id, hit.guide_passage)
    if explanation.other_evidence:
        lines += ["", "Evidence outside the stated requirements (weighs less; see evidence_weights in scoring.yaml):"]
        for other in explanation.other_evidence:
            hit = other.hit
            where = SOURCE_NAMES.get(other.source, other.source)
            lines.append(textwrap.fill(f"[{where}] {shown(other.context)}", width, subsequent_indent="      "))
            lines.append(f'      -> {hit.signal_id} ({hit.side}, +{hit.weight:.2f}) on "{shown(hit.matched_text)}"')
            if hit.guide_passage:
                passages.setdefault(hit.signal_id, hit.guide_passage)
    if passages:
        lines += ["", "The guide passages behind these signals:"]
        for signal_id, passage in sorted(passages.items()):
            lines.append(textwrap.fill(f"{signal_id}: \u201c{passage}\u201d", width, subsequent_indent="    "))
    return "\n".join(lines)
