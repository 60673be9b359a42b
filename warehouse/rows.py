"""Dataclasses → row tuples and Arrow tables shaped like the warehouse tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from rolesignal.extractors.types import Document
from rolesignal.extractors.version import READER_VERSION
from rolesignal.rules.types import QUESTIONS, Analysis
from rolesignal.warehouse.types import SeenFile

# The columns a batch supplies for files and failures; the rest (root, scans, timestamps) is filled in SQL.
FILE_STAGE = ("path", "file_name", "file_type", "size", "mtime_ns", "content_hash", "status")
FAILURE_STAGE = ("path", "content_hash", "error_type", "message")
_SCHEMAS: dict[tuple[str, tuple[str, ...]], pa.Schema] = {}


def arrow(con: duckdb.DuckDBPyConnection, table: str, rows: Iterable[tuple], columns: Sequence[str] = ()) -> pa.Table:
    """An Arrow table of `rows` typed like `table` (all its columns in order, or just `columns`)."""
    # The schema comes from the database, so the DDL in migrations/ stays the only definition of the columns; it is
    # asked once per process (every warehouse is migrated to the same schema before anything is written).
    key = (table, tuple(columns))
    if key not in _SCHEMAS:
        selected = ", ".join(columns) or "*"
        _SCHEMAS[key] = con.sql(f"SELECT {selected} FROM {table} LIMIT 0").to_arrow_table().schema
    schema = _SCHEMAS[key]
    rows = list(rows)
    values = list(zip(*rows, strict=True)) if rows else [()] * len(schema)
    return pa.table([pa.array(v, type=f.type) for v, f in zip(values, schema, strict=True)], schema=schema)


def document_rows(docs: Iterable[Document], now: datetime) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """Rows for documents, pages and blocks."""
    documents, pages, blocks = [], [], []
    for d in docs:
        h = d.content_hash
        documents.append((h, d.file_type, d.title, d.text, len(d.pages), now, READER_VERSION))
        pages.extend((h, p.number, p.char_start, p.char_end) for p in d.pages)
        blocks.extend((h, i, b.kind, b.text, b.page, b.char_start, b.char_end, b.level) for i, b in enumerate(d.blocks))
    return documents, pages, blocks


def analysis_rows(analyses: Iterable[Analysis], now: datetime) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """Rows for requirements, signal_hits and classifications."""
    requirements, hits, classifications = [], [], []
    for a in analyses:
        h, c = a.content_hash, a.classification
        rv = c.rules_version
        requirements.extend(
            (h, r.ordinal, r.section, r.heading, r.strength, r.text, r.page, r.char_start, r.char_end)
            + (list(r.cue_ids), rv)
            for r in a.requirements
        )
        hits.extend(
            (h, s.requirement_ordinal, s.signal_id, s.side, s.weight, s.matched_text, s.pattern_id)
            + (s.char_start, s.char_end, s.negated, rv, s.source)
            for s in a.hits
        )
        answers = {ans.question: ans for ans in c.answers}
        values = tuple(answers[q].value if q in answers else "unknown" for q in QUESTIONS)
        deciding = tuple(answers[q].requirement_ordinal if q in answers else None for q in QUESTIONS)
        classifications.append(
            (h, c.role, c.confidence, c.ml_score, c.ai_score, c.doc_kind, *values, *deciding)
            + (c.title_role, c.title_mismatch, rv, now, c.decided_by, list(c.other_work))
        )
    return requirements, hits, classifications


def file_row(file: SeenFile, status: str, file_type: str | None = None) -> tuple:
    """A FILE_STAGE row; the type defaults to the extension (documents.file_type wins in SQL when stored)."""
    p = Path(file.path)
    file_type = file_type or p.suffix.lower().lstrip(".")
    return (file.path, p.name, file_type, file.size, file.mtime_ns, file.content_hash or None, status)
