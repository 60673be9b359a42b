"""Incremental scans beyond test_scan_flow: duplicates, touched files, files that come back, fixed failures."""

from __future__ import annotations

import os
from contextlib import closing
from pathlib import Path

import duckdb

from rolesignal.extractors.version import READER_VERSION
from rolesignal.flows.scan import scan_folder
from tests.flows.documents import AI_POSTING, PLAIN_POSTING

COUNTS = ("files_seen", "new", "changed", "unchanged", "removed", "failed")


def query(db: Path, sql: str) -> list[tuple]:
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        return con.execute(sql).fetchall()


def scan(folder: Path, db: Path) -> dict[str, int]:
    summary = scan_folder(str(folder), str(db))
    return {k: summary[k] for k in COUNTS}


def test_duplicates_touched_files_and_returning_files(tmp_path: Path) -> None:
    inbox, db = tmp_path / "inbox", tmp_path / "w.duckdb"
    (inbox / "sub").mkdir(parents=True)
    (inbox / "a.txt").write_text(AI_POSTING)
    (inbox / "sub" / "copy-of-a.txt").write_text(AI_POSTING)
    (inbox / "b.md").write_text(PLAIN_POSTING)
    assert scan(inbox, db) == dict(zip(COUNTS, (3, 3, 0, 0, 0, 0), strict=True))
    assert query(db, "SELECT count(*) FROM documents") == [(2,)]  # the copy was not read a second time
    assert query(db, "SELECT file_name, role FROM document_roles ORDER BY 1") == [
        ("a.txt", "ai_developer"),
        ("b.md", "none"),
        ("copy-of-a.txt", "ai_developer"),
    ]
    classified = query(db, "SELECT classified_at FROM classifications ORDER BY content_hash")

    os.utime(inbox / "a.txt", ns=(1, 1))  # touched, not modified: hashed again, not read again
    (inbox / "b.md").rename(tmp_path / "b.md")  # removed ...
    assert scan(inbox, db) == dict(zip(COUNTS, (2, 0, 0, 2, 1, 0), strict=True))
    assert query(db, "SELECT file_name FROM document_roles ORDER BY 1") == [("a.txt",), ("copy-of-a.txt",)]

    (tmp_path / "b.md").rename(inbox / "b.md")  # ... and back: its stored results return without reading
    assert scan(inbox, db) == dict(zip(COUNTS, (3, 1, 0, 2, 0, 0), strict=True))
    assert query(db, "SELECT count(*) FROM document_roles") == [(3,)]
    assert query(db, "SELECT classified_at FROM classifications ORDER BY content_hash") == classified


def test_a_fixed_failure_is_read_again_without_retry_failed(tmp_path: Path) -> None:
    inbox, db = tmp_path / "inbox", tmp_path / "w.duckdb"
    inbox.mkdir()
    (inbox / "posting.txt").write_bytes(b"\x00\x01binary")
    assert scan(inbox, db)["failed"] == 1
    assert query(db, "SELECT error_type FROM ingest_failures") == [("corrupt_file",)]
    (inbox / "posting.txt").write_text(AI_POSTING)
    assert scan(inbox, db) == dict(zip(COUNTS, (1, 0, 1, 0, 0, 0), strict=True))
    assert query(db, "SELECT count(*) FROM ingest_failures") == [(0,)]
    assert query(db, "SELECT role FROM document_roles") == [("ai_developer",)]


def test_a_newer_reader_reads_stored_files_again(tmp_path: Path) -> None:
    inbox, db = tmp_path / "inbox", tmp_path / "w.duckdb"
    inbox.mkdir()
    (inbox / "a.txt").write_text(AI_POSTING)
    (inbox / "b.md").write_text(PLAIN_POSTING)
    scan(inbox, db)
    blocks = query(db, "SELECT * FROM blocks ORDER BY ALL")
    roles = query(db, "SELECT file_name, role, confidence FROM document_roles ORDER BY 1")
    # As an upgrade finds it: a.txt read by an older reader (which saw no blocks), b.md by this one.
    with closing(duckdb.connect(str(db))) as con:
        old = "SELECT content_hash FROM documents WHERE title LIKE '%AI%'"
        con.execute(f"UPDATE documents SET reader_version = '1' WHERE content_hash IN ({old})")
        con.execute(f"DELETE FROM blocks WHERE content_hash IN ({old})")
    summary = scan_folder(str(inbox), str(db))
    assert {k: summary[k] for k in COUNTS} == dict(zip(COUNTS, (2, 0, 0, 2, 0, 0), strict=True))
    assert summary["reclassified"] == 1
    assert query(db, "SELECT * FROM blocks ORDER BY ALL") == blocks
    assert query(db, "SELECT file_name, role, confidence FROM document_roles ORDER BY 1") == roles
    assert query(db, "SELECT DISTINCT reader_version FROM documents") == [(READER_VERSION,)]
    summary = scan_folder(str(inbox), str(db))  # read once: the next scan reads nothing
    assert (summary["unchanged"], summary["reclassified"]) == (2, 0)
