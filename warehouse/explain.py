"""Why a document got its role: its classification, requirements, the signals they matched and the guide passages."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from rolesignal.rules.types import QUESTIONS, Answer
from rolesignal.warehouse.errors import AmbiguousPath


@dataclass(frozen=True)
class Hit:
    """A signal matched in a requirement, with the guide passage behind it."""

    signal_id: str
    side: str
    weight: float
    matched_text: str
    guide_passage: str | None
    label: str | None = None  # the signal's label in the catalogue in force


@dataclass(frozen=True)
class OtherEvidence:
    """A signal matched outside the stated requirements: in the title or a body passage."""

    source: str  # title | scope | prose
    context: str  # the line it stands in (the title for source 'title')
    hit: Hit


@dataclass(frozen=True)
class ExplainedRequirement:
    """One requirement of the document and the (non-negated) signals it matched."""

    ordinal: int
    section: str
    heading: str
    strength: str
    text: str
    page: int
    hits: list[Hit] = field(default_factory=list)


@dataclass(frozen=True)
class Explanation:
    """The document_roles row of a file (as a dict), its requirements and the five answers."""

    document: dict
    requirements: list[ExplainedRequirement]
    answers: list[Answer]
    other_evidence: list[OtherEvidence] = field(default_factory=list)


def fetch_explanation(con: duckdb.DuckDBPyConnection, path: str) -> Explanation | None:
    """The explanation for a current file, by resolved path or else a unique path suffix; None when not found."""
    found = find_path(con, path)
    if found is None:
        return None
    cur = con.execute("SELECT * FROM document_roles WHERE path = ?", [found])
    names = [d[0] for d in cur.description]
    document = dict(zip(names, cur.fetchall()[0], strict=True))
    hits: dict[int, list[Hit]] = {}
    other: list[OtherEvidence] = []
    for ordinal, source, context, *hit in con.execute(
        # The context of a passage hit is its line of the document text, at most 200 characters around the match.
        "SELECT e.requirement_ordinal, e.source, CASE WHEN e.source = 'title' THEN d.title ELSE "
        "  substr(d.text, greatest(1, e.char_start + 1 - 100), least(200, e.char_end - e.char_start + 200)) END, "
        "  e.signal_id, e.side, e.weight, e.matched_text, e.guide_passage, s.label "
        "FROM signal_evidence AS e LEFT JOIN signals AS s ON s.signal_id = e.signal_id "
        "LEFT JOIN documents AS d ON d.content_hash = e.content_hash "
        "WHERE e.path = ? ORDER BY e.requirement_ordinal NULLS LAST, e.source != 'title', e.char_start, e.signal_id",
        [found],
    ).fetchall():
        if ordinal is None:
            other.append(OtherEvidence(source, _line_around(context, hit[3]), Hit(*hit)))
        else:
            hits.setdefault(ordinal, []).append(Hit(*hit))
    requirements = [
        ExplainedRequirement(ordinal, section, heading, strength, text, page, hits.get(ordinal, []))
        for ordinal, section, heading, strength, text, page in con.execute(
            "SELECT ordinal, section, heading, strength, text, page FROM document_requirements "
            "WHERE path = ? ORDER BY ordinal",
            [found],
        ).fetchall()
    ]
    deciding = con.execute(
        f"SELECT {', '.join(f'{q}_requirement' for q in QUESTIONS)} FROM classifications WHERE content_hash = ?",
        [document["content_hash"]],
    ).fetchall()[0]
    answers = [Answer(q, document[q], ordinal) for q, ordinal in zip(QUESTIONS, deciding, strict=True)]
    return Explanation(document, requirements, answers, other)


def _line_around(context: str, matched: str) -> str:
    """The line of `context` that holds the matched text, trimmed to whole words."""
    at = context.find(matched)
    if at < 0:
        return " ".join(context.split())
    start = context.rfind("\n", 0, at) + 1
    end = context.find("\n", at + len(matched))
    line = context[start : end if end >= 0 else len(context)]
    if start == 0 and len(context) >= 200:  # cut inside a longer line: drop the partial first word
        line = line.split(" ", 1)[-1]
    return " ".join(line.split())


def find_path(con: duckdb.DuckDBPyConnection, path: str) -> str | None:
    """The stored current path meant by `path`: its resolved form, else the one path ending with it."""
    resolved = str(Path(path).expanduser().resolve())
    if con.execute("SELECT 1 FROM document_roles WHERE path = ?", [resolved]).fetchall():
        return resolved
    suffix = os.path.normpath(path.strip())  # './jp001.txt' → 'jp001.txt'
    if not suffix.startswith(os.sep):  # match whole path components: 'jp001.txt' must not match 'xjp001.txt'
        suffix = os.sep + suffix
    candidates = [
        r[0]
        for r in con.execute(
            "SELECT path FROM document_roles WHERE ends_with(path, ?) ORDER BY path", [suffix]
        ).fetchall()
    ]
    if len(candidates) > 1:
        raise AmbiguousPath(f"{len(candidates)} documents match {path!r}: give more of the path", candidates)
    return candidates[0] if candidates else None
