"""`rolesignal review --next` driven through a pseudo-terminal, as a person at a keyboard: each answer is on disk
before the next question, and a session killed between answers loses nothing and is taken up again."""

from __future__ import annotations

import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import termios
import time
from contextlib import closing
from pathlib import Path

import duckdb
import pytest

from rolesignal.warehouse.connect import CONFIG
from rolesignal.warehouse.schema import migrate
from rolesignal.warehouse.store import finish_scan, start_scan, write_batch, write_catalogue
from tests.warehouse import factories

PROMPT = b"[q] quit > "
WAIT = 120  # seconds a step may take on a loaded machine before the test gives up (a guard, not a measurement)


class Terminal:
    """A `rolesignal review --next` process on the far side of a pseudo-terminal."""

    def __init__(self, *args: str) -> None:
        command = shutil.which("rolesignal") or str(Path(sys.executable).with_name("rolesignal"))
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            [command, "review", "--next", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
            env=os.environ | {"COLUMNS": "120", "TERM": "xterm"},
        )
        os.close(slave)
        self.seen = b""

    def read_until(self, wanted: bytes) -> str:
        """Everything printed until `wanted` (which is consumed), as text."""
        while wanted not in self.seen:
            ready, _, _ = select.select([self.master], [], [], WAIT)
            if not ready:
                raise AssertionError(f"waited {WAIT} s for {wanted!r}; the terminal shows:\n{self.seen.decode()}")
            try:
                chunk = os.read(self.master, 4096)
            except OSError:  # the process ended and closed its side
                chunk = b""
            if not chunk:
                raise AssertionError(f"the session ended before {wanted!r}; it printed:\n{self.seen.decode()}")
            self.seen += chunk
        before, self.seen = self.seen.split(wanted, 1)
        return (before + wanted).decode().replace("\r\n", "\n")

    def press(self, key: str) -> None:
        """Type a key once the session reads one: it switches the terminal to raw mode, discarding earlier input."""
        deadline = time.monotonic() + WAIT
        while termios.tcgetattr(self.master)[3] & termios.ICANON:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise AssertionError(f"the session never asked for a key; it printed:\n{self.seen.decode()}")
            time.sleep(0.01)
        os.write(self.master, key.encode())

    def finish(self) -> tuple[int, str]:
        """Wait for the process to end; its exit code and the rest of what it printed."""
        code = self.process.wait(timeout=WAIT)
        rest = self.seen
        while True:
            try:
                chunk = os.read(self.master, 4096)
            except OSError:
                break
            if not chunk:
                break
            rest += chunk
        os.close(self.master)
        return code, rest.decode().replace("\r\n", "\n")


def stored(db: Path) -> list[tuple]:
    with closing(duckdb.connect(str(db), read_only=True, config=CONFIG)) as con:
        return con.execute(
            "SELECT r.role, r.reviewed_by, r.source, f.file_name FROM reviews AS r "
            "JOIN files AS f ON f.content_hash = r.content_hash ORDER BY r.review_id"
        ).fetchall()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Three hybrid decisions, all in review_queue, written with the store's own functions."""
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path), config=CONFIG)
    migrate(con)
    write_catalogue(con, factories.CATALOGUE, factories.RULES_V1)
    scan_id = start_scan(con, factories.ROOT, None, factories.RULES_V1)
    write_batch(con, scan_id, [factories.processed(name) for name in ("alpha", "beta", "gamma")], [], [])
    finish_scan(con, scan_id, {"files_seen": 3, "new": 3})
    con.close()
    return path


def test_answers_are_stored_one_by_one_and_a_kill_between_answers_loses_nothing(db: Path) -> None:
    first = Terminal("--db", str(db), "--by", "tess")
    screen = first.read_until(PROMPT)
    assert "3 unreviewed document(s) in review_queue" in screen
    assert "[1 of 3] /data/inbox/alpha.txt   (hybrid)" in screen
    assert "title: Senior Engineer alpha   kind: job_posting" in screen
    assert "Hire someone with depth in both layers" in screen  # the verdict sentence
    assert (
        'strongest evidence:\n    p.1, Requirements: "Experience training deep learning models" -> ml.train' in screen
    )
    assert stored(db) == []

    first.press("m")
    assert "stored: ml_engineer (the tool said hybrid)" in first.read_until(PROMPT)
    # On disk before the next answer, while the session waits for it (it holds no connection meanwhile).
    assert stored(db) == [("ml_engineer", "tess", "session", "alpha.txt")]

    first.press("x")
    assert "one of m, a, h, n (a role), s (skip), e (explain) or q (quit)" in first.read_until(PROMPT)
    first.press("e")
    assert "Stated requirements (3):" in first.read_until(PROMPT)  # the whole explanation, then the same question
    os.killpg(first.process.pid, signal.SIGKILL)  # killed between answers
    assert first.finish()[0] == -signal.SIGKILL
    assert stored(db) == [("ml_engineer", "tess", "session", "alpha.txt")]

    second = Terminal("--db", str(db), "--by", "tess")
    screen = second.read_until(PROMPT)
    assert "2 unreviewed document(s)" in screen and "[1 of 2] /data/inbox/beta.txt" in screen
    second.press("h")
    assert "stored: hybrid (agrees)" in second.read_until(PROMPT)
    second.press("s")  # gamma stays unreviewed
    code, rest = second.finish()
    assert code == 0
    assert "1 review(s) stored, 1 skipped; 1 document(s) of review_queue still unreviewed." in rest
    assert stored(db) == [("ml_engineer", "tess", "session", "alpha.txt"), ("hybrid", "tess", "session", "beta.txt")]

    third = Terminal("--db", str(db), "--queue", "document_roles")
    assert "[1 of 1] /data/inbox/gamma.txt" in third.read_until(PROMPT)
    third.press("\x03")  # Ctrl-C
    code, rest = third.finish()
    assert code == 130 and "Interrupted: 0 review(s) stored, 0 skipped." in rest
    assert len(stored(db)) == 2


def test_quit_and_a_queue_without_paths(db: Path) -> None:
    session = Terminal("--db", str(db))
    session.read_until(PROMPT)
    session.press("q")
    code, rest = session.finish()
    assert code == 0 and "0 review(s) stored, 0 skipped; 3 document(s) of review_queue still unreviewed." in rest
    session = Terminal("--db", str(db), "--queue", "role_summary")
    code, rest = session.finish()
    assert code == 2 and "--queue role_summary: the report has no path column" in rest
