"""The scan lock: one scan per warehouse, re-entrant in one process, released by the OS when a holder dies."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from rolesignal.warehouse import store
from rolesignal.warehouse.connect import lock_path, scan_lock
from rolesignal.warehouse.errors import ScanInProgress, WarehouseError
from rolesignal.warehouse.schema import migrate

HOLD = """
import sys, time
from rolesignal.warehouse.connect import scan_lock
with scan_lock(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(60)
"""


def holder(db: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(db)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline() == "locked\n"
    return proc


def test_second_holder_is_refused_with_the_pid(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    proc = holder(db)
    try:
        with pytest.raises(ScanInProgress) as caught, scan_lock(db):
            pass
        assert str(caught.value) == f"another scan (PID {proc.pid}) is writing {db}; try again when it finishes"
        assert caught.value.pid == proc.pid
    finally:
        proc.kill()
        proc.wait()
    with scan_lock(db):  # SIGKILL left the lock file, but not the lock
        assert lock_path(db).read_text() == f"{os.getpid()}\n"


def test_reentrant_in_one_process(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with scan_lock(db), scan_lock(db):
        pass
    with scan_lock(db):
        assert lock_path(db) == tmp_path / "w.duckdb.scan.lock"


def test_running_scans_become_interrupted(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    migrate(con)
    killed = store.start_scan(con, "/r", None, "v1")
    done = store.start_scan(con, "/r", None, "v1")
    store.finish_scan(con, done, {})
    assert store.mark_interrupted(con) == [killed]
    assert store.mark_interrupted(con) == []
    statuses = con.execute("SELECT scan_id, status FROM scan_history ORDER BY scan_id").fetchall()
    assert statuses == [(killed, "interrupted"), (done, "completed")]


def test_migration_002_keeps_existing_scans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rolesignal.warehouse import schema

    only_001 = tmp_path / "migrations"
    only_001.mkdir()
    (only_001 / "001_initial.sql").write_text((schema.MIGRATIONS_DIR / "001_initial.sql").read_text())
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    no_views = tmp_path / "views"
    no_views.mkdir()
    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS_DIR", only_001)
        m.setattr(schema, "VIEWS_DIR", no_views)  # today's views need today's columns: a 001-only schema has none
        migrate(con)
    first = store.start_scan(con, "/r", "run-1", "v1")
    assert migrate(con) == [2, 3, 4, 5, 6, 7, 8]
    assert con.execute("SELECT scan_id, flow_run_id, status FROM scans").fetchall() == [(first, "run-1", "running")]
    assert store.start_scan(con, "/r", None, "v1") == first + 1  # the sequence carries on
    assert store.mark_interrupted(con) == [first, first + 1]


def test_a_lock_file_that_cannot_be_made_is_a_warehouse_error(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(WarehouseError, match="cannot open the scan lock"), scan_lock(tmp_path / "a-file" / "w.duckdb"):
        pass
