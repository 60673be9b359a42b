"""Opening the DuckDB warehouse file: lock retries with backoff, typed errors, transactions, the scan lock."""

from __future__ import annotations

import fcntl
import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rolesignal.warehouse.errors import ScanInProgress, WarehouseBusy, WarehouseError, WarehouseMissing

if TYPE_CHECKING:  # imported where a connection is made: the scan lock and `rolesignal serve` do without DuckDB
    import duckdb

# Files stay readable by the PyPI duckdb-cli 1.5.x. Passed on every open, not only at creation: it does not change
# the storage version of an existing file, and DuckDB refuses a second connection to the same file in one process
# with a different configuration.
CONFIG = {"storage_compatibility_version": "v1.5.0"}
_LOCK_MARKERS = ("Could not set lock", "Conflicting lock")
_FIRST_DELAY = 0.05
_MAX_DELAY = 1.0
# A reader waiting for the lock touches this file at every try; a writer holding its connection gives it up when the
# file was touched this recently.
_WANTED_FRESH = 3 * _MAX_DELAY


def read_wanted_path(path: str | Path) -> Path:
    """The file readers touch while they wait for the warehouse: `<db>.read-wanted`."""
    path = Path(path).expanduser()
    return path.with_name(path.name + ".read-wanted")


def _touch(path: Path) -> None:
    try:
        path.touch()
    except OSError:  # a read-only folder: the writer's hold timer still lets readers in
        pass


def open_warehouse(path: str | Path, read_only: bool = False, timeout: float = 30.0) -> duckdb.DuckDBPyConnection:
    """Connect to the warehouse file, retrying while another process holds its lock for up to `timeout` seconds."""
    import duckdb

    if str(path) == ":memory:":
        return duckdb.connect(":memory:", config=CONFIG)
    path = Path(path).expanduser()
    if read_only and not path.exists():
        raise WarehouseMissing(str(path))
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    delay = _FIRST_DELAY
    waited = False
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only, config=CONFIG)
            if waited:
                read_wanted_path(path).unlink(missing_ok=True)
            return con
        except duckdb.IOException as exc:
            message = str(exc)
            if not any(marker in message for marker in _LOCK_MARKERS):
                if read_only and "does not exist" in message:  # deleted between the check and the open
                    raise WarehouseMissing(str(path)) from exc
                raise _cannot_open(path, message) from exc
            if read_only:
                _touch(read_wanted_path(path))  # a scan holding the file lets us in after its current write
                waited = True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                pid = re.search(r"PID (\d+)", message)
                raise WarehouseBusy(str(path), pid[1] if pid else None) from exc
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, _MAX_DELAY)
        except duckdb.Error as exc:
            raise _cannot_open(path, str(exc)) from exc


class HeldConnection:
    """A writable connection kept across a scan's consecutive uses, given up between uses when a reader is waiting
    or it has been held `hold` seconds.

    Closing checkpoints the file, and a checkpoint costs more the larger the warehouse (0.06 s at 500 documents,
    0.5 s at 12,000): a scan that closed after every write would spend more and more of its time there. Holding the
    connection shuts readers out meanwhile: a reader waiting through open_warehouse says so (`<db>.read-wanted`),
    other programs (the duckdb CLI) cannot. A watcher thread checks every `check_every` seconds while the connection
    is not in use, so a waiting reader gets in at once between uses and after the current one otherwise, and other
    programs at least every `hold` seconds, however long the scan spends away from the warehouse (walking and hashing
    a big folder, reading the next batch).
    """

    def __init__(self, path: str | Path, hold: float, check_every: float = 0.25) -> None:
        self.path = path
        self.hold = hold
        self.check_every = check_every
        self._con: duckdb.DuckDBPyConnection | None = None
        self._opened = 0.0
        self._in_use = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None

    @contextmanager
    def connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The held connection (opened if need be); closed after the block when it is due or the block failed."""
        with self._lock:
            if self._con is None:
                self._con = open_warehouse(self.path)
                self._opened = time.monotonic()
            self._in_use = True
            con = self._con
            if self._watcher is None:
                self._watcher = threading.Thread(target=self._watch, name="held-connection", daemon=True)
                self._watcher.start()
        try:
            yield con
        except BaseException:
            self._release(always=True)  # a failed write may leave it unusable: the retry opens a fresh one
            raise
        self._release(always=False)

    def _release(self, always: bool) -> None:
        with self._lock:
            self._in_use = False
            if always or self._due():
                self._close_locked()

    def _watch(self) -> None:
        while not self._stop.wait(self.check_every):
            with self._lock:
                if self._con is not None and not self._in_use and self._due():
                    self._close_locked()

    def _due(self) -> bool:
        return time.monotonic() - self._opened >= self.hold or self._read_wanted()

    def _read_wanted(self) -> bool:
        try:
            touched = read_wanted_path(self.path).stat().st_mtime
        except OSError:
            return False
        return time.time() - touched < _WANTED_FRESH

    def _close_locked(self) -> None:
        if self._con is not None:
            con, self._con = self._con, None
            con.close()

    def close(self) -> None:
        """Close the connection and stop the watcher."""
        self._stop.set()
        if self._watcher is not None and self._watcher is not threading.current_thread():
            self._watcher.join()
        with self._lock:
            self._close_locked()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN … COMMIT around the block; ROLLBACK and re-raise on any exception."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


@contextmanager
def atomic(con: duckdb.DuckDBPyConnection, what: str, error: type[WarehouseError] = WarehouseError) -> Iterator[None]:
    """One transaction; a database error rolls it back and surfaces as `error`, naming the step."""
    import duckdb

    try:
        with transaction(con):
            yield
    except duckdb.Error as exc:
        raise error(f"{what} failed (nothing of it was stored): {exc}") from exc


def utcnow() -> datetime:
    """Naive UTC now: the warehouse stores TIMESTAMP columns in UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


def _cannot_open(path: Path, detail: str) -> WarehouseError:
    return WarehouseError(f"cannot open the warehouse {path}: {detail}")


# Scan locks this process holds: lock file → (file descriptor, nesting depth). Re-entrant per process, so the CLI
# can take the lock before starting Prefect and the flow can take it again inside.
_HELD: dict[str, list[int]] = {}


def lock_path(db: str | Path) -> Path:
    """The scan lock file next to the warehouse: `<db>.scan.lock`."""
    path = Path(db).expanduser().resolve()  # one lock whichever way (relative, via a link) the file is named
    return path.with_name(path.name + ".scan.lock")


@contextmanager
def scan_lock(db: str | Path) -> Iterator[None]:
    """Hold the warehouse's scan lock for the block, or raise ScanInProgress at once when another process holds it.

    flock(2) locks belong to the open file, so the OS releases the lock of a killed scan: no stale locks to clean.
    """
    if str(db) == ":memory:":
        yield
        return
    path = lock_path(db)
    key = str(path)
    if key in _HELD:
        _HELD[key][1] += 1
        try:
            yield
        finally:
            _HELD[key][1] -= 1
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise WarehouseError(
            f"cannot open the scan lock {path}: {exc.strerror or exc}; give a --db path you can write"
        ) from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_pid(fd)
        os.close(fd)
        raise ScanInProgress(str(Path(db).expanduser()), holder) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    _HELD[key] = [fd, 1]
    try:
        yield
    finally:
        del _HELD[key]
        os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _read_pid(fd: int) -> int | None:
    text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    return int(text) if text.isdigit() else None
