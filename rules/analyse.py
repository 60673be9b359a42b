"""The whole analysis of a Document under a RuleSet: kind, requirements, signal hits, classification."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from extractors.nlp import build_nlp
from extractors.requirements import RequirementFinder
from extractors.types import Document
from rules.classify import classify
from rules.doc_kind import detect_doc_kind
from rules.load import RuleSet
from rules.match import SignalMatcher
from rules.types import Analysis


class Analyzer:
    """Build once per process (spaCy pipeline and matchers), then call per document or `pipe` many."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.nlp = build_nlp(rules.scoring.get("lemma_overrides") or {})
        self.find_requirements = RequirementFinder(rules, self.nlp)
        self.match_signals = SignalMatcher(rules, self.nlp)

    def __call__(self, document: Document) -> Analysis:
        doc_kind = detect_doc_kind(document, self.rules)
        found = self.find_requirements.find(document, doc_kind)
        requirements = tuple(requirement for requirement, _ in found)
        hits = tuple(self.match_signals(requirements, [span for _, span in found]))
        verdict = classify(document.title, doc_kind, requirements, hits, self.rules)
        return Analysis(document.content_hash, requirements, hits, verdict)

    def pipe(self, documents: Iterable[Document]) -> Iterator[Analysis]:
        for document in documents:
            yield self(document)
