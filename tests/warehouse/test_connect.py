"""Opening the warehouse file: creation, missing files, and waiting for another process's lock."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from rolesignal.warehouse.connect import HeldConnection, open_warehouse
from rolesignal.warehouse.errors import WarehouseBusy, WarehouseError, WarehouseMissing
from rolesignal.warehouse.schema import migrate

HOLD_LOCK = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def hold_lock(path: Path, seconds: float) -> subprocess.Popen:
    """Start a process that holds a read-write connection to `path` for `seconds`, once it has the lock."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_creates_parent_dirs_and_a_cli_compatible_file(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "w.duckdb"
    con = open_warehouse(path)
    migrate(con)
    tags = con.execute("SELECT tags FROM duckdb_databases() WHERE path = ?", [str(path)]).fetchall()
    con.close()
    assert tags == [({"storage_version": "v1.5.0+"},)]
    with open_warehouse(path, read_only=True) as ro:
        assert ro.execute("SELECT count(*) FROM document_roles").fetchall() == [(0,)]
        with pytest.raises(duckdb.Error):
            ro.execute("CREATE TABLE nope (a INTEGER)")


def test_read_only_open_of_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "none" / "w.duckdb"
    with pytest.raises(WarehouseMissing, match="run `rolesignal scan FOLDER` first"):
        open_warehouse(path, read_only=True)
    assert not path.parent.exists()


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    path.write_text("not a database" * 100)
    with pytest.raises(WarehouseError, match="not a valid DuckDB database") as err:
        open_warehouse(path, timeout=5)
    assert not isinstance(err.value, WarehouseBusy)


def test_busy_warehouse_times_out_quickly(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    proc = hold_lock(path, 30)
    try:
        for read_only in (False, True):
            started = time.monotonic()
            with pytest.raises(WarehouseBusy, match=rf"in use by another process \(PID {proc.pid}\)"):
                open_warehouse(path, read_only=read_only, timeout=0.5)
            assert time.monotonic() - started < 2.0
    finally:
        proc.kill()
        proc.wait()


def test_waits_for_the_lock_to_be_released(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    proc = hold_lock(path, 1.0)
    try:
        started = time.monotonic()
        con = open_warehouse(path, timeout=20)
        waited = time.monotonic() - started
        con.close()
        assert proc.poll() is not None, "opened only after the holder exited"
        assert 0.3 < waited < 10
    finally:
        proc.kill()
        proc.wait()


def _readable_elsewhere(path: Path) -> bool:
    """Whether another process can open the file read-only right now."""
    probe = "import sys, duckdb; duckdb.connect(sys.argv[1], read_only=True).close()"
    return subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True).returncode == 0


def test_a_held_connection_serves_consecutive_writes_and_is_given_up_when_due(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    held = HeldConnection(path, hold=3600)
    with held.connection() as first:
        first.execute("CREATE TABLE t (a INTEGER)")
    with held.connection() as second:
        second.execute("INSERT INTO t VALUES (1)")
    assert second is first and not _readable_elsewhere(path)
    held.hold = 0  # due now: given up after this write
    with held.connection() as third:
        third.execute("INSERT INTO t VALUES (2)")
    assert third is first and _readable_elsewhere(path)
    with held.connection() as fourth:
        assert fourth is not first and fourth.execute("SELECT sum(a) FROM t").fetchall() == [(3,)]
    held.close()


def test_a_failed_write_gives_up_the_held_connection(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    held = HeldConnection(path, hold=3600)
    with pytest.raises(duckdb.CatalogException), held.connection() as con:
        con.execute("INSERT INTO missing VALUES (1)")
    assert _readable_elsewhere(path)
    with held.connection() as again:
        assert again is not con
    held.close()


WAITING_READER = """
import sys, time
from rolesignal.warehouse.connect import open_warehouse
started = time.monotonic()
open_warehouse(sys.argv[1], read_only=True, timeout=30).close()
print(round(time.monotonic() - started, 2), flush=True)
"""


def test_a_waiting_reader_gets_in_after_the_current_write(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    held = HeldConnection(path, hold=3600)
    with held.connection() as con:
        con.execute("CREATE TABLE t (a INTEGER)")
    reader = subprocess.Popen([sys.executable, "-c", WAITING_READER, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        writes = 0
        while reader.poll() is None and writes < 200:
            time.sleep(0.1)
            with held.connection() as con:  # a scan's next write: released after it once the reader says it waits
                con.execute("INSERT INTO t VALUES (1)")
            writes += 1
        waited = float(reader.communicate(timeout=30)[0])
    finally:
        reader.kill()
        held.close()
    assert reader.returncode == 0 and waited < 5
    assert not (tmp_path / "w.duckdb.read-wanted").exists()


def test_a_waiting_reader_gets_in_while_the_held_connection_is_idle(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    held = HeldConnection(path, hold=3600, check_every=0.05)
    with held.connection() as con:
        con.execute("CREATE TABLE t (a INTEGER)")
    assert not _readable_elsewhere(path)
    try:  # no further write comes (a scan walking a big folder): the watcher lets the reader in
        reader = subprocess.run(
            [sys.executable, "-c", WAITING_READER, str(path)], capture_output=True, text=True, timeout=30
        )
        assert reader.returncode == 0 and float(reader.stdout) < 3
        with held.connection() as again:  # the scan's next use opens it again
            assert again is not con and again.execute("SELECT count(*) FROM t").fetchall() == [(0,)]
    finally:
        held.close()


def test_the_watcher_gives_up_an_idle_connection_held_too_long(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    held = HeldConnection(path, hold=0.5, check_every=0.05)
    with held.connection() as con:
        con.execute("CREATE TABLE t (a INTEGER)")
    assert not _readable_elsewhere(path)  # not due after the block: kept
    deadline = time.monotonic() + 5  # no further use: the watcher gives it up once held 0.5 s
    while not _readable_elsewhere(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _readable_elsewhere(path)
    held.close()
