"""The whole analysis of a Document under a RuleSet: kind, requirements, signal hits, classification."""

from __future__ import annotations

from rolesignal.extractors.nlp import build_nlp
from rolesignal.extractors.requirements import RequirementFinder
from rolesignal.extractors.types import Document
from rolesignal.rules.classify import classify
from rolesignal.rules.doc_kind import detect_doc_kind
from rolesignal.rules.match import SignalMatcher
from rolesignal.rules.other_work import other_work_terms
from rolesignal.rules.types import Analysis, RuleSet


class Analyzer:
    """Build once per process (spaCy pipeline and matchers), then call once per document."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.nlp = build_nlp(rules.scoring.get("lemma_overrides") or {})
        self.find_requirements = RequirementFinder(rules.cues, rules.sections, self.nlp)
        self.match_signals = SignalMatcher(rules, self.nlp)

    def __call__(self, document: Document) -> Analysis:
        doc_kind = detect_doc_kind(document, self.rules)
        found = self.find_requirements.find_all(document, doc_kind)
        requirements = tuple(requirement for requirement, _ in found.requirements)
        hits = (
            *self.match_signals(requirements, [span for _, span in found.requirements]),
            *self.match_signals.passages([p for p, _ in found.passages], [span for _, span in found.passages]),
            *self.match_signals.title(self.nlp(document.title or "")),
        )
        other_work = other_work_terms(document.text, self.rules.other_work)
        verdict = classify(document.title, doc_kind, requirements, hits, self.rules, other_work)
        return Analysis(document.content_hash, requirements, hits, verdict)
