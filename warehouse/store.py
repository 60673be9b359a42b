"""Reading and writing warehouse rows: scans, files, documents, analyses and the signal catalogue."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import duckdb
import pyarrow as pa

from rolesignal.extractors.types import Block, Document, Page
from rolesignal.extractors.version import READER_VERSION
from rolesignal.rules.types import Analysis
from rolesignal.warehouse import rows
from rolesignal.warehouse.connect import atomic, utcnow
from rolesignal.warehouse.errors import WarehouseError
from rolesignal.warehouse.types import Failed, FileState, Processed, SeenFile

COUNT_KEYS = ("files_seen", "new", "changed", "unchanged", "removed", "failed")


def start_scan(con: duckdb.DuckDBPyConnection, root: str, flow_run_id: str | None, rules_version: str) -> int:
    """Record a running scan of `root`; returns its scan_id."""
    return con.execute(
        "INSERT INTO scans (flow_run_id, root, started_at, rules_version, status) VALUES (?, ?, ?, ?, 'running') "
        "RETURNING scan_id",
        [flow_run_id, root, utcnow(), rules_version],
    ).fetchall()[0][0]


def finish_scan(
    con: duckdb.DuckDBPyConnection, scan_id: int, counts: dict[str, int], status: str = "completed"
) -> None:
    """Set a scan's finish time, file counts (missing keys count 0) and final status."""
    if status not in ("completed", "failed"):
        raise ValueError(f"a scan finishes 'completed' or 'failed', not {status!r}")
    unknown = set(counts) - set(COUNT_KEYS)
    if unknown:
        raise ValueError(f"unknown scan counts {sorted(unknown)}; expected {list(COUNT_KEYS)}")
    sets = ", ".join(f"{k} = ?" for k in COUNT_KEYS)
    con.execute(
        f"UPDATE scans SET finished_at = ?, status = ?, {sets} WHERE scan_id = ?",
        [utcnow(), status, *(int(counts.get(k, 0)) for k in COUNT_KEYS), scan_id],
    )


def mark_interrupted(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Mark scans still 'running' as 'interrupted'; call only while holding the scan lock (then none is alive)."""
    found = con.execute("UPDATE scans SET status = 'interrupted' WHERE status = 'running' RETURNING scan_id")
    return sorted(r[0] for r in found.fetchall())


def known_files(con: duckdb.DuckDBPyConnection, root: str) -> dict[str, FileState]:
    """Every stored path under `root` (any status), for deciding what a scan must redo."""
    prefix = root if root.endswith(os.sep) else root + os.sep
    found = con.execute(
        "SELECT path, size, mtime_ns, content_hash, status FROM files WHERE path = ? OR starts_with(path, ?)",
        [root, prefix],
    ).fetchall()
    return {r[0]: FileState(*r) for r in found}


def outdated_contents(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Stored contents that a reader of another version read (or one before versions were kept): to read again."""
    found = con.execute(
        "SELECT content_hash FROM documents WHERE reader_version IS DISTINCT FROM ?", [READER_VERSION]
    ).fetchall()
    return {r[0] for r in found}


def known_contents(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """content_hash → rules_version of its classification, for every analysed content."""
    return dict(con.execute("SELECT content_hash, rules_version FROM classifications").fetchall())


def write_catalogue(con: duckdb.DuckDBPyConnection, signals: list[dict], rules_version: str) -> None:
    """Replace the signal catalogue (dict keys: id, side, weight, label, guide_passage), unless it is already this
    rules version's (the version hashes the signal definitions)."""
    unique = {s["id"]: s for s in signals}  # a repeated id: the last definition wins, as in a dict-based loader
    stored = con.execute("SELECT rules_version, count(*) FROM signals GROUP BY rules_version").fetchall()
    if stored == [(rules_version, len(unique))]:
        return  # every scan loads the rules: rewriting an unchanged catalogue was a write per no-change rescan
    data = [
        (s["id"], s["side"], s["weight"], s["label"], s.get("guide_passage"), rules_version) for s in unique.values()
    ]
    with atomic(con, "writing the signal catalogue"):
        con.execute("DELETE FROM signals")
        _insert(con, "signals", data)


def write_batch(
    con: duckdb.DuckDBPyConnection,
    scan_id: int,
    processed: list[Processed],
    failed: list[Failed],
    linked: list[SeenFile],
) -> None:
    """Store one batch of a scan in one transaction: new contents, changed analyses, file states and failures."""
    now = utcnow()
    # One row per key: DuckDB upserts keep the first of duplicate keys silently. A path listed twice keeps the last
    # of failed → linked → processed.
    staged_files: dict[str, tuple] = {}
    staged_files.update((f.file.path, rows.file_row(f.file, "failed")) for f in failed)
    staged_files.update((f.path, rows.file_row(f, "ok")) for f in linked)
    staged_files.update((p.file.path, rows.file_row(p.file, "ok", p.document.file_type)) for p in processed)
    failures = {f.file.path: (f.file.path, f.file.content_hash or None, f.error_type, f.message) for f in failed}
    failures = {path: row for path, row in failures.items() if staged_files[path][-1] == "failed"}
    documents = {p.document.content_hash: p.document for p in processed}
    with atomic(con, f"writing a batch of scan {scan_id}"):
        root = _scan_root(con, scan_id)
        reread = _insert_documents(con, list(documents.values()), now)
        _replace_analyses(con, [p.analysis for p in processed], now, reread)
        _upsert_files(con, rows.arrow(con, "files", staged_files.values(), rows.FILE_STAGE), root, scan_id, now)
        _upsert_failures(con, rows.arrow(con, "failures", failures.values(), rows.FAILURE_STAGE), scan_id, now)
        ok_paths = [path for path, row in staged_files.items() if row[-1] == "ok"]
        con.execute("DELETE FROM failures WHERE path IN (SELECT unnest(?::VARCHAR[]))", [ok_paths])


def write_analyses(con: duckdb.DuckDBPyConnection, analyses: list[Analysis]) -> None:
    """Store re-classifications of stored documents (skipping those already under the same rules version)."""
    with atomic(con, "writing analyses"):
        _replace_analyses(con, analyses, utcnow())


def mark_removed(con: duckdb.DuckDBPyConnection, paths: list[str], scan_id: int) -> None:
    """Mark paths that a scan no longer found as removed; their failures go too."""
    if not paths:
        return
    with atomic(con, f"marking files removed in scan {scan_id}"):
        con.execute(
            "UPDATE files SET status = 'removed', last_scan = ?, updated_at = ? "
            "WHERE path IN (SELECT unnest(?::VARCHAR[])) AND status <> 'removed'",
            [scan_id, utcnow(), paths],
        )
        con.execute("DELETE FROM failures WHERE path IN (SELECT unnest(?::VARCHAR[]))", [paths])


def touch_files(con: duckdb.DuckDBPyConnection, files: list[SeenFile], scan_id: int) -> None:
    """Record the new stat (and last_scan) of paths whose stat changed but content did not, in bulk."""
    if not files:
        return
    unique = {f.path: rows.file_row(f, "ok") for f in files}
    with (
        atomic(con, f"updating unchanged files in scan {scan_id}"),
        _staged(con, stage_touch=rows.arrow(con, "files", unique.values(), rows.FILE_STAGE)),
    ):
        con.execute(
            "UPDATE files AS t SET size = s.size, mtime_ns = s.mtime_ns, last_scan = $scan_id, updated_at = $now "
            "FROM stage_touch AS s WHERE t.path = s.path "
            "AND (t.size <> s.size OR t.mtime_ns <> s.mtime_ns OR t.last_scan <> $scan_id)",
            {"scan_id": scan_id, "now": utcnow()},
        )


def mark_seen(con: duckdb.DuckDBPyConnection, root: str, scan_id: int) -> None:
    """Set last_scan of every current path under `root` to this scan: call it once the paths the scan did not find
    are marked removed, so that every other path under root was seen.

    One statement instead of staging every unchanged path: on a rescan that finds nothing new that staging was a
    tenth of the scan's own work.
    """
    prefix = root if root.endswith(os.sep) else root + os.sep
    with atomic(con, f"recording the files scan {scan_id} saw"):
        con.execute(
            "UPDATE files SET last_scan = $scan_id, updated_at = $now "
            "WHERE (path = $root OR starts_with(path, $prefix)) AND status <> 'removed' AND last_scan <> $scan_id",
            {"scan_id": scan_id, "now": utcnow(), "root": root, "prefix": prefix},
        )


def load_documents(con: duckdb.DuckDBPyConnection, hashes: list[str]) -> list[Document]:
    """Rebuild stored Documents in the order asked (unknown hashes are skipped); path is a current path or ''."""
    wanted = list(dict.fromkeys(hashes))
    params = [wanted]
    heads = con.execute(
        "SELECT d.content_hash, d.file_type, d.title, d.text, "
        "(SELECT min(f.path) FROM files AS f WHERE f.content_hash = d.content_hash AND f.status = 'ok') "
        "FROM documents AS d WHERE d.content_hash IN (SELECT unnest(?::VARCHAR[]))",
        params,
    ).fetchall()
    pages: dict[str, list[Page]] = {}
    for h, number, start, end in con.execute(
        "SELECT content_hash, number, char_start, char_end FROM pages "
        "WHERE content_hash IN (SELECT unnest(?::VARCHAR[])) ORDER BY content_hash, number",
        params,
    ).fetchall():
        pages.setdefault(h, []).append(Page(number, start, end))
    blocks: dict[str, list[Block]] = {}
    for h, kind, text, page, start, end, level in con.execute(
        "SELECT content_hash, kind, text, page, char_start, char_end, level FROM blocks "
        "WHERE content_hash IN (SELECT unnest(?::VARCHAR[])) ORDER BY content_hash, ordinal",
        params,
    ).fetchall():
        blocks.setdefault(h, []).append(Block(kind, text, page, start, end, level))
    by_hash = {
        h: Document(
            path=path or "",
            content_hash=h,
            file_type=file_type,
            title=title,
            text=text,
            pages=tuple(pages.get(h, ())),
            blocks=tuple(blocks.get(h, ())),
        )
        for h, file_type, title, text, path in heads
    }
    return [by_hash[h] for h in wanted if h in by_hash]


def stale_contents(con: duckdb.DuckDBPyConnection, rules_version: str) -> list[str]:
    """Stored contents of current files not classified under `rules_version` (to re-analyse without reading files)."""
    found = con.execute(
        "SELECT DISTINCT f.content_hash FROM files AS f "
        "INNER JOIN documents AS d ON d.content_hash = f.content_hash "
        "LEFT JOIN classifications AS c ON c.content_hash = f.content_hash "
        "WHERE f.status = 'ok' AND c.rules_version IS DISTINCT FROM ? ORDER BY 1",
        [rules_version],
    ).fetchall()
    return [r[0] for r in found]


# --- helpers ---------------------------------------------------------------------------------------------------


@contextmanager
def _staged(con: duckdb.DuckDBPyConnection, **tables: pa.Table) -> Iterator[None]:
    """Expose Arrow tables to SQL under the given names for the duration of the block."""
    for name, table in tables.items():
        con.register(name, table)
    try:
        yield
    finally:
        for name in tables:
            con.unregister(name)


def _insert(con: duckdb.DuckDBPyConnection, table: str, data: list[tuple], on_conflict: str = "") -> None:
    """Bulk INSERT of rows holding every column of `table` in order, through one Arrow table."""
    if not data:
        return
    with _staged(con, stage_insert=rows.arrow(con, table, data)):
        con.execute(f"INSERT INTO {table} SELECT * FROM stage_insert {on_conflict}")


def _scan_root(con: duckdb.DuckDBPyConnection, scan_id: int) -> str:
    found = con.execute("SELECT root FROM scans WHERE scan_id = ?", [scan_id]).fetchall()
    if not found:
        raise WarehouseError(f"scan {scan_id} does not exist: call start_scan first")
    return found[0][0]


def _insert_documents(con: duckdb.DuckDBPyConnection, documents: list[Document], now: datetime) -> set[str]:
    """Store contents not stored yet, and replace those a reader of another version stored; returns the replaced
    ones. A content stored by this reader version (same hash) is left as it is."""
    if not documents:
        return set()
    stored = dict(
        con.execute(
            "SELECT content_hash, reader_version FROM documents WHERE content_hash IN (SELECT unnest(?::VARCHAR[]))",
            [[d.content_hash for d in documents]],
        ).fetchall()
    )
    replaced = {h for h, version in stored.items() if version != READER_VERSION}
    if replaced:
        for table in ("blocks", "pages", "documents"):
            con.execute(f"DELETE FROM {table} WHERE content_hash IN (SELECT unnest(?::VARCHAR[]))", [list(replaced)])
    docs, pages, blocks = rows.document_rows(
        (d for d in documents if d.content_hash not in stored or d.content_hash in replaced), now
    )
    _insert(con, "documents", docs, "ON CONFLICT DO NOTHING")
    _insert(con, "pages", pages)
    _insert(con, "blocks", blocks)
    return replaced


def _replace_analyses(
    con: duckdb.DuckDBPyConnection, analyses: list[Analysis], now: datetime, reread: set[str] = frozenset()
) -> None:
    """Replace the analysis of each content unless it is already stored under the same rules version (and was not
    read again: a new reading of the same rules version is a new analysis)."""
    unique = {a.content_hash: a for a in analyses}
    if not unique:
        return
    stored = dict(
        con.execute(
            "SELECT content_hash, rules_version FROM classifications "
            "WHERE content_hash IN (SELECT unnest(?::VARCHAR[]))",
            [list(unique)],
        ).fetchall()
    )
    todo = [a for h, a in unique.items() if stored.get(h) != a.classification.rules_version or h in reread]
    if not todo:
        return
    replaced = [a.content_hash for a in todo if a.content_hash in stored]
    if replaced:  # new contents have nothing to delete: spare three scans of the largest tables
        for table in ("requirements", "signal_hits", "classifications"):
            con.execute(f"DELETE FROM {table} WHERE content_hash IN (SELECT unnest(?::VARCHAR[]))", [replaced])
    requirements, hits, classifications = rows.analysis_rows(todo, now)
    _insert(con, "requirements", requirements)
    _insert(con, "signal_hits", hits)
    _insert(con, "classifications", classifications)


_FILE_CHANGED = " OR ".join(
    f"t.{c} IS DISTINCT FROM s.{c}"
    for c in ("root", "file_name", "file_type", "size", "mtime_ns", "content_hash", "status", "last_scan")
)


def _upsert_files(con: duckdb.DuckDBPyConnection, staged: pa.Table, root: str, scan_id: int, now: datetime) -> None:
    """Insert or update file rows; first_seen_scan is kept, and unchanged rows are not rewritten (idempotence)."""
    if staged.num_rows == 0:
        return
    with _staged(con, stage_files=staged):
        con.execute(
            f"""
            MERGE INTO files AS t
            USING (
                SELECT sf.path, $root AS root, sf.file_name,
                       coalesce(d.file_type, sf.file_type) AS file_type,  -- the stored content knows its type
                       sf.size, sf.mtime_ns, sf.content_hash, sf.status, $scan_id::BIGINT AS last_scan
                FROM stage_files AS sf LEFT JOIN documents AS d ON d.content_hash = sf.content_hash
            ) AS s
            ON t.path = s.path
            WHEN MATCHED AND ({_FILE_CHANGED}) THEN UPDATE SET
                root = s.root, file_name = s.file_name, file_type = s.file_type, size = s.size,
                mtime_ns = s.mtime_ns, content_hash = s.content_hash, status = s.status, last_scan = s.last_scan,
                updated_at = $now
            WHEN NOT MATCHED THEN INSERT
                (path, root, file_name, file_type, size, mtime_ns, content_hash, status, first_seen_scan, last_scan,
                 updated_at)
                VALUES (s.path, s.root, s.file_name, s.file_type, s.size, s.mtime_ns, s.content_hash, s.status,
                        s.last_scan, s.last_scan, $now)
            """,
            {"root": root, "scan_id": scan_id, "now": now},
        )


def _upsert_failures(con: duckdb.DuckDBPyConnection, staged: pa.Table, scan_id: int, now: datetime) -> None:
    """Insert or update failure rows; the same error again keeps the scan and time it was first recorded."""
    if staged.num_rows == 0:
        return
    with _staged(con, stage_failures=staged):
        con.execute(
            """
            MERGE INTO failures AS t
            USING stage_failures AS s
            ON t.path = s.path
            WHEN MATCHED AND (t.content_hash IS DISTINCT FROM s.content_hash OR t.error_type <> s.error_type
                              OR t.message <> s.message) THEN UPDATE SET
                content_hash = s.content_hash, error_type = s.error_type, message = s.message, scan_id = $scan_id,
                failed_at = $now
            WHEN NOT MATCHED THEN INSERT (path, content_hash, error_type, message, scan_id, failed_at)
                VALUES (s.path, s.content_hash, s.error_type, s.message, $scan_id, $now)
            """,
            {"scan_id": scan_id, "now": now},
        )
