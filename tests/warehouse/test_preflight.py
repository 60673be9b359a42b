"""The warehouse path is checked before any work: each unusable --db is one sentence, and nothing is changed."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from rolesignal.warehouse.preflight import WarehouseUnusable, check_warehouse
from rolesignal.warehouse.schema import migrate


def test_a_new_path_and_a_rolesignal_warehouse_pass(tmp_path: Path) -> None:
    check_warehouse(tmp_path / "new" / "deeper" / "w.duckdb")  # missing folders are created by the scan
    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    migrate(con)
    con.close()
    check_warehouse(db)


def other_program(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE customers (id INTEGER)")
    con.close()


def other_migrations(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_migrations (id INTEGER, note VARCHAR)")
    con.close()


def newer_schema(path: Path) -> None:
    con = duckdb.connect(str(path))
    migrate(con)
    con.execute("INSERT INTO schema_migrations VALUES (999, 'from_the_future', now())")
    con.close()


def truncated(path: Path) -> None:
    con = duckdb.connect(str(path))
    migrate(con)
    con.close()
    data = path.read_bytes()
    path.write_bytes(data[:16_384])  # the headers survive, the blocks they point to do not


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("name,role\nx,y\n"), "is not a DuckDB file"),
        (lambda p: p.write_bytes(b""), "is not a DuckDB file"),
        (other_program, "is a DuckDB database of another program"),
        (other_migrations, "is a DuckDB database of another program"),
        (newer_schema, "was written by a newer rolesignal (schema version 999"),
        (truncated, "cannot be opened as a DuckDB database"),
        (lambda p: p.mkdir(), "is a folder, not a warehouse file"),
    ],
)
def test_an_unusable_warehouse_is_one_sentence_and_left_as_it_was(tmp_path: Path, make, message: str) -> None:  # noqa: ANN001
    db = tmp_path / "w.duckdb"
    make(db)
    before = db.read_bytes() if db.is_file() else None
    with pytest.raises(WarehouseUnusable, match=re.escape(message)) as info:
        check_warehouse(db)
    assert "\n" not in str(info.value)
    assert (db.read_bytes() if db.is_file() else None) == before


def test_a_path_through_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(WarehouseUnusable, match="is a file, so the --db path"):
        check_warehouse(tmp_path / "a-file" / "w.duckdb")
