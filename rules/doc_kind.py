"""Tell a job posting from an RFP (or neither) by the document's own cues."""

from __future__ import annotations

from rolesignal.extractors.types import Document
from rolesignal.rules.phrases import scores
from rolesignal.rules.types import RuleSet

# The opening of a document says what it is; later text quotes other things.
_OPENING_CHARS = 4000


def detect_doc_kind(document: Document, rules: RuleSet) -> str:
    """'rfp', 'job_posting' or 'other': the kind whose cues weigh most in the title (double) and opening text."""
    totals = scores(document.text[:_OPENING_CHARS], rules.doc_kinds)
    for kind, value in scores(document.title, rules.doc_kinds).items():
        totals[kind] = totals.get(kind, 0.0) + value
    if not totals:
        return "other"
    ranked = sorted(totals.items(), key=lambda kv: kv[1], reverse=True)
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return "other"
    return ranked[0][0] if ranked[0][1] >= 2 else "other"
