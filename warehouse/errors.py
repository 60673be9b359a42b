"""Typed warehouse errors; the CLI turns them into messages and exit codes."""

from __future__ import annotations


class WarehouseError(Exception):
    """Any failure to open, migrate, read or write the warehouse."""


class WarehouseBusy(WarehouseError):
    """Another process holds the DuckDB file lock (transient: retry later)."""

    def __init__(self, path: str, pid: str | None) -> None:
        holder = f" (PID {pid})" if pid else ""
        super().__init__(
            f"the warehouse {path} is in use by another process{holder}: a scan may be writing; try again shortly"
        )
        self.path = path
        self.pid = pid

    def __reduce__(self) -> tuple:  # pickled by its arguments, not its message (a Prefect task's error travels)
        return type(self), (self.path, self.pid)


class ScanInProgress(WarehouseError):
    """Another process holds the scan lock of this warehouse (a second scan would interleave with it)."""

    def __init__(self, db: str, pid: int | None) -> None:
        holder = f"PID {pid}" if pid else "PID unknown"
        super().__init__(f"another scan ({holder}) is writing {db}; try again when it finishes")
        self.db = db
        self.pid = pid

    def __reduce__(self) -> tuple:
        return type(self), (self.db, self.pid)


class WarehouseMissing(WarehouseError):
    """A read-only open found no database file."""

    def __init__(self, path: str) -> None:
        super().__init__(f"no warehouse at {path}: run `rolesignal scan FOLDER` first")
        self.path = path

    def __reduce__(self) -> tuple:
        return type(self), (self.path,)


class MigrationError(WarehouseError):
    """A schema migration or view definition could not be applied."""


class AmbiguousPath(WarehouseError):
    """A path suffix matches more than one stored file."""

    def __init__(self, message: str, candidates: list[str]) -> None:
        super().__init__(message)
        self.candidates = candidates

    def __reduce__(self) -> tuple:
        return type(self), (str(self), self.candidates)
