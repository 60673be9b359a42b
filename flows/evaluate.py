"""`rolesignal evaluate`: the stored decisions, or those of candidate rules, scored against people's roles.

A candidate rules directory is applied as a scan applies changed rules (flows/scan.py, reclassify-stored): each
document is rebuilt from its stored blocks and analysed again, so no file is read; nothing is written either, the
warehouse is opened read-only. Scoring is `rolesignal.rules.metrics`, which `benchmarks.roles` scores with too.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rolesignal.rules.load import load_rules
from rolesignal.rules.metrics import Decision, score_decisions
from rolesignal.rules.types import Analysis
from rolesignal.warehouse.connect import open_warehouse
from rolesignal.warehouse.evaluation import Decided, NothingToScore, labelled_roles, reviewed_roles, stored_decisions
from rolesignal.warehouse.reviews import read_labels
from rolesignal.warehouse.store import load_documents

BATCH = 200  # documents rebuilt from the warehouse at a time


@dataclass(frozen=True)
class Scored:
    """One set of decisions scored: the stored ones, or those of a rules directory."""

    name: str  # 'stored' or the rules directory as given
    rules_versions: tuple[str, ...]
    decisions: dict[str, Decision]
    figures: dict[str, Any]


@dataclass(frozen=True)
class Change:
    """A document that two of the scored sets of decisions decide differently."""

    content_hash: str
    path: str
    truth: str
    roles: tuple[str, ...]  # one per scored set, in order


@dataclass(frozen=True)
class Evaluation:
    """What `rolesignal evaluate` prints: the scored sets, the documents whose decision changes between them."""

    truth_source: str
    truth: dict[str, str]
    documents: dict[str, Decided]
    scored: list[Scored]
    changes: list[Change]
    unscored: list[str]  # labelled contents that are no current document


def decision_of(decided: Decided) -> Decision:
    return Decision(decided.role, decided.confidence, decided.title_role, decided.signals)


def decision_from(analysis: Analysis) -> Decision:
    """What scoring reads of a fresh analysis: the counted (non-negated, positive) hits' signals."""
    c = analysis.classification
    signals = frozenset((h.signal_id, h.side) for h in analysis.hits if not h.negated and h.weight > 0)
    return Decision(c.role, c.confidence, c.title_role, signals)


def candidate_decisions(db: str, stored: dict[str, Decided], rules_dir: str) -> tuple[str, dict[str, Decision]]:
    """The rules version of a rules directory and its decisions for the stored documents, without reading files.

    The warehouse is opened read-only per batch of documents, so a scan can write while the analysis runs.
    """
    rules = load_rules(rules_dir)
    decided = {h: decision_of(d) for h, d in stored.items() if d.rules_version == rules.version}
    todo = [h for h in stored if h not in decided]  # the same rules decide the same: only others are analysed
    if todo:
        from rolesignal.flows.analyse import Analyzer  # spaCy: only when something is to be analysed

        analyzer = Analyzer(rules)
        for start in range(0, len(todo), BATCH):
            with closing(open_warehouse(db, read_only=True)) as con:
                documents = load_documents(con, todo[start : start + BATCH])
            for document in documents:
                decided[document.content_hash] = decision_from(analyzer(document))
    return rules.version, decided


def evaluate(
    db: str,
    labels: str | Path | None = None,
    rules_dirs: Sequence[str] = (),
    under: str | None = None,
) -> Evaluation:
    """Score the stored decisions, or each rules directory's, against the reviews in force or a labels file.

    With one rules directory the stored decisions are scored too, as what it changes; with several, only they are.
    `under` keeps the documents under one folder. The warehouse is only read, never written.
    """
    with closing(open_warehouse(db, read_only=True)) as con:
        if labels is not None:
            truth_source = str(labels)
            truth = labelled_roles(read_labels(con, labels))
        else:
            truth_source = "the reviews in the warehouse"
            truth = reviewed_roles(con, under)
        stored = stored_decisions(con, truth, under)
    unscored = sorted(h for h in truth if h not in stored)
    truth = {h: role for h, role in truth.items() if h in stored}
    if not truth:
        raise NothingToScore(
            f"no current document has a role in {truth_source}: review some with `rolesignal review`, or give "
            "--labels FILE.csv"
        )
    scored: list[Scored] = []
    if len(rules_dirs) < 2:
        decisions = {h: decision_of(d) for h, d in stored.items()}
        versions = tuple(sorted({d.rules_version for d in stored.values()}))
        scored.append(Scored("stored", versions, decisions, score_decisions(truth, decisions)))
    for rules_dir in rules_dirs:
        version, decisions = candidate_decisions(db, stored, rules_dir)
        scored.append(Scored(rules_dir, (version,), decisions, score_decisions(truth, decisions)))
    changes = [
        Change(h, stored[h].path, truth[h], roles)
        for h in sorted(truth, key=lambda h: stored[h].path)
        if len(set(roles := tuple(s.decisions[h].role for s in scored))) > 1
    ]
    return Evaluation(truth_source, truth, stored, scored, changes, unscored)
