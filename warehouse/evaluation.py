"""What evaluation reads from the warehouse: the stored decision of each current content and people's roles for them
(reviews in force, or a labels file's rows). Nothing here writes; `flows/evaluate.py` scores what these return."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import duckdb

from rolesignal.warehouse.errors import WarehouseError
from rolesignal.warehouse.reports import missing_views
from rolesignal.warehouse.reviews import Label


class NothingToScore(WarehouseError):
    """No current document has a role from people (no reviews, or none of the labelled documents is current)."""


@dataclass(frozen=True)
class Decided:
    """The stored decision for one current content, with what a report of it names."""

    content_hash: str
    path: str  # the first current path of the content
    file_name: str
    title: str
    doc_kind: str
    role: str
    confidence: float
    ml_score: float
    ai_score: float
    title_role: str
    title_mismatch: bool
    rules_version: str
    signals: frozenset[tuple[str, str]]  # (signal_id, side) of its non-negated hits that counted


def _prefix(folder: str) -> str:
    return folder.rstrip("/") + "/"


def stored_decisions(
    con: duckdb.DuckDBPyConnection, hashes: Iterable[str] | None = None, under: str | None = None
) -> dict[str, Decided]:
    """The stored decision per current content (all, or those of `hashes`), its first path under `under` if given."""
    wanted = None if hashes is None else list(dict.fromkeys(hashes))
    conditions, params = [], []
    if wanted is not None:
        conditions.append("content_hash IN (SELECT unnest(?::VARCHAR[]))")
        params.append(wanted)
    if under is not None:
        conditions.append("starts_with(path, ?)")
        params.append(_prefix(under))
    where = " WHERE " + " AND ".join(conditions) if conditions else ""
    rows = con.execute(
        "SELECT content_hash, path, file_name, title, doc_kind, role, confidence, ml_score, ai_score, title_role, "
        f"title_mismatch, rules_version FROM document_roles{where} ORDER BY path",
        params,
    ).fetchall()
    found: dict[str, tuple] = {}
    for row in rows:
        found.setdefault(row[0], row)  # a content at several paths is one document, named by its first path
    signals: dict[str, set[tuple[str, str]]] = {h: set() for h in found}
    for content_hash, signal_id, side in con.execute(
        "SELECT DISTINCT content_hash, signal_id, side FROM signal_hits "
        "WHERE NOT negated AND weight > 0 AND content_hash IN (SELECT unnest(?::VARCHAR[]))",
        [list(found)],
    ).fetchall():
        signals[content_hash].add((signal_id, side))
    return {
        h: Decided(
            *row[:6], float(row[6]), float(row[7]), float(row[8]), row[9], bool(row[10]), row[11], frozenset(signals[h])
        )  # fmt: skip
        for h, row in found.items()
    }


def reviewed_roles(con: duckdb.DuckDBPyConnection, under: str | None = None) -> dict[str, str]:
    """content_hash → the role of the review in force, for current contents (under a folder, if given)."""
    if missing_views(con, ["reviewed_documents"]):
        raise NothingToScore("this warehouse holds no reviews yet: record some with `rolesignal review`")
    condition, params = ("AND starts_with(path, ?)", [_prefix(under)]) if under is not None else ("", [])
    return dict(
        con.execute(
            f"SELECT DISTINCT content_hash, reviewed_role FROM document_roles WHERE reviewed_role IS NOT NULL "
            f"{condition} ORDER BY 1",
            params,
        ).fetchall()
    )


def labelled_roles(labels: Iterable[Label]) -> dict[str, str]:
    """content_hash → role from a labels file's rows (a later row of the same content wins, as in an import)."""
    return {label.content_hash: label.row.role for label in labels}
