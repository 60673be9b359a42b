"""A real `rolesignal scan` process: killed with SIGKILL mid-run, the next scan finishes the work with nothing lost
and nothing twice; while it runs, a second scan of the same warehouse refuses and reports still work."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from rolesignal.flows.cli import cli
from rolesignal.flows.scan import scan_folder
from tests.flows import hostile
from tests.flows.documents import AI_POSTING, ML_POSTING, PLAIN_POSTING

N_FILES = 80
BATCH = 5


def write_postings(folder: Path, n: int = N_FILES) -> None:
    folder.mkdir()
    postings = (AI_POSTING, ML_POSTING, PLAIN_POSTING)
    for i in range(n):
        (folder / f"posting-{i:03d}.txt").write_text(postings[i % 3] + f"- Reference R-{i:03d}\n")


class ScanProcess:
    """`rolesignal scan` in a subprocess against the session's Prefect server, with its log lines in a queue."""

    def __init__(self, folder: Path, db: Path, *extra: str) -> None:
        from prefect.settings import PREFECT_API_URL

        # The run's INFO lines in the terminal too (rolesignal's default shows warnings only there).
        terminal = {"PREFECT_LOGGING_LEVEL": "INFO", "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "INFO"}
        env = os.environ | {"PREFECT_API_URL": PREFECT_API_URL.value()} | terminal
        cli = "from rolesignal.flows.cli import main; main()"
        command = [sys.executable, "-c", cli, "scan", str(folder), "--db", str(db)]
        self.process = subprocess.Popen(
            [*command, "--batch-size", str(BATCH), "--write-size", str(BATCH)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line)

    def wait_for(self, pattern: str, timeout: float = 60) -> str:
        """The first log line matching pattern (fails the test when the scan ends or the time is up first)."""
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                pytest.fail(f"no line matching {pattern!r} within {timeout} s:\n{''.join(self.output)}")
            if re.search(pattern, line):
                return line


@pytest.fixture
def inbox(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    write_postings(tmp_path / "inbox")
    yield tmp_path / "inbox", tmp_path / "w.duckdb"


@pytest.fixture
def small_inbox(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    write_postings(tmp_path / "inbox", 40)
    # A PDF that PDFium reads for ~20 s: the scan is surely still running while we query, however fast
    # the other files go; its time limit ends it.
    (tmp_path / "inbox" / "zz-slow.pdf").write_bytes(hostile.slow_pdf(4_000_000))
    yield tmp_path / "inbox", tmp_path / "w.duckdb"


def query(db: Path, sql: str) -> list[tuple]:
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        return con.execute(sql).fetchall()


def test_killed_scan_is_completed_by_the_next_without_duplicates(inbox: tuple[Path, Path]) -> None:
    folder, db = inbox
    scan = ScanProcess(folder, db)
    scan.wait_for(rf"batch 2/{N_FILES // BATCH} written")
    scan.process.send_signal(signal.SIGKILL)
    assert scan.process.wait(timeout=10) == -signal.SIGKILL
    [(stored, running)] = query(db, "SELECT (SELECT count(*) FROM files), (SELECT count(*) FROM scans)")
    assert BATCH * 2 <= stored < N_FILES and running == 1  # the kill left work to do
    assert query(db, "SELECT status FROM scans") == [("running",)]

    summary = scan_folder(str(folder), str(db))
    assert (summary["new"], summary["unchanged"], summary["failed"]) == (N_FILES - stored, stored, 0)
    assert query(db, "SELECT scan_id, status FROM scan_history ORDER BY scan_id") == [
        (1, "interrupted"),
        (2, "completed"),
    ]
    assert query(db, "SELECT count(*), count(DISTINCT path) FROM document_roles") == [(N_FILES, N_FILES)]
    assert query(db, "SELECT count(*) FROM files WHERE status = 'ok'") == [(N_FILES,)]
    assert query(db, "SELECT count(*) FROM documents") == [(N_FILES,)]
    assert query(db, "SELECT count(*) FROM classifications") == [(N_FILES,)]
    assert query(db, "SELECT count(*) - count(DISTINCT (content_hash, ordinal)) FROM requirements") == [(0,)]
    assert query(db, "SELECT count(*) - count(DISTINCT (content_hash, ordinal)) FROM blocks") == [(0,)]
    roles = dict(query(db, "SELECT role, count(*) FROM document_roles GROUP BY role"))
    assert roles == {"ai_developer": 27, "ml_engineer": 27, "none": 26}
    assert sum(summary["roles"].values()) == N_FILES


def test_second_scan_refuses_and_reports_work_during_a_scan(small_inbox: tuple[Path, Path]) -> None:
    folder, db = small_inbox
    scan = ScanProcess(folder, db, "--file-timeout", "6")
    try:
        scan.wait_for(rf"batch 1/{-(-41 // BATCH)} written")
        result = CliRunner().invoke(cli, ["scan", str(folder), "--db", str(db)])
        assert result.exit_code == 1
        assert result.output == (
            f"rolesignal: another scan (PID {scan.process.pid}) is writing {db}; try again when it finishes\n"
        )
        for _ in range(3):
            query_files = ["sql", "SELECT count(*) >= 5 AS ok FROM files", "--db", str(db), "--format", "csv"]
            result = CliRunner().invoke(cli, query_files)
            assert (result.exit_code, result.output) == (0, "ok\nTrue\n"), result.output
        result = CliRunner().invoke(cli, ["report", "--db", str(db), "--format", "csv"])
        assert result.exit_code == 0, result.output
        assert scan.process.poll() is None, "the scan should still be running"
        assert scan.process.wait(timeout=60) == 0, "".join(scan.output)
    finally:
        scan.process.kill()
    assert query(db, "SELECT count(*) FROM document_roles") == [(40,)]
    assert query(db, "SELECT status FROM scans") == [("completed",)]
