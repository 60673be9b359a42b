"""What the rules stage produces: signal hits on requirements and a classification per document."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rolesignal.extractors.types import Pattern, Requirement, SectionType, reduce_slots

# Where a signal hit stands: in a stated requirement, the document's title, or a passage (extractors.types).
EVIDENCE_SOURCES = ("requirement", "title", "scope", "prose")
ROLES = ("ml_engineer", "ai_developer", "hybrid", "none")
SIDES = ("ml", "ai")
DOC_KINDS = ("job_posting", "rfp", "other")
QUESTIONS = (
    "trains_own_model",
    "custom_intelligence_layer",
    "model_quality_is_the_challenge",
    "non_text_modality",
    "privacy_blocks_third_party_api",
)


@dataclass(frozen=True, slots=True)
class SignalHit:
    """A signal pattern matched inside one requirement, or in the title or a passage of the body."""

    __reduce__ = reduce_slots

    requirement_ordinal: int | None  # None for evidence outside the stated requirements (see `source`)
    signal_id: str
    side: str  # 'ml' | 'ai'
    weight: float  # effective weight after strength, section and negation
    matched_text: str
    pattern_id: str
    char_start: int  # offsets into the document text (into the title for source 'title')
    char_end: int
    negated: bool = False
    source: str = "requirement"  # one of EVIDENCE_SOURCES


@dataclass(frozen=True, slots=True)
class Answer:
    """One of the guide's five questions answered, with the requirement that decided it."""

    __reduce__ = reduce_slots

    question: str
    value: str  # 'yes' | 'no' | 'unknown'
    requirement_ordinal: int | None = None


@dataclass(frozen=True)
class Classification:
    """The verdict for one document under one rules version."""

    role: str
    confidence: float
    ml_score: float
    ai_score: float
    doc_kind: str
    answers: tuple[Answer, ...]
    title_role: str  # the role the title implies: a ROLES value or 'unknown'
    title_mismatch: bool
    rules_version: str
    decided_by: str = "content"  # 'content' (the stated requirements) or 'title' (they said too little)
    other_work: tuple[str, ...] = ()  # the terms of other_work.jsonl found in the text (work of neither role)


@dataclass(frozen=True)
class Analysis:
    """Everything rules derive from one document's content under one rules version."""

    content_hash: str
    requirements: tuple[Requirement, ...]
    hits: tuple[SignalHit, ...]
    classification: Classification


@dataclass(frozen=True)
class Signal:
    """One of the guide's signals: a kind of stated work tied to one side."""

    id: str
    side: str
    weight: float
    label: str
    summary: str
    guide_passage: str


@dataclass(frozen=True)
class PhraseCue:
    """Phrases that point at a document kind or a title role."""

    id: str
    target: str
    weight: float
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class RuleSet:
    """Everything the rules stage needs, validated, with the version hash stored next to every result."""

    directory: Path
    version: str
    signals: dict[str, Signal]
    signal_patterns: tuple[Pattern, ...]
    cues: tuple[Pattern, ...]
    sections: tuple[SectionType, ...]
    doc_kinds: tuple[PhraseCue, ...]
    titles: tuple[PhraseCue, ...]
    scoring: dict[str, Any] = field(repr=False)
    other_work: tuple[PhraseCue, ...] = ()  # words for work of neither role (other_work.jsonl; optional)
