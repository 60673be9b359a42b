"""Read and analyse files in worker processes, each with its own Analyzer, under a per-file time limit.

`AnalysisPool(rules, workers=2).process(files, timeout)` returns one Processed or Failed record per file, in order. Each
worker is a fresh interpreter (`python -c`: no forking of Prefect's threads, no re-import of __main__) that builds its
Analyzer once, then reads and analyses file after file. A file that takes longer than `timeout` seconds gets its
worker killed and a `timeout` failure; a worker that dies gives `reader_crashed`; either way that file is the only
cost and the worker is started again for the next one. The workers exit by themselves when this process goes away.
"""

from __future__ import annotations

import atexit
import os
import pickle
import subprocess
import sys
import threading
import time
from collections import deque
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from extractors.errors import ExtractionError, ReaderCrashed, ReadTimeout
from extractors.read import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, read_document
from rules.load import RuleSet
from warehouse.records import Failed, Processed, SeenFile

Result = Processed | Failed
# Starting a worker (imports, spaCy matchers) is not part of any file's time limit, but it must end.
_START_TIMEOUT = 120.0


def _worker_env() -> dict[str, str]:
    """Our environment, with this package importable even when it runs from a checkout that is not installed."""
    ours = str(Path(__file__).resolve().parents[1])
    paths = [ours, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return os.environ | {"PYTHONPATH": os.pathsep.join(paths)}


def process_file(file: SeenFile, analyzer: Any, max_bytes: int = DEFAULT_MAX_BYTES) -> Result:
    """Read and analyse one file in this process; a failure is a record, not a raise."""
    try:
        document = read_document(file.path, max_bytes=max_bytes)
    except ExtractionError as exc:
        return Failed(file, exc.error_type, exc.message)
    except OSError as exc:
        return Failed(file, "unreadable", f"cannot read the file: {exc.strerror or exc}")
    try:
        return Processed(file, document, analyzer(document))
    except Exception as exc:  # a bug of ours must not stop the scan: record it for a person to report
        return Failed(file, "internal_error", f"rolesignal could not analyse this file ({type(exc).__name__}: {exc})")


def _timeout_failure(file: SeenFile, timeout: float) -> Failed:
    exc = ReadTimeout(
        f"reading took longer than {timeout:g} s and was stopped (a pathological or huge file?): re-export or split it"
    )
    return Failed(file, exc.error_type, exc.message)


def _crash_failure(file: SeenFile, code: int | None) -> Failed:
    exc = ReaderCrashed(f"the reader process died on this file (exit code {code}): re-export the file and try again")
    return Failed(file, exc.error_type, exc.message)


class _Worker:
    """One worker process and its two pipes."""

    def __init__(self, setup: bytes) -> None:
        request_r, request_w = os.pipe()
        reply_r, reply_w = os.pipe()
        self.process = subprocess.Popen(
            [sys.executable, "-c", _WORKER, str(request_r), str(reply_w)],
            pass_fds=(request_r, reply_w),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            env=_worker_env(),
        )
        os.close(request_r)
        os.close(reply_w)
        self.requests = Connection(request_w, readable=False)
        self.replies = Connection(reply_r, writable=False)
        self.requests.send_bytes(setup)
        self.started = time.monotonic()
        self.ready = False

    def exit_code(self) -> int | None:
        try:
            return self.process.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        for conn in (self.requests, self.replies):
            conn.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


class AnalysisPool:
    """`workers` processes that read and analyse files; `process(files)` spreads a batch over them.

    Thread-safe: concurrent `process` calls take turns (each one uses every worker).
    """

    def __init__(
        self,
        rules: RuleSet,
        workers: int = 2,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.rules_version = rules.version
        self.size = max(1, workers)
        self._setup = pickle.dumps((rules, max_bytes))
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()
        self._start_all()

    def process(self, files: list[SeenFile], timeout: float = DEFAULT_TIMEOUT) -> list[Result]:
        """One record per file, in the order given; a file gets `timeout` seconds to be read and analysed."""
        with self._lock:
            return self._process(files, timeout)

    def _process(self, files: list[SeenFile], timeout: float) -> list[Result]:
        results: list[Result | None] = [None] * len(files)
        pending = deque(enumerate(files))
        busy: dict[int, tuple[int, SeenFile, float]] = {}  # worker slot → (file index, file, deadline)
        while pending or busy:
            for slot, worker in enumerate(self._workers):
                if worker.ready and slot not in busy and pending:
                    index, file = pending.popleft()
                    try:
                        worker.requests.send(file)
                    except OSError:  # it died between files: the file goes back, a fresh worker starts
                        pending.appendleft((index, file))
                        self._restart(slot)
                        continue
                    busy[slot] = (index, file, time.monotonic() + timeout)
            watched = {w.replies: slot for slot, w in enumerate(self._workers) if slot in busy or not w.ready}
            starting = [w.started + _START_TIMEOUT for w in self._workers if not w.ready]
            deadlines = [d for _, _, d in busy.values()] + starting
            for conn in wait(list(watched), timeout=max(0.0, min(deadlines) - time.monotonic())):
                slot = watched[conn]
                worker = self._workers[slot]
                try:
                    reply = conn.recv()
                except (EOFError, OSError):
                    if not worker.ready:
                        raise ReaderCrashed("the reader process did not start: check the installation") from None
                    index, file, _ = busy.pop(slot)
                    results[index] = _crash_failure(file, worker.exit_code())
                    self._restart(slot)
                    continue
                if not worker.ready:
                    worker.ready = reply == "ready"
                else:
                    index, _, _ = busy.pop(slot)
                    results[index] = reply
            now = time.monotonic()
            for slot, (index, file, deadline) in list(busy.items()):
                if deadline <= now:
                    del busy[slot]
                    results[index] = _timeout_failure(file, timeout)
                    self._restart(slot)
            if any(not w.ready and w.started + _START_TIMEOUT <= now for w in self._workers):
                raise ReaderCrashed("the reader process did not start: check the installation")
        return [r for r in results if r is not None]

    def _start_all(self) -> None:
        """Start every worker at once: they import and build their Analyzers in parallel; files go to each worker
        once it is ready (its start-up is not part of any file's time limit)."""
        self._workers = [_Worker(self._setup) for _ in range(self.size)]

    def _restart(self, slot: int) -> None:
        """Kill the slot's worker and start a fresh one; it takes files once it says it is ready."""
        self._workers[slot].kill()
        self._workers[slot] = _Worker(self._setup)

    def close(self) -> None:
        """Stop every worker at once."""
        for worker in self._workers:
            worker.kill()
        self._workers = []

    def __enter__(self) -> AnalysisPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_SHARED: dict[str, AnalysisPool] = {}
_SHARED_LOCK = threading.Lock()


def shared_pool(rules: RuleSet, workers: int) -> AnalysisPool:
    """This process's pool for these rules and worker count, started on first use and kept for the next batches and
    scans (starting a worker costs 2-3 s: spaCy's imports and the matchers); a pool of other settings is closed."""
    with _SHARED_LOCK:
        pool = _SHARED.get("pool")
        if pool is not None and (pool.rules_version, pool.size) != (rules.version, workers):
            pool.close()
            pool = None
        if pool is None:
            pool = _SHARED["pool"] = AnalysisPool(rules, workers)
        return pool


def close_shared_pool() -> None:
    with _SHARED_LOCK:
        pool = _SHARED.pop("pool", None)
    if pool is not None:
        pool.close()


atexit.register(close_shared_pool)


# The worker takes its set-up (the pickled rules, larger than a pipe's buffer) before its slow imports, so that
# starting several workers does not wait for each one's imports in turn.
_WORKER = (
    "import sys; from multiprocessing.connection import Connection; "
    "requests = Connection(int(sys.argv[1]), writable=False); setup = requests.recv_bytes(); "
    "from extractors.pool import serve_analyses; serve_analyses(requests, int(sys.argv[2]), setup)"
)


def serve_analyses(requests: Connection, reply_fd: int, setup: bytes) -> None:
    """Worker loop: build the Analyzer from the rules we were sent, then process files until the pipe closes."""
    from rules.analyse import Analyzer

    replies = Connection(reply_fd, readable=False)
    rules, max_bytes = pickle.loads(setup)
    analyzer = Analyzer(rules)
    replies.send("ready")
    while True:
        try:
            file = requests.recv()
        except (EOFError, OSError):
            return
        replies.send(process_file(file, analyzer, max_bytes))
