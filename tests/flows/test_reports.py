"""Every report on the warehouse of a real scan, in every format; filters, Parquet export and the HTML page."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from rolesignal.flows.cli import cli
from rolesignal.warehouse.schema import view_names
from tests.flows.documents import write_inbox

# The title says ML engineer; the stated work is application-layer (a title mismatch).
MISMATCH_POSTING = """# Machine Learning Engineer

## Responsibilities
- Integrate LLM APIs (OpenAI GPT-4o and Anthropic Claude) into our support portal
- Build a RAG pipeline with embeddings and a vector database over our help articles
- Build agents with tool calling that update Salesforce records

## Requirements
- 3+ years of Python
"""


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scan of the test postings, a title mismatch and an archive subfolder whose files date from March 2024."""
    root = tmp_path_factory.mktemp("reports")
    inbox = root / "inbox"
    write_inbox(inbox)
    (inbox / "ml-title-llm-work.md").write_text(MISMATCH_POSTING, encoding="utf-8")
    archive = inbox / "archive"
    archive.mkdir()
    (archive / "old-mismatch.md").write_text(MISMATCH_POSTING.replace("our support portal", "our intranet"))
    march = dt.datetime(2024, 3, 15, tzinfo=dt.UTC).timestamp()
    os.utime(archive / "old-mismatch.md", (march, march))
    path = root / "w.duckdb"
    result = CliRunner().invoke(cli, ["scan", str(inbox), "--db", str(path)])
    assert result.exit_code == 0, result.output
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def count(db: Path, query: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(query).fetchone()[0]


def columns(db: Path, name: str) -> list[str]:
    """The view's column names, as DuckDB reports them."""
    with duckdb.connect(str(db), read_only=True) as con:
        return [c[0] for c in con.execute(f"SELECT * FROM {name} LIMIT 0").description]


@pytest.mark.parametrize("name", view_names())
def test_every_report_in_every_format(db: Path, name: str) -> None:
    expected = count(db, f"SELECT count(*) FROM {name}")
    code, out = run("report", name, "--db", str(db), "--format", "json")
    assert code == 0, out
    records = json.loads(out)
    assert len(records) == expected
    code, out = run("report", name, "--db", str(db), "--format", "csv")
    assert code == 0, out
    parsed = list(csv.reader(io.StringIO(out)))
    assert len(parsed) == expected + 1
    # The header is checked for an empty view too (its JSON has no record to take the names from).
    assert parsed[0] == columns(db, name)
    assert all(list(record) == parsed[0] for record in records)
    code, out = run("report", name, "--db", str(db), "--format", "markdown")
    assert code == 0 and out.startswith("| ") and len(out.splitlines()) == expected + 2
    code, out = run("report", name, "--db", str(db))
    assert code == 0 and name in out


def test_reports_show_the_scan(db: Path) -> None:
    code, out = run("report", "role_by_folder", "--db", str(db), "--format", "json")
    folders = {r["folder"]: r for r in json.loads(out)}
    assert set(folders) == {".", "archive"}
    assert (folders["."]["documents"], folders["."]["failed"], folders["archive"]["ai_developer"]) == (4, 1, 1)
    code, out = run("report", "role_by_month", "--db", str(db), "--format", "json", "--where", "basis='file_modified'")
    months = {r["month"]: r["documents"] for r in json.loads(out)}
    assert months["2024-03-01"] == 1 and sum(months.values()) == 5
    code, out = run("report", "title_mismatches", "--db", str(db), "--format", "json")
    assert {(r["file_name"], r["title_role"], r["role"]) for r in json.loads(out)} == {
        ("ml-title-llm-work.md", "ml_engineer", "ai_developer"),
        ("old-mismatch.md", "ml_engineer", "ai_developer"),
    }
    code, out = run("report", "signal_frequency", "--db", str(db), "--format", "json", "--where", "signal_id='ai.rag'")
    (rag,) = json.loads(out)
    assert (rag["side"], rag["documents"], rag["share"]) == ("ai", 3, 0.6)


def test_where_and_limit(db: Path) -> None:
    code, out = run("report", "document_roles", "--db", str(db), "--format", "json", "--where", "role = 'ml_engineer'")
    assert code == 0 and [r["file_name"] for r in json.loads(out)] == ["ml-engineer.docx"]
    code, out = run("report", "requirement_search", "--db", str(db), "--format", "csv", "--limit", "2")
    assert code == 0 and len(out.splitlines()) == 3
    code, out = run("report", "document_roles", "--db", str(db), "--where", "1=1; DELETE FROM files")
    assert code == 2 and "';' is not allowed" in out
    code, out = run("report", "document_roles", "--db", str(db), "--where", "no_such_column = 1")
    assert code == 2 and "no_such_column" in out
    code, out = run("report", "document_roles", "--db", str(db), "--limit", "-1")
    assert code == 2


def test_search_defaults_to_requirements(db: Path) -> None:
    code, out = run("report", "--search", "vector database", "--db", str(db), "--format", "json")
    assert code == 0
    found = json.loads(out)
    assert {r["file_name"] for r in found} == {"ai-engineer.pdf", "ml-title-llm-work.md", "old-mismatch.md"}
    assert all("ai.rag" in r["signal_ids"] for r in found)


def test_list_names_search_columns(db: Path) -> None:
    code, out = run("report", "--list", "--format", "json")
    listed = {r["report"]: r for r in json.loads(out)}
    assert set(listed) == set(view_names())
    assert listed["requirement_search"]["search"] == "text" and listed["review_queue"]["what it shows"]


def test_export_writes_one_parquet_per_view(db: Path, tmp_path: Path) -> None:
    code, out = run("export", str(tmp_path / "bi"), "--db", str(db))
    assert code == 0, out
    files = sorted((tmp_path / "bi").glob("*.parquet"))
    assert [f.stem for f in files] == view_names()
    for file in files:
        assert file.name in out
        rows = duckdb.sql(f"SELECT count(*) FROM read_parquet('{file}')").fetchall()[0][0]
        assert rows == count(db, f"SELECT count(*) FROM {file.stem}"), file.stem


def test_html_page_is_self_contained(db: Path, tmp_path: Path) -> None:
    page_path = tmp_path / "out" / "report.html"
    code, out = run("report", "--html", str(page_path), "--db", str(db))
    assert code == 0 and str(page_path) in out
    page = page_path.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc\s*=\s*[\"']?(https?:)?//", page, re.IGNORECASE)
    assert not re.search(r"<link[^>]*href\s*=\s*[\"']?(https?:)?//", page, re.IGNORECASE)
    assert "plotly.js v" in page and page.count("Plotly.newPlot") >= 6  # the library inline, then every chart
    for data in ("ai_developer", "ml_engineer", "2024-03", "archive", "ai.rag", "retrieval-augmented generation"):
        assert data in page, data
    assert "ml-title-llm-work.md" in page and "Title mismatches (2)" in page
    assert re.search(r"finished \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", page)  # to the second


def test_html_labels_name_the_top_folder_and_count_documents_in_words() -> None:
    from rolesignal.flows.html_report import documents, folder_label

    assert folder_label("/data/inbox", ".", whole_root=False) == "inbox"  # not ".", which a chart barely shows
    assert folder_label("/data/inbox", "archive/2024", whole_root=False) == "inbox/archive/2024"
    assert folder_label("/data/inbox", ".", whole_root=True) == "/data/inbox"
    assert [documents(n) for n in (1, 2)] == ["1 doc", "2 docs"]


def test_html_page_shows_the_agreement_with_reviewers(db: Path, tmp_path: Path) -> None:
    reviewed = tmp_path / "reviewed.duckdb"
    shutil.copy(db, reviewed)
    page_path = tmp_path / "report.html"
    assert run("report", "--html", str(page_path), "--db", str(reviewed))[0] == 0
    assert "No reviews yet: rolesignal review --next" in page_path.read_text(encoding="utf-8")
    assert run("review", "backend.txt", "--role", "ai_developer", "--by", "ana", "--db", str(reviewed))[0] == 0
    assert run("review", "ai-engineer.pdf", "--role", "ai_developer", "--db", str(reviewed))[0] == 0
    assert run("report", "--html", str(page_path), "--db", str(reviewed))[0] == 0
    page = page_path.read_text(encoding="utf-8")
    assert "Agreement with reviewers per rules version" in page and "1 of 2" in page  # the bar's text
    assert "Where the tool and reviewers disagree (1)" in page and "backend.txt" in page
    assert '<div class="n">1/2</div><div class="what">reviewed documents the tool agrees on</div>' in page


def test_missing_warehouse(tmp_path: Path) -> None:
    for args in (["report"], ["report", "--html", str(tmp_path / "r.html")], ["export", str(tmp_path / "x")]):
        code, out = run(*args, "--db", str(tmp_path / "none.duckdb"))
        assert code == 1 and "no warehouse" in out
