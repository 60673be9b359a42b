"""Migrations apply once, are recorded, and leave every view in place."""

from __future__ import annotations

import duckdb
import pytest

from rolesignal.warehouse import schema
from rolesignal.warehouse.errors import MigrationError
from rolesignal.warehouse.schema import migrate, view_names
from rolesignal.warehouse.store import start_scan, write_batch
from tests.warehouse import factories

TABLES = {
    "blocks",
    "classifications",
    "documents",
    "failures",
    "files",
    "pages",
    "requirements",
    "reviews",
    "scans",
    "schema_migrations",
    "schema_views",
    "signal_hits",
    "signals",
}


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect(config=factories.CONFIG)


def test_migrate_creates_tables_with_comments_and_views(con: duckdb.DuckDBPyConnection) -> None:
    assert migrate(con) == [1, 2, 3, 4, 5, 6, 7, 8]
    tables = dict(con.execute("SELECT table_name, comment FROM duckdb_tables()").fetchall())
    assert set(tables) == TABLES
    assert all(tables[t] for t in TABLES), "every table has a COMMENT"
    views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    assert views == set(view_names())
    applied = con.execute("SELECT version, name FROM schema_migrations").fetchall()
    assert applied == [
        (1, "initial"),
        (2, "scan_interrupted"),
        (3, "schema_views"),
        (4, "decided_by"),
        (5, "evidence_source"),
        (6, "reviews"),
        (7, "reader_version"),
        (8, "other_work"),
    ]


def test_migrate_twice_is_a_noop(con: duckdb.DuckDBPyConnection) -> None:
    migrate(con)
    scan_id = start_scan(con, factories.ROOT, None, factories.RULES_V1)
    write_batch(con, scan_id, [factories.processed("a")], [factories.failed(f"{factories.ROOT}/x.pdf")], [])
    before = factories.table_contents(con)
    assert migrate(con) == []
    assert factories.table_contents(con) == before
    assert con.execute("SELECT count(*) FROM document_roles").fetchall() == [(1,)]


def _view_sql(con: duckdb.DuckDBPyConnection, name: str) -> str:
    return con.execute("SELECT sql FROM duckdb_views() WHERE view_name = ?", [name]).fetchall()[0][0]


def test_views_are_created_again_only_when_a_file_changed_or_a_view_is_missing(
    con: duckdb.DuckDBPyConnection, tmp_path, monkeypatch
) -> None:
    for path in schema.VIEWS_DIR.glob("*.sql"):
        (tmp_path / path.name).write_text(path.read_text())
    monkeypatch.setattr(schema, "VIEWS_DIR", tmp_path)
    migrate(con)
    created = con.execute("SELECT name, created_at FROM schema_views ORDER BY name").fetchall()
    assert [name for name, _ in created] == view_names()
    migrate(con)
    assert con.execute("SELECT name, created_at FROM schema_views ORDER BY name").fetchall() == created

    (tmp_path / "title_mismatches.sql").write_text("CREATE OR REPLACE VIEW title_mismatches AS SELECT 42 AS answer;")
    migrate(con)
    assert con.execute("SELECT * FROM title_mismatches").fetchall() == [(42,)]

    con.execute("DROP VIEW role_summary")
    migrate(con)
    assert "document_roles" in _view_sql(con, "role_summary")


def test_view_names_come_from_files() -> None:
    assert view_names() == [
        "coverage_gaps",
        "document_requirements",
        "document_roles",
        "failure_summary",
        "ingest_failures",
        "requirement_search",
        "review_agreement",
        "review_queue",
        "reviewed_documents",
        "role_by_folder",
        "role_by_month",
        "role_summary",
        "scan_history",
        "signal_evidence",
        "signal_frequency",
        "title_mismatches",
    ]


def test_every_view_is_described() -> None:
    descriptions = schema.view_descriptions()
    assert list(descriptions) == view_names()
    assert descriptions["role_summary"].startswith("the default report")
    assert all(len(text) > 20 for text in descriptions.values())


def test_newer_database_is_refused(con: duckdb.DuckDBPyConnection) -> None:
    migrate(con)
    con.execute("INSERT INTO schema_migrations VALUES (999, 'future', now())")
    with pytest.raises(MigrationError, match="newer"):
        migrate(con)


def test_failing_migration_rolls_back(con: duckdb.DuckDBPyConnection, tmp_path, monkeypatch) -> None:
    (tmp_path / "001_initial.sql").write_text(schema.MIGRATIONS_DIR.joinpath("001_initial.sql").read_text())
    (tmp_path / "002_broken.sql").write_text("CREATE TABLE half_done (a INTEGER); SELECT * FROM no_such_table;")
    monkeypatch.setattr(schema, "MIGRATIONS_DIR", tmp_path)
    with pytest.raises(MigrationError, match="002_broken.sql"):
        migrate(con)
    assert con.execute("SELECT version FROM schema_migrations").fetchall() == [(1,)]
    assert not con.execute("SELECT * FROM duckdb_tables() WHERE table_name = 'half_done'").fetchall()


def test_badly_named_migration_is_refused(tmp_path, monkeypatch) -> None:
    (tmp_path / "initial.sql").write_text("SELECT 1")
    monkeypatch.setattr(schema, "MIGRATIONS_DIR", tmp_path)
    with pytest.raises(MigrationError, match="NNN_name"):
        schema.migrations()
