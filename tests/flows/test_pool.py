"""AnalysisPool: workers analyse as the scan would in-process; a hanging or dying worker costs one file."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import psutil
import pytest

from rolesignal.extractors.errors import ReaderCrashed
from rolesignal.extractors.read import read_document
from rolesignal.flows.analyse import Analyzer
from rolesignal.flows.pool import AnalysisPool
from rolesignal.rules.types import RuleSet
from rolesignal.warehouse.types import Failed, Processed, SeenFile
from tests.flows import hostile


def seen(path: Path) -> SeenFile:
    info = path.stat()
    return SeenFile(str(path.resolve()), info.st_size, info.st_mtime_ns, "h")


@pytest.fixture
def files(tmp_path: Path) -> dict[str, SeenFile]:
    good = tmp_path / "good.pdf"
    good_bytes = hostile.text_pdf(good)
    (tmp_path / "slow.pdf").write_bytes(hostile.slow_pdf())
    (tmp_path / "locked.pdf").write_bytes(hostile.encrypted_pdf(good_bytes))
    (tmp_path / "a.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    return {name: seen(tmp_path / file) for name, file in
            [("good", "good.pdf"), ("slow", "slow.pdf"), ("locked", "locked.pdf"), ("old", "a.doc")]}  # fmt: skip


def test_same_analysis_as_in_process(files: dict[str, SeenFile], builtin_rules: RuleSet) -> None:
    with AnalysisPool(builtin_rules, workers=1) as pool:
        [result] = pool.process([files["good"]])
    document = read_document(files["good"].path)
    assert isinstance(result, Processed)
    assert (result.document, result.analysis) == (document, Analyzer(builtin_rules)(document))


def test_unreadable_files_come_back_as_failures_in_order(files: dict[str, SeenFile], builtin_rules: RuleSet) -> None:
    with AnalysisPool(builtin_rules, workers=2) as pool:
        results = pool.process([files["locked"], files["good"], files["old"]])
    assert [type(r).__name__ for r in results] == ["Failed", "Processed", "Failed"]
    assert [(r.error_type, r.message.split(":")[0]) for r in results if isinstance(r, Failed)] == [
        ("encrypted", "encrypted PDF"),
        ("unsupported_format", "legacy .doc"),
    ]


def test_a_hanging_file_is_stopped_and_the_next_file_is_read(
    files: dict[str, SeenFile], builtin_rules: RuleSet
) -> None:
    with AnalysisPool(builtin_rules, workers=1) as pool:
        results = pool.process([files["slow"], files["good"]], timeout=1.0)
    assert isinstance(results[0], Failed) and results[0].error_type == "timeout"
    assert results[0].message.startswith("reading took longer than 1 s and was stopped")
    assert isinstance(results[1], Processed)


def new_processes(before: set[int]) -> list[psutil.Process]:
    """This process's descendants that were not there before: the pool's workers, seen from the OS."""
    return [p for p in psutil.Process().children(recursive=True) if p.pid not in before]


def descendants() -> set[int]:
    """Pids of this process's descendants now."""
    return {p.pid for p in psutil.Process().children(recursive=True)}


def test_a_dying_worker_costs_one_file(files: dict[str, SeenFile], builtin_rules: RuleSet) -> None:
    before = descendants()
    with AnalysisPool(builtin_rules, workers=1) as pool:
        pool.process([files["good"]])  # the worker is up
        [worker] = new_processes(before)
        pid = worker.pid
        threading.Timer(0.5, os.kill, (pid, signal.SIGKILL)).start()
        results = pool.process([files["slow"], files["good"]], timeout=30)
    assert isinstance(results[0], Failed) and results[0].error_type == "reader_crashed"
    assert "exit code -9" in results[0].message
    assert isinstance(results[1], Processed)


def test_the_first_worker_forks_the_others_and_a_forked_one_dying_costs_one_file(
    files: dict[str, SeenFile], builtin_rules: RuleSet
) -> None:
    before = descendants()
    with AnalysisPool(builtin_rules, workers=2) as pool:
        pool.process([files["good"]] * 4)  # both workers are up
        # Only the first worker is our child; the second is its child, forked from it.
        [first] = [p for p in new_processes(before) if p.ppid() == os.getpid()]
        [forked] = first.children()
        assert {p.pid for p in new_processes(before)} == {first.pid, forked.pid}
        # Each worker holds up to two files: the second worker gets the slow file and dies on it.
        threading.Timer(1.0, os.kill, (forked.pid, signal.SIGKILL)).start()
        results = pool.process([files["good"], files["good"], files["slow"], files["good"]], timeout=30)
    assert [type(r).__name__ for r in results] == ["Processed", "Processed", "Failed", "Processed"]
    assert (results[2].error_type, results[2].message) == (
        "reader_crashed",
        "the reader process died on this file: re-export the file and try again",
    )


def test_concurrent_batches_share_the_workers_and_keep_their_order(
    files: dict[str, SeenFile], builtin_rules: RuleSet
) -> None:
    batches = [[files["good"], files["old"]], [files["locked"], files["good"], files["good"]], [files["old"]]]
    out: dict[int, list[str]] = {}
    with AnalysisPool(builtin_rules, workers=2) as pool:

        def run(number: int) -> None:
            out[number] = [type(r).__name__ for r in pool.process(batches[number])]

        threads = [threading.Thread(target=run, args=(n,)) for n in range(len(batches))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert out == {0: ["Processed", "Failed"], 1: ["Failed", "Processed", "Processed"], 2: ["Failed"]}


def test_a_closed_pool_refuses_work(files: dict[str, SeenFile], builtin_rules: RuleSet) -> None:
    pool = AnalysisPool(builtin_rules, workers=1)
    pool.close()
    assert pool.broken
    with pytest.raises(ReaderCrashed, match="stopped before this file was read"):
        pool.process([files["good"]])
