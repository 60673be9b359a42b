"""Read and analyse files in worker processes, each with its own Analyzer, under a per-file time limit.

`AnalysisPool(rules, workers=2).process(files, timeout)` returns one Processed or Failed record per file, in order. The
first worker is a fresh interpreter (`python -c`: no forking of Prefect's threads, no re-import of __main__) that
builds its Analyzer once and then forks the other workers from itself, so the 2-3 s of imports and matchers are paid
once; each worker then reads and analyses file after file. A file that takes longer than `timeout` seconds gets its
worker killed and a `timeout` failure; a worker that dies gives `reader_crashed`; either way that file is the only
cost and the worker is started again for the next one. The workers exit by themselves when this process goes away.
"""

from __future__ import annotations

import atexit
import os
import pickle
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from rolesignal.extractors.errors import ReaderCrashed, ReadTimeout
from rolesignal.extractors.read import DEFAULT_TIMEOUT
from rolesignal.flows.worker import WORKER_COMMAND, Result, failed
from rolesignal.rules.types import RuleSet
from rolesignal.warehouse.types import Failed, SeenFile

# Starting a worker (imports, spaCy matchers) is not part of any file's time limit, but it must end.
_START_TIMEOUT = 120.0
# Files sent ahead to each worker: the next one is waiting in its pipe when it finishes one.
_DEPTH = 2


def _worker_env() -> dict[str, str]:
    # numpy's OpenBLAS would start a thread pool we never use; a process that forks is better without threads.
    return {"OPENBLAS_NUM_THREADS": "1"} | os.environ


def _timeout_failure(file: SeenFile, timeout: float) -> Failed:
    return failed(
        file,
        ReadTimeout(
            f"reading took longer than {timeout:g} s and was stopped (a pathological or huge file?): "
            "re-export or split it"
        ),
    )


def _crash_failure(file: SeenFile, code: int | None) -> Failed:
    # A forked worker is not our child: its exit code is its parent's to collect, not ours.
    status = f" (exit code {code})" if code is not None else ""
    return failed(
        file, ReaderCrashed(f"the reader process died on this file{status}: re-export the file and try again")
    )


def _not_started() -> ReaderCrashed:
    # Fatal, not one file's failure: every waiting call raises it.
    return ReaderCrashed("the reader process did not start: check the installation")


class _Worker:
    """One worker process and its two pipes; `pid` is known once it says it is ready."""

    def __init__(self, process: subprocess.Popen[bytes] | None, requests: Connection, replies: Connection) -> None:
        self.process = process  # None for a worker forked by another worker
        self.pid: int | None = process.pid if process is not None else None
        self.requests = requests
        self.replies = replies
        self.started = time.monotonic()
        self.ready = False
        self._pidfd: int | None = None

    def started_as(self, pid: int) -> None:
        """Mark ready; a forked worker is held by a pidfd where the OS has them, so a reused pid is never signalled."""
        self.ready, self.pid = True, pid
        if self.process is None and hasattr(os, "pidfd_open"):
            try:
                self._pidfd = os.pidfd_open(pid)
            except ProcessLookupError:  # gone already: its pipe says so next
                pass

    def exit_code(self) -> int | None:
        if self.process is None:
            return None
        try:
            return self.process.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        for conn in (self.requests, self.replies):
            conn.close()
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait()
        elif self._pidfd is not None:
            try:
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)  # its parent worker reaps it
            except ProcessLookupError:  # it has exited already
                pass
            os.close(self._pidfd)
            self._pidfd = None
        elif self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def _spawn(setup: bytes, siblings: int = 0) -> list[_Worker]:
    """Start a fresh worker interpreter that, once ready, forks `siblings` more workers from itself.

    Every worker's pipes are made here, and the forked workers' ends pass through the first one's.
    """
    pipes = [(os.pipe(), os.pipe()) for _ in range(1 + siblings)]
    theirs = [fd for (request_r, _), (_, reply_w) in pipes for fd in (request_r, reply_w)]
    process = subprocess.Popen(
        [sys.executable, "-c", WORKER_COMMAND, ",".join(map(str, theirs))],
        pass_fds=theirs,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        env=_worker_env(),
    )
    for fd in theirs:
        os.close(fd)
    workers = [
        _Worker(
            process if number == 0 else None, Connection(request_w, readable=False), Connection(reply_r, writable=False)
        )
        for number, ((_, request_w), (reply_r, _)) in enumerate(pipes)
    ]
    workers[0].requests.send_bytes(setup)
    return workers


@dataclass
class _Job:
    """One `process` call: its results, filled in by the dispatcher, and an event set when all are in."""

    results: list[Result | None]
    remaining: int
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


@dataclass(frozen=True)
class _Item:
    job: _Job
    index: int
    file: SeenFile
    timeout: float


class AnalysisPool:
    """`workers` processes that read and analyse files; `process(files)` queues a batch and waits for its records.

    Thread-safe: concurrent `process` calls share one queue, so the next batch's files are already waiting when
    the last files of a batch finish. A dispatcher thread keeps up to `_DEPTH` files at each worker, so a worker
    starts its next file while this process is busy (writing, unpickling); the time limit runs from when a worker
    can begin a file, i.e. when its previous file's reply arrives.
    """

    def __init__(self, rules: RuleSet, workers: int = 2) -> None:
        self.rules_version = rules.version
        self.size = max(1, workers)
        self._setup = pickle.dumps(rules)
        self._workers: list[_Worker] = []
        self._queue: deque[_Item] = deque()
        self._lock = threading.Lock()
        self._error: BaseException | None = None
        self._closed = False
        self._wake_r, self._wake_w = socket.socketpair()
        self._start_all()
        self._thread = threading.Thread(target=self._dispatch, name="analysis-pool", daemon=True)
        self._thread.start()

    def process(self, files: list[SeenFile], timeout: float = DEFAULT_TIMEOUT) -> list[Result]:
        """One record per file, in the order given; a file gets `timeout` seconds to be read and analysed."""
        if not files:
            return []
        job = _Job([None] * len(files), len(files))
        with self._lock:
            if self._error is not None:
                raise self._error
            self._queue.extend(_Item(job, i, f, timeout) for i, f in enumerate(files))
        self._wake()
        job.done.wait()
        if job.error is not None:
            raise job.error
        return [r for r in job.results if r is not None]

    @property
    def broken(self) -> bool:
        """True after a fatal error (a worker that cannot start) or close(): a new pool is needed."""
        return self._error is not None or self._closed

    def _wake(self) -> None:
        try:
            self._wake_w.send(b"\0")
        except OSError:  # closed: the dispatcher is gone and jobs were failed by close()
            pass

    def _dispatch(self) -> None:
        """Feed workers from the queue, collect replies, enforce time limits; fail every job on a fatal error."""
        busy: list[deque[_Item]] = [deque() for _ in range(self.size)]
        deadline = [0.0] * self.size  # for the first file at each worker
        try:
            while not self._closed:
                now = time.monotonic()
                for slot, worker in enumerate(self._workers):
                    while worker.ready and len(busy[slot]) < _DEPTH:
                        with self._lock:
                            item = self._queue.popleft() if self._queue else None
                        if item is None:
                            break
                        try:
                            worker.requests.send(item.file)
                        except OSError:  # it died between files: its files go back, a fresh worker starts
                            self._requeue([item])
                            self._requeue(busy[slot])
                            self._restart(slot)
                            break
                        if not busy[slot]:
                            deadline[slot] = now + item.timeout
                        busy[slot].append(item)
                watched: dict[Any, int] = {
                    w.replies: slot for slot, w in enumerate(self._workers) if busy[slot] or not w.ready
                }
                limits = [deadline[slot] for slot in range(self.size) if busy[slot]]
                limits += [w.started + _START_TIMEOUT for w in self._workers if not w.ready]
                wait_for = max(0.0, min(limits) - now) if limits else None
                for conn in wait([*watched, self._wake_r], timeout=wait_for):
                    if conn is self._wake_r:
                        self._wake_r.recv(4096)
                        continue
                    self._receive(watched[conn], busy, deadline)
                now = time.monotonic()
                for slot in range(self.size):
                    if busy[slot] and deadline[slot] <= now:
                        item = busy[slot].popleft()
                        self._deliver(item, _timeout_failure(item.file, item.timeout))
                        self._requeue(busy[slot])
                        self._restart(slot)
                if any(not w.ready and w.started + _START_TIMEOUT <= now for w in self._workers):
                    raise _not_started()
        except BaseException as exc:  # a fatal error: nothing more can be read; every caller hears of it
            self._fail_all(exc, busy)

    def _receive(self, slot: int, busy: list[deque[_Item]], deadline: list[float]) -> None:
        worker = self._workers[slot]
        try:
            reply = worker.replies.recv()
        except (EOFError, OSError):
            if not worker.ready:
                raise _not_started() from None
            item = busy[slot].popleft()  # the file it was reading; the others it had not begun go back
            self._deliver(item, _crash_failure(item.file, worker.exit_code()))
            self._requeue(busy[slot])
            self._restart(slot)
            return
        if not worker.ready:
            if isinstance(reply, tuple) and reply[0] == "ready":
                worker.started_as(reply[1])
            return
        self._deliver(busy[slot].popleft(), reply)
        if busy[slot]:
            deadline[slot] = time.monotonic() + busy[slot][0].timeout

    @staticmethod
    def _deliver(item: _Item, result: Result) -> None:
        job = item.job
        job.results[item.index] = result
        job.remaining -= 1
        if job.remaining == 0:
            job.done.set()

    def _requeue(self, items: deque[_Item] | list[_Item]) -> None:
        """Put files a worker had not begun back at the front of the queue, in their order."""
        with self._lock:
            self._queue.extendleft(reversed(list(items)))
        items.clear()

    def _fail_all(self, exc: BaseException, busy: list[deque[_Item]] | None = None) -> None:
        with self._lock:
            self._error = exc
            items = list(self._queue) + [item for queue in busy or [] for item in queue]
            self._queue.clear()
        for job in {id(item.job): item.job for item in items}.values():
            job.error = exc
            job.done.set()

    def _start_all(self) -> None:
        """Start the first worker, which forks the others once its Analyzer is built; files go to each worker once
        it is ready (its start-up is not part of any file's time limit)."""
        self._workers = _spawn(self._setup, siblings=self.size - 1)

    def _restart(self, slot: int) -> None:
        """Kill the slot's worker and start a fresh one; it takes files once it says it is ready."""
        self._workers[slot].kill()
        [self._workers[slot]] = _spawn(self._setup)

    def close(self) -> None:
        """Stop the dispatcher and every worker; calls still waiting raise ReaderCrashed."""
        if self._closed:
            return
        self._closed = True
        self._wake()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        for worker in self._workers:
            worker.kill()
        self._workers = []
        self._fail_all(ReaderCrashed("the reader processes were stopped before this file was read"))
        for sock in (self._wake_r, self._wake_w):
            sock.close()

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
        if pool is not None and ((pool.rules_version, pool.size) != (rules.version, workers) or pool.broken):
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
