"""`rolesignal sql` runs one reading statement on a locked-down connection: nothing outside the warehouse is touched."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from rolesignal.warehouse.reports import ReportError, run_query


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE files (path VARCHAR, size INTEGER)")
    con.execute("INSERT INTO files VALUES ('/a.pdf', 10), ('/b.txt', 20)")
    return con


@pytest.mark.parametrize(
    "query",
    [
        "SELECT count(*) FROM files",
        "WITH f AS (SELECT * FROM files) SELECT max(size) FROM f",
        "FROM files",
        "DESCRIBE files",
        "SHOW TABLES",
        "SUMMARIZE files",
        "EXPLAIN SELECT * FROM files",
        "PRAGMA table_info('files')",
    ],
)
def test_reading_statements_run(con: duckdb.DuckDBPyConnection, query: str) -> None:
    assert run_query(con, query).fetchall()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("COPY files TO '{tmp}/out.csv'", "not COPY"),
        ("ATTACH '{tmp}/other.duckdb' (READ_WRITE)", "not ATTACH"),
        ("INSTALL httpfs", "not LOAD"),
        ("LOAD httpfs", "not LOAD"),
        ("DELETE FROM files", "not DELETE"),
        ("CREATE TABLE t AS SELECT 1", "not CREATE"),
        ("SET enable_external_access = true", "not SET"),
        ("SELECT 1; DELETE FROM files", "one statement at a time, not 2"),
        ("SELECT * FROM read_csv('{tmp}/secret.csv')", "file system operations are disabled"),
        ("SELECT * FROM read_text('{tmp}/secret.csv')", "file system operations are disabled"),
        ("SELECT * FROM glob('{tmp}/*')", "file system operations are disabled"),
        ("SELECT * FROM '{tmp}/secret.csv'", "file system operations are disabled"),
        ("PRAGMA enable_profiling", "configuration has been locked"),
    ],
)
def test_nothing_outside_the_warehouse_is_read_or_written(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, query: str, message: str
) -> None:
    (tmp_path / "secret.csv").write_text("a\n1\n")
    with pytest.raises(ReportError, match=message):
        run_query(con, query.format(tmp=tmp_path)).fetchall()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.csv"]
    assert con.execute("SELECT count(*) FROM files").fetchone() == (2,)
