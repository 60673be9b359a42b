"""The scan flow end to end through Prefect's engine, into a real DuckDB file."""

from __future__ import annotations

import re
import shutil
from contextlib import closing
from pathlib import Path

import duckdb
import pytest

from rolesignal.flows.scan import scan_folder
from rolesignal.rules.load import DEFAULT_DIR
from tests.flows.documents import write_inbox


def query(db: Path, sql: str) -> list[tuple]:
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        return con.execute(sql).fetchall()


@pytest.fixture
def inbox(tmp_path: Path) -> dict[str, Path]:
    return write_inbox(tmp_path / "inbox")


def test_first_scan_classifies_every_readable_file(tmp_path: Path, inbox: dict[str, Path]) -> None:
    db = tmp_path / "w.duckdb"
    summary = scan_folder(str(inbox["ai"].parent), str(db))
    assert {k: summary[k] for k in ("files_seen", "new", "changed", "unchanged", "removed", "failed")} == {
        "files_seen": 4, "new": 4, "changed": 0, "unchanged": 0, "removed": 0, "failed": 1,
    }  # fmt: skip
    roles = dict(query(db, "SELECT file_name, role FROM document_roles"))
    assert roles == {"ai-engineer.pdf": "ai_developer", "ml-engineer.docx": "ml_engineer", "backend.txt": "none"}
    assert query(db, "SELECT parse_filename(path), error_type FROM ingest_failures") == [("broken.pdf", "corrupt_file")]
    [(flow_run_id, status)] = query(db, "SELECT flow_run_id, status FROM scans")
    assert flow_run_id and status == "completed"


def test_second_scan_reads_nothing(tmp_path: Path, inbox: dict[str, Path]) -> None:
    db = tmp_path / "w.duckdb"
    scan_folder(str(inbox["ai"].parent), str(db))
    before = query(db, "SELECT * FROM classifications ORDER BY content_hash")
    summary = scan_folder(str(inbox["ai"].parent), str(db))
    assert (summary["unchanged"], summary["new"], summary["changed"], summary["failed"]) == (4, 0, 0, 0)
    assert query(db, "SELECT * FROM classifications ORDER BY content_hash") == before
    assert query(db, "SELECT count(*) FROM ingest_failures") == [(1,)]


def test_changed_and_removed_files(tmp_path: Path, inbox: dict[str, Path]) -> None:
    db = tmp_path / "w.duckdb"
    scan_folder(str(inbox["ai"].parent), str(db))
    inbox["plain"].write_text(inbox["plain"].read_text() + "\n- You will fine-tune and train our own models\n")
    inbox["ml"].unlink()
    summary = scan_folder(str(inbox["ai"].parent), str(db))
    assert (summary["changed"], summary["removed"], summary["unchanged"]) == (1, 1, 2)
    assert sorted(r[0] for r in query(db, "SELECT file_name FROM document_roles")) == ["ai-engineer.pdf", "backend.txt"]


def test_moved_file_keeps_results_without_reading(tmp_path: Path, inbox: dict[str, Path]) -> None:
    db = tmp_path / "w.duckdb"
    scan_folder(str(inbox["ai"].parent), str(db))
    inbox["ai"].rename(inbox["ai"].with_name("renamed.pdf"))
    summary = scan_folder(str(inbox["ai"].parent), str(db))
    assert (summary["new"], summary["removed"]) == (1, 1)
    assert query(db, "SELECT role FROM document_roles WHERE file_name = 'renamed.pdf'") == [("ai_developer",)]
    assert query(db, "SELECT count(*) FROM documents") == [(3,)]


def test_rules_change_reclassifies_without_reading(tmp_path: Path, inbox: dict[str, Path]) -> None:
    db = tmp_path / "w.duckdb"
    scan_folder(str(inbox["ai"].parent), str(db))
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_DIR, rules, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    scoring = rules / "scoring.yaml"
    # Nothing is enough evidence any more, and no title may stand in for it.
    text = scoring.read_text().replace("min_total: 1.5", "min_total: 99")
    text = re.sub(r"# BEGIN FITTED MODEL.*# END FITTED MODEL", "", text, flags=re.S)  # the hand rule decides
    scoring.write_text(text.replace("title_prior_confidence: 0.5", ""))
    summary = scan_folder(str(inbox["ai"].parent), str(db), rules_dir=str(rules))
    # nothing was read again: every file unchanged, the three stored documents re-analysed from stored blocks
    assert (summary["unchanged"], summary["new"], summary["changed"], summary["reclassified"]) == (4, 0, 0, 3)
    assert {r[0] for r in query(db, "SELECT role FROM document_roles")} == {"none"}
    versions = query(db, "SELECT DISTINCT rules_version FROM document_roles")
    assert versions == [(summary["rules_version"],)]
