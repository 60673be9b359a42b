"""Report views on hand-built batches, view creation order, and report queries with filters."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pytest

from rolesignal.warehouse import schema
from rolesignal.warehouse.errors import MigrationError
from rolesignal.warehouse.reports import (
    SEARCH_COLUMNS,
    ReportError,
    export_parquet,
    fetch_report,
    lock_down,
    report_query,
    reports,
)
from rolesignal.warehouse.store import start_scan, write_batch
from rolesignal.warehouse.types import Processed
from tests.warehouse import factories

ROOT = factories.ROOT
# The views added for people to read (the contract views document their columns in the contract's own words).
REPORT_VIEWS = {
    "coverage_gaps",
    "failure_summary",
    "requirement_search",
    "review_queue",
    "role_by_folder",
    "role_by_month",
    "signal_frequency",
    "title_mismatches",
}


def march_2024() -> int:
    return int(dt.datetime(2024, 3, 15, tzinfo=dt.UTC).timestamp() * 1e9)


def processed_at(seed: str, path: str, role: str, mtime_ns: int = 1_000) -> Processed:
    doc = factories.document(seed, path)
    return Processed(factories.seen(doc, mtime_ns=mtime_ns), doc, factories.analysis(doc, role=role))


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = factories.new_warehouse()
    con.executemany(
        "INSERT INTO signals VALUES (?, ?, ?, ?, ?, ?)",
        [(s["id"], s["side"], s["weight"], s["label"], s["guide_passage"], "v1") for s in factories.CATALOGUE],
    )
    scan_id = start_scan(con, ROOT, None, factories.RULES_V1)
    batch = [
        processed_at("a", f"{ROOT}/a.txt", "hybrid"),
        processed_at("b", f"{ROOT}/archive/2024/b.txt", "ml_engineer", march_2024()),
        processed_at("c", f"{ROOT}/archive/2024/c.txt", "ai_developer", march_2024()),
    ]
    write_batch(con, scan_id, batch, [factories.failed(f"{ROOT}/archive/x.pdf")], [])
    return con


def rows(con: duckdb.DuckDBPyConnection, query: str) -> list[tuple]:
    return con.execute(query).fetchall()


def test_views_are_created_after_the_views_they_select_from() -> None:
    order = schema.view_order()
    assert sorted(order) == schema.view_names()
    assert order.index("document_roles") < order.index("role_summary") < len(order)
    assert order.index("document_requirements") < order.index("coverage_gaps")
    assert order.index("signal_evidence") < order.index("signal_frequency")


def test_a_cycle_between_views_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a_view.sql").write_text("-- a_view: x\nCREATE VIEW a_view AS SELECT * FROM b_view\n")
    (tmp_path / "b_view.sql").write_text("-- b_view: x\nCREATE VIEW b_view AS SELECT * FROM a_view\n")
    monkeypatch.setattr(schema, "VIEWS_DIR", tmp_path)
    with pytest.raises(MigrationError, match="cycle"):
        schema.view_order()


@pytest.mark.parametrize("view", sorted(REPORT_VIEWS))
def test_report_views_document_every_column(con: duckdb.DuckDBPyConnection, view: str) -> None:
    text = (schema.VIEWS_DIR / f"{view}.sql").read_text(encoding="utf-8")
    header = " ".join(line for line in text.splitlines() if line.startswith("--"))
    columns = [d[0] for d in con.execute(f"SELECT * FROM {view} LIMIT 0").description]
    undocumented = [c for c in columns if not re.search(rf"\b{c}\b", header)]
    assert undocumented == []
    assert text.splitlines()[0].startswith(f"-- {view}: ")
    assert "final AS (" in text and text.rstrip().endswith("SELECT * FROM final")


def test_role_by_folder_is_relative_to_the_root(con: duckdb.DuckDBPyConnection) -> None:
    got = rows(con, "SELECT folder, documents, ml_engineer, ai_developer, hybrid, failed FROM role_by_folder")
    assert got == [(".", 1, 0, 0, 1, 0), ("archive", 0, 0, 0, 0, 1), ("archive/2024", 2, 1, 1, 0, 0)]


def test_role_by_month_groups_by_file_time_and_first_scan(con: duckdb.DuckDBPyConnection) -> None:
    got = rows(con, "SELECT basis, month, documents FROM role_by_month")
    this_month = dt.datetime.now(dt.UTC).date().replace(day=1)
    assert got == [
        ("file_modified", dt.date(1970, 1, 1), 1),
        ("file_modified", dt.date(2024, 3, 1), 2),
        ("first_scanned", this_month, 3),
    ]


def test_review_queue_holds_hybrid_and_low_confidence(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("UPDATE classifications SET confidence = 0.4 WHERE content_hash = ?", [factories.content_hash("b")])
    got = rows(con, "SELECT file_name, role, confidence, reason, requirements, unmatched FROM review_queue")
    assert got == [("b.txt", "ml_engineer", 0.4, "low confidence", 3, 1), ("a.txt", "hybrid", 0.75, "hybrid", 3, 1)]


def test_review_queue_leaves_out_what_a_person_reviewed_until_the_review_is_cleared(
    con: duckdb.DuckDBPyConnection,
) -> None:
    from rolesignal.warehouse.reviews import record_review

    record_review(con, factories.content_hash("a"), "hybrid", by="ana")
    assert rows(con, "SELECT file_name FROM review_queue") == []
    record_review(con, factories.content_hash("a"), None, by="ana")
    assert rows(con, "SELECT file_name FROM review_queue") == [("a.txt",)]


def test_title_mismatches(con: duckdb.DuckDBPyConnection) -> None:
    got = rows(con, "SELECT file_name, title_role, role FROM title_mismatches ORDER BY file_name")
    assert got == [("a.txt", "ml_engineer", "hybrid"), ("c.txt", "ml_engineer", "ai_developer")]


def test_signal_frequency_counts_documents_and_share(con: duckdb.DuckDBPyConnection) -> None:
    got = rows(con, "SELECT side, signal_id, documents, share, requirements, hits FROM signal_frequency")
    assert got == [
        ("ai", "ai.llm_api", 3, 1.0, 3, 3),
        ("ml", "ml.eval", 3, 1.0, 3, 3),
        ("ml", "ml.train", 3, 1.0, 3, 3),
    ]


def test_coverage_gaps_normalise_and_count_documents(con: duckdb.DuckDBPyConnection) -> None:
    got = rows(con, "SELECT requirement, documents, occurrences, strengths, example FROM coverage_gaps")
    assert got == [("evaluate models, not just prompts", 3, 3, ["required"], "Evaluate models, not just prompts")]


def test_failure_summary(con: duckdb.DuckDBPyConnection) -> None:
    got = rows(con, "SELECT error_type, files, file_types FROM failure_summary")
    assert got == [("encrypted_pdf", 1, ["pdf"])]


def test_where_limit_and_search(con: duckdb.DuckDBPyConnection) -> None:
    lock_down(con)
    columns, got = fetch_report(con, "document_roles", where="role <> 'hybrid'", limit=1)
    assert columns[0] == "path" and len(got) == 1
    _, got = fetch_report(con, "requirement_search", search="EVAL prompt")
    assert {r[7] for r in got} == {"Evaluate models, not just prompts"}
    _, got = fetch_report(con, "requirement_search", search="val")  # words match at a word start only
    assert got == []
    _, got = fetch_report(con, "requirement_search", search="100%_")
    assert got == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"where": "1=1; DROP TABLE files"}, "';' is not allowed"),
        ({"where": "  "}, "needs a condition"),
        ({"search": "x", "name": "role_summary"}, "does not apply to role_summary"),
        ({"limit": -1}, "0 or more"),
        ({"name": "nope"}, "no report named 'nope'"),
    ],
)
def test_bad_requests_are_refused(kwargs: dict, message: str) -> None:
    name = kwargs.pop("name", "document_roles")
    with pytest.raises(ReportError, match=message):
        report_query(name, **kwargs)


def test_where_cannot_touch_files(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    lock_down(con)
    with pytest.raises(ReportError, match="disabled"):
        fetch_report(con, "document_roles", where=f"path IN (SELECT a::VARCHAR FROM read_csv('{secret}'))")


def test_a_warehouse_without_the_view_says_to_scan(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    con.execute("DROP VIEW title_mismatches")
    with pytest.raises(ReportError, match="next `rolesignal scan`"):
        fetch_report(con, "title_mismatches")
    with pytest.raises(ReportError, match="title_mismatches"):
        export_parquet(con, tmp_path)


def test_every_report_is_listed_with_its_search_column() -> None:
    listed = reports()
    assert list(listed) == schema.view_names()
    assert set(SEARCH_COLUMNS) <= set(listed)
    assert listed["requirement_search"].search_column == "text"
