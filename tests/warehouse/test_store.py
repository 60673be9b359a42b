"""Writes are bulk, transactional and idempotent; reads give back what was stored."""

from __future__ import annotations

import dataclasses

import duckdb
import pytest

from rolesignal.warehouse import store
from rolesignal.warehouse.errors import WarehouseError
from rolesignal.warehouse.types import FileState, Processed
from tests.warehouse import factories as f


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    return f.new_warehouse()


@pytest.fixture
def scan_id(con: duckdb.DuckDBPyConnection) -> int:
    return store.start_scan(con, f.ROOT, "flow-run-1", f.RULES_V1)


def count(con: duckdb.DuckDBPyConnection, table: str, where: str = "true") -> int:
    return con.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchall()[0][0]


def test_scans_start_running_and_finish_with_counts(con: duckdb.DuckDBPyConnection) -> None:
    first = store.start_scan(con, f.ROOT, None, f.RULES_V1)
    second = store.start_scan(con, f.ROOT, "run-2", f.RULES_V1)
    assert second > first
    assert con.execute("SELECT status, finished_at FROM scans WHERE scan_id = ?", [first]).fetchall() == [
        ("running", None)
    ]
    store.finish_scan(con, first, {"files_seen": 5, "new": 2, "unchanged": 3})
    row = con.execute(
        "SELECT status, files_seen, new, changed, unchanged, removed, failed, finished_at >= started_at "
        "FROM scans WHERE scan_id = ?",
        [first],
    ).fetchall()
    assert row == [("completed", 5, 2, 0, 3, 0, 0, True)]
    with pytest.raises(ValueError, match="unknown scan counts"):
        store.finish_scan(con, second, {"seen": 1})
    with pytest.raises(ValueError):
        store.finish_scan(con, second, {}, status="running")


def test_write_batch_twice_changes_nothing(con: duckdb.DuckDBPyConnection, scan_id: int) -> None:
    batch = ([f.processed("a"), f.processed("b")], [f.failed(f"{f.ROOT}/x.pdf")], [])
    store.write_batch(con, scan_id, *batch)
    before = f.table_contents(con)
    store.write_batch(con, scan_id, *batch)
    assert f.table_contents(con) == before
    assert count(con, "documents") == 2 and count(con, "requirements") == 6 and count(con, "signal_hits") == 8


def test_a_later_scan_keeps_contents_and_first_seen(con: duckdb.DuckDBPyConnection, scan_id: int) -> None:
    batch = ([f.processed("a")], [], [])
    store.write_batch(con, scan_id, *batch)
    before = f.table_contents(con)
    later = store.start_scan(con, f.ROOT, None, f.RULES_V1)
    store.write_batch(con, later, *batch)
    after = f.table_contents(con)
    for table in ("documents", "pages", "blocks", "requirements", "signal_hits", "classifications"):
        assert after[table] == before[table], table
    assert con.execute("SELECT first_seen_scan, last_scan FROM files").fetchall() == [(scan_id, later)]


def test_new_rules_version_replaces_the_analysis(con: duckdb.DuckDBPyConnection, scan_id: int) -> None:
    store.write_batch(con, scan_id, [f.processed("a")], [], [])
    (classified_at,) = con.execute("SELECT classified_at FROM classifications").fetchall()[0]
    store.write_batch(con, scan_id, [f.processed("a", rules_version=f.RULES_V2, role="ml_engineer")], [], [])
    assert con.execute(
        "SELECT role, rules_version, classified_at > ? FROM classifications", [classified_at]
    ).fetchall() == [("ml_engineer", f.RULES_V2, True)]
    for table in ("requirements", "signal_hits"):
        assert con.execute(f"SELECT DISTINCT rules_version FROM {table}").fetchall() == [(f.RULES_V2,)]
    assert count(con, "requirements") == 3 and count(con, "signal_hits") == 4


def test_write_analyses_reclassifies_stored_documents(con: duckdb.DuckDBPyConnection, scan_id: int) -> None:
    p = f.processed("a")
    store.write_batch(con, scan_id, [p], [], [])
    assert store.stale_contents(con, f.RULES_V1) == []
    assert store.stale_contents(con, f.RULES_V2) == [p.document.content_hash]
    (doc,) = store.load_documents(con, store.stale_contents(con, f.RULES_V2))
    store.write_analyses(con, [f.analysis(doc, f.RULES_V2, role="ai_developer")])
    before = f.table_contents(con)
    store.write_analyses(con, [f.analysis(doc, f.RULES_V2, role="ai_developer")])
    assert f.table_contents(con) == before
    assert store.known_contents(con) == {p.document.content_hash: f.RULES_V2}
    assert store.stale_contents(con, f.RULES_V2) == []


def test_duplicate_content_is_stored_once(con: duckdb.DuckDBPyConnection, scan_id: int) -> None:
    a = f.processed("same")
    copy = f.processed("same", path=f"{f.ROOT}/copy/same.txt")
    moved = f.seen(f"{f.ROOT}/moved.txt", content=a.document.content_hash)
    store.write_batch(con, scan_id, [a, copy], [], [moved])
    assert count(con, "documents") == 1 and count(con, "classifications") == 1 and count(con, "requirements") == 3
    assert count(con, "files", "status = 'ok'") == 3
    assert con.execute("SELECT DISTINCT file_type FROM files").fetchall() == [("txt",)]


def test_a_failing_write_rolls_back_the_whole_batch(con: duckdb.DuckDBPyConnection, scan_id: int) -> None:
    store.write_batch(con, scan_id, [f.processed("kept")], [], [])
    before = f.table_contents(con)
    good = f.processed("new-doc")
    bad = f.processed("broken")
    # role NULL violates NOT NULL only at the classifications insert, after documents, pages and blocks went in
    bad = dataclasses.replace(
        bad,
        analysis=dataclasses.replace(
            bad.analysis, classification=dataclasses.replace(bad.analysis.classification, role=None)
        ),
    )
    with pytest.raises(WarehouseError, match="nothing of it was stored"):
        store.write_batch(con, scan_id, [good, bad], [f.failed(f"{f.ROOT}/x.pdf")], [])
    assert f.table_contents(con) == before
    store.write_batch(con, scan_id, [good], [], [])  # the connection is usable afterwards
    assert count(con, "documents") == 2


def test_write_batch_needs_a_started_scan(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(WarehouseError, match="start_scan"):
        store.write_batch(con, 42, [f.processed("a")], [], [])


def test_failures_follow_the_file_state(con: duckdb.DuckDBPyConnection, scan_id: int) -> None:
    path = f"{f.ROOT}/x.pdf"
    store.write_batch(con, scan_id, [], [f.failed(path)], [])
    later = store.start_scan(con, f.ROOT, None, f.RULES_V1)
    store.write_batch(con, later, [], [f.failed(path)], [])
    assert con.execute("SELECT scan_id FROM failures").fetchall() == [(scan_id,)], "the same error keeps its scan"
    store.write_batch(con, later, [], [f.failed(path, "no_text_layer", "no text layer (scanned?)")], [])
    assert con.execute("SELECT error_type, scan_id FROM failures").fetchall() == [("no_text_layer", later)]
    store.write_batch(con, later, [f.processed("x", path=path)], [], [])
    assert count(con, "failures") == 0
    assert con.execute("SELECT status FROM files").fetchall() == [("ok",)]


def test_known_files_are_those_under_the_root(con: duckdb.DuckDBPyConnection, scan_id: int) -> None:
    inside = f.processed("a")
    sibling = f.processed("b", path=f"{f.ROOT}2/b.txt")
    store.write_batch(con, scan_id, [inside, sibling], [f.failed(f"{f.ROOT}/sub/x.pdf")], [])
    known = store.known_files(con, f.ROOT)
    assert set(known) == {inside.file.path, f"{f.ROOT}/sub/x.pdf"}
    assert known[inside.file.path] == FileState(inside.file.path, 100, 1_000, inside.document.content_hash, "ok")
    assert known[f"{f.ROOT}/sub/x.pdf"].status == "failed"
    assert set(store.known_files(con, f.ROOT + "/")) == set(known)


def test_mark_removed_and_touch(con: duckdb.DuckDBPyConnection, scan_id: int) -> None:
    a, b = f.processed("a"), f.processed("b")
    store.write_batch(con, scan_id, [a, b], [f.failed(f"{f.ROOT}/x.pdf")], [])
    later = store.start_scan(con, f.ROOT, None, f.RULES_V1)
    store.mark_removed(con, [a.file.path, f"{f.ROOT}/x.pdf"], later)
    store.touch_files(con, [f.seen(b.document, size=200, mtime_ns=2_000)], later)
    assert store.known_files(con, f.ROOT)[a.file.path].status == "removed"
    assert count(con, "failures") == 0
    assert con.execute(
        "SELECT size, mtime_ns, last_scan, status FROM files WHERE path = ?", [b.file.path]
    ).fetchall() == [(200, 2_000, later, "ok")]
    assert store.stale_contents(con, f.RULES_V2) == [b.document.content_hash], "removed files are not re-analysed"


def test_mark_seen_sets_last_scan_of_current_paths_under_the_root(con: duckdb.DuckDBPyConnection, scan_id: int) -> None:
    a, b, outside = f.processed("a"), f.processed("b"), f.processed("c", path="/elsewhere/c.pdf")
    store.write_batch(con, scan_id, [a, b, outside], [f.failed(f"{f.ROOT}/x.pdf")], [])
    later = store.start_scan(con, f.ROOT, None, f.RULES_V1)
    store.mark_removed(con, [a.file.path], later)
    store.mark_seen(con, f.ROOT, later)
    assert con.execute("SELECT path, status, last_scan FROM files ORDER BY path").fetchall() == [
        (a.file.path, "removed", later),
        (b.file.path, "ok", later),
        (f"{f.ROOT}/x.pdf", "failed", later),
        ("/elsewhere/c.pdf", "ok", scan_id),
    ]


def test_load_documents_round_trips(con: duckdb.DuckDBPyConnection, scan_id: int) -> None:
    a, b = f.processed("a"), f.processed("b")
    store.write_batch(con, scan_id, [a, b], [], [])
    assert store.load_documents(con, [b.document.content_hash, "unknown", a.document.content_hash]) == [
        b.document,
        a.document,
    ]
    store.mark_removed(con, [a.file.path], scan_id)
    (loaded,) = store.load_documents(con, [a.document.content_hash])
    assert loaded == dataclasses.replace(a.document, path="")


def test_write_catalogue_replaces_the_signals(con: duckdb.DuckDBPyConnection) -> None:
    store.write_catalogue(con, f.CATALOGUE, f.RULES_V1)
    store.write_catalogue(con, f.CATALOGUE[:2], f.RULES_V2)
    assert con.execute("SELECT signal_id, rules_version FROM signals ORDER BY 1").fetchall() == [
        ("ml.eval", f.RULES_V2),
        ("ml.train", f.RULES_V2),
    ]


def test_write_catalogue_of_the_stored_version_writes_nothing(con: duckdb.DuckDBPyConnection) -> None:
    store.write_catalogue(con, f.CATALOGUE, f.RULES_V1)
    con.execute("UPDATE signals SET label = 'kept'")  # a rewrite would put the catalogue's labels back
    store.write_catalogue(con, f.CATALOGUE, f.RULES_V1)
    assert {label for (label,) in con.execute("SELECT label FROM signals").fetchall()} == {"kept"}
    store.write_catalogue(con, f.CATALOGUE[:2], f.RULES_V1)  # same version, other signals: rewritten
    assert count(con, "signals") == 2


def test_batch_with_only_files_and_empty_batches(con: duckdb.DuckDBPyConnection, scan_id: int) -> None:
    store.write_batch(con, scan_id, [], [], [])
    store.touch_files(con, [], scan_id)
    store.mark_removed(con, [], scan_id)
    store.write_analyses(con, [])
    assert f.table_contents(con)["files"] == []
    p: Processed = f.processed("a")
    store.write_batch(con, scan_id, [p, p], [], [])
    assert count(con, "files") == 1
