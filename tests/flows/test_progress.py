"""Scan progress: plain lines when the output is not a terminal, fed by the flow after each batch."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from rolesignal.flows import progress
from rolesignal.flows.progress import ProgressDisplay
from rolesignal.flows.scan import scan_folder


def test_plain_lines_when_not_a_terminal() -> None:
    out = io.StringIO()
    with ProgressDisplay(stream=out, every=3600):
        progress.report(0, 30)  # reading starts: nothing to say yet
        progress.report(10, 30)  # the first line is always shown
        progress.report(20, 30)  # within the interval: quiet
        progress.report(30, 30)  # the last one is always shown
    lines = out.getvalue().splitlines()
    assert [line.split(" (")[0] for line in lines] == ["read 10/30 files", "read 30/30 files"]
    assert all("files/s" in line for line in lines)


def test_first_line_on_a_young_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    # time.monotonic() counts from boot: on a machine up for 12 s, a display that had "last printed" at 0.0 would
    # wait until second 3,600 for its first line.
    monkeypatch.setattr(time, "monotonic", lambda: 12.0)
    out = io.StringIO()
    with ProgressDisplay(stream=out, every=3600):
        progress.report(0, 30)
        progress.report(10, 30)
        progress.report(20, 30)
    assert [line.split(" (")[0] for line in out.getvalue().splitlines()] == ["read 10/30 files"]


def test_quiet_after_the_display_closes() -> None:
    out = io.StringIO()
    with ProgressDisplay(stream=out):
        pass
    progress.report(3, 3)
    assert out.getvalue() == ""


def test_flow_reports_each_batch(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for i in range(5):
        (folder / f"p{i}.txt").write_text(f"# Posting {i}\n\n## Requirements\n- You must know Python {i}\n")
    seen: list[tuple[int, int]] = []
    with progress.listening(lambda done, total: seen.append((done, total))):
        scan_folder(str(folder), str(tmp_path / "w.duckdb"), batch_size=2)
    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]
