"""The real `rolesignal` commands, run as a hostile user would, as subprocesses: each case a sentence, nothing lost.

The warehouse is written with the store's own functions (no Prefect), holding a document whose title carries rich
markup; `sql` and `report` are then run against it from a separate process.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import psutil
import pytest

from rolesignal.warehouse.connect import CONFIG
from rolesignal.warehouse.schema import migrate
from rolesignal.warehouse.store import finish_scan, start_scan, write_batch
from rolesignal.warehouse.types import Processed
from tests.flows.documents import write_inbox
from tests.warehouse import factories

HOSTILE_TITLE = "[/INST] [red]gone[/red] :x:"


def rolesignal_command() -> str:
    return shutil.which("rolesignal") or str(Path(sys.executable).with_name("rolesignal"))


def rolesignal(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([rolesignal_command(), *args], capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("hostile") / "w.duckdb"
    con = duckdb.connect(str(db), config=CONFIG)
    migrate(con)
    scan_id = start_scan(con, factories.ROOT, None, factories.RULES_V1)
    doc = factories.document(HOSTILE_TITLE, f"{factories.ROOT}/hostile.txt")
    write_batch(con, scan_id, [Processed(factories.seen(doc), doc, factories.analysis(doc))], [], [])
    finish_scan(con, scan_id, {"files_seen": 1, "new": 1})
    con.close()
    return db


def test_a_title_with_markup_prints_as_written_in_report_and_sql(warehouse: Path) -> None:
    for args in (["report", "document_roles"], ["sql", "SELECT title FROM document_roles"]):
        done = rolesignal(*args, "--db", str(warehouse))
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        assert "[/INST] [red]gone[/red] :x:" in " ".join(done.stdout.split())


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("COPY files TO '{out}/copy.csv'", "not COPY"),
        ("ATTACH '{out}/other.duckdb' (READ_WRITE)", "not ATTACH"),
        ("SELECT * FROM read_text('/etc/hostname')", "file system operations are disabled"),
        ("INSTALL httpfs", "not LOAD"),
        ("SELECT 1; DELETE FROM files", "one statement at a time"),
    ],
)
def test_sql_neither_writes_nor_reads_outside_the_warehouse(
    warehouse: Path, tmp_path: Path, query: str, message: str
) -> None:
    before = warehouse.read_bytes()
    done = rolesignal("sql", query.format(out=tmp_path), "--db", str(warehouse))
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == [] and warehouse.read_bytes() == before


def test_a_file_that_is_no_warehouse_is_one_sentence(tmp_path: Path) -> None:
    db = tmp_path / "notes.duckdb"
    db.write_text("a,b\n1,2\n")
    done = rolesignal("scan", str(tmp_path), "--db", str(db))
    assert done.returncode == 1 and "is not a DuckDB file" in done.stderr and "Traceback" not in done.stderr
    assert db.read_text() == "a,b\n1,2\n"


@pytest.mark.parametrize("args", [["--batch-size", "-1"], ["--file-timeout", "nan"], ["--write-size", "0"]])
def test_option_values_that_would_store_nothing_are_usage_errors(tmp_path: Path, args: list[str]) -> None:
    done = rolesignal("scan", str(tmp_path), "--db", str(tmp_path / "w.duckdb"), *args)
    assert done.returncode == 2 and "Invalid value" in done.stderr and not (tmp_path / "w.duckdb").exists()


def _prefect_server_of(scan: subprocess.Popen[bytes], seconds: float) -> psutil.Process:
    """The temporary Prefect server the scan starts (its uvicorn child), once it exists."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert scan.poll() is None, "the scan ended before its Prefect server was seen"
        for child in psutil.Process(scan.pid).children():
            try:
                if "uvicorn" in child.cmdline():
                    return child
            except psutil.NoSuchProcess:
                pass
        time.sleep(0.1)
    raise AssertionError(f"no Prefect server process within {seconds:g} s")


def _gone(process: psutil.Process, seconds: float) -> bool:
    """Whether the process ends (or is left a zombie nobody reaps) within `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the server is tied to the scan on Linux only")
def test_a_killed_scan_leaves_no_prefect_server_behind(tmp_path: Path) -> None:
    write_inbox(tmp_path / "inbox")
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}  # the scan starts its temporary server
    scan = subprocess.Popen(
        [rolesignal_command(), "scan", str(tmp_path / "inbox"), "--db", str(tmp_path / "w.duckdb")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        server = _prefect_server_of(scan, 120)
    finally:
        scan.send_signal(signal.SIGKILL)  # as the OOM killer ends a process: no handler runs
        scan.wait()
    try:
        assert _gone(server, 30), "the Prefect server outlived the killed scan"
    finally:
        if not _gone(server, 0):
            server.kill()
