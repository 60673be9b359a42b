"""A quick look at the warehouse path before any Prefect work, so a bad --db costs a sentence, not a traceback."""

from __future__ import annotations

import os
from contextlib import closing
from pathlib import Path

from rolesignal.warehouse.connect import lock_path
from rolesignal.warehouse.errors import WarehouseError

# A DuckDB file holds these bytes after its first 8 (the header's checksum).
_MAGIC = b"DUCK"
_REBUILD = "to rebuild, scan the documents into a new file (--db new.duckdb); nothing was changed"
_OWN_COLUMNS = {"version", "name", "applied_at"}


class WarehouseUnusable(WarehouseError):
    """The --db path cannot hold a rolesignal warehouse (a folder, another program's file, a damaged file ...)."""


def check_warehouse(db: str | Path) -> None:
    """Raise WarehouseUnusable with what to do when `db` cannot be opened or created as a rolesignal warehouse."""
    path = Path(db).expanduser()
    if path.is_dir():
        raise WarehouseUnusable(f"{path} is a folder, not a warehouse file: give a file path with --db")
    folder = path.parent.resolve()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # missing folders are created by the scan: the nearest existing one must allow it
    if not folder.is_dir():
        raise WarehouseUnusable(f"{folder} is a file, so the --db path {path} cannot be made: give another --db path")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise WarehouseUnusable(
            f"cannot write in {folder} (the warehouse and its lock file live there): give a --db path in a folder "
            "you can write"
        )
    # A scan writes the file, its write-ahead log and its lock file, all beside it: each that exists must allow it.
    for existing in (path, path.with_name(path.name + ".wal"), lock_path(path)):
        if existing.exists() and not os.access(existing, os.R_OK | os.W_OK):
            raise WarehouseUnusable(
                f"cannot write {existing} (its permissions forbid it): make it writable (chmod u+rw) or give another "
                "--db path; nothing was changed"
            )
    if not path.exists():
        return
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        raise WarehouseUnusable(f"cannot read {path}: {exc.strerror or exc}") from exc
    if head[8:12] != _MAGIC:
        raise WarehouseUnusable(f"{path} is not a DuckDB file (another kind of file, or a damaged one); {_REBUILD}")
    _check_contents(path)


def _check_contents(path: Path) -> None:
    import duckdb

    from rolesignal.warehouse.schema import migrations

    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        message = str(exc)
        if "lock" in message.lower():
            return  # a scan is writing it: the scan lock says so, with its PID
        first = message.splitlines()[0]
        raise WarehouseUnusable(f"{path} cannot be opened as a DuckDB database ({first}); {_REBUILD}") from exc
    with closing(con):
        try:
            tables = {
                r[0]
                for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()
            }
            columns = {
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE table_name = 'schema_migrations'"
                ).fetchall()
            }
            versions = (
                [r[0] for r in con.execute("SELECT version FROM schema_migrations").fetchall()]
                if "schema_migrations" in tables and _OWN_COLUMNS <= columns
                else []
            )
        except duckdb.Error as exc:
            first = str(exc).splitlines()[0]
            raise WarehouseUnusable(f"{path} cannot be read as a DuckDB database ({first}); {_REBUILD}") from exc
    if tables and not ("schema_migrations" in tables and _OWN_COLUMNS <= columns):
        raise WarehouseUnusable(
            f"{path} is a DuckDB database of another program (it has tables but not rolesignal's schema): give "
            "another --db path; nothing was changed"
        )
    newest = migrations()[-1][0]
    if versions and max(versions) > newest:
        raise WarehouseUnusable(
            f"{path} was written by a newer rolesignal (schema version {max(versions)}; this one knows {newest}): "
            "upgrade rolesignal, or give another --db path"
        )
