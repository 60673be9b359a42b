"""`rolesignal review` on real scans: a review follows the content through a rescan, a rename, a rules change and a
remove-and-return; the command's modes, import and export, and their refusals."""

from __future__ import annotations

import re
import shutil
from contextlib import closing
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from rolesignal.flows.cli import cli
from rolesignal.flows.scan import scan_folder
from rolesignal.rules.load import DEFAULT_DIR
from tests.flows.documents import AI_POSTING, ML_POSTING, PLAIN_POSTING


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def query(db: Path, sql: str) -> list[tuple]:
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        return con.execute(sql).fetchall()


def roles(db: Path) -> dict[str, tuple[str, str | None]]:
    return {
        name: (role, reviewed)
        for name, role, reviewed in query(db, "SELECT file_name, role, reviewed_role FROM document_roles")
    }


def strict_rules(tmp_path: Path) -> Path:
    """A rules copy under which nothing is enough evidence: every document becomes 'none'."""
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_DIR, rules, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    scoring = rules / "scoring.yaml"
    text = scoring.read_text().replace("min_total: 1.5", "min_total: 99")
    text = re.sub(r"# BEGIN FITTED MODEL.*# END FITTED MODEL", "", text, flags=re.S)
    scoring.write_text(text.replace("title_prior_confidence: 0.5", ""))
    return rules


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "ai.txt").write_text(AI_POSTING)
    (inbox / "ml.md").write_text(ML_POSTING)
    (inbox / "plain.txt").write_text(PLAIN_POSTING)
    return inbox


def test_a_review_follows_its_content_through_rescan_rename_rules_change_and_return(
    tmp_path: Path, inbox: Path
) -> None:
    db = tmp_path / "w.duckdb"
    scan_folder(str(inbox), str(db))
    code, out = run("review", "ai.txt", "--role", "hybrid", "--note", "needs both", "--by", "ana", "--db", str(db))
    assert code == 0, out
    assert "hybrid (by ana); the tool says ai_developer" in out and "it disagrees" in out
    assert roles(db)["ai.txt"] == ("ai_developer", "hybrid")

    scan_folder(str(inbox), str(db))  # a rescan
    assert roles(db)["ai.txt"] == ("ai_developer", "hybrid")

    (inbox / "sub").mkdir()
    (inbox / "ai.txt").rename(inbox / "sub" / "assistant.txt")  # renamed and moved
    scan_folder(str(inbox), str(db))
    assert "ai.txt" not in roles(db) and roles(db)["assistant.txt"] == ("ai_developer", "hybrid")

    summary = scan_folder(str(inbox), str(db), rules_dir=str(strict_rules(tmp_path)))  # a rules change
    assert summary["reclassified"] == 3
    assert roles(db)["assistant.txt"] == ("none", "hybrid")

    parked = tmp_path / "assistant.txt"
    (inbox / "sub" / "assistant.txt").rename(parked)  # removed ...
    scan_folder(str(inbox), str(db))
    assert "assistant.txt" not in roles(db)
    assert query(db, "SELECT count(*) FROM reviewed_documents") == [(0,)]
    parked.rename(inbox / "back.txt")  # ... and back, under another name
    scan_folder(str(inbox), str(db))
    assert roles(db)["back.txt"] == ("ai_developer", "hybrid")
    assert query(db, "SELECT note, reviews, tool_role_then FROM reviewed_documents") == [
        ("needs both", 1, "ai_developer")
    ]


def test_review_modes_and_refusals(tmp_path: Path, inbox: Path) -> None:
    db = tmp_path / "w.duckdb"
    code, out = run("review", "ai.txt", "--role", "none", "--db", str(db))
    assert code == 1 and "no warehouse at" in out and not db.exists()
    scan_folder(str(inbox), str(db))
    for args, message in [
        ([], "give one of PATH"),
        (["ai.txt"], "either --role ROLE or --clear"),
        (["ai.txt", "--role", "none", "--clear"], "either --role ROLE or --clear"),
        (["ai.txt", "--next"], "give one of PATH"),
        (["--next", "--role", "none"], "--role and --clear go with PATH"),
        (["--export", "x.csv", "--note", "hm"], "--note goes with"),
        (["ai.txt", "--clear", "--note", "hm"], "--note goes with"),
        (["ai.txt", "--role", "none", "--queue", "title_mismatches"], "--queue goes with --next"),
        (["nope.txt", "--role", "none"], "no classified document at nope.txt"),
        (["--next"], "needs a terminal"),
    ]:
        code, out = run("review", *args, "--db", str(db))
        assert code == 2 and message in out, (args, out)
    code, out = run("review", "ai.txt", "--role", "data_scientist", "--db", str(db))
    assert code == 2 and "Invalid value for '--role'" in out
    assert query(db, "SELECT count(*) FROM reviews") == [(0,)]


def test_a_file_renamed_since_the_last_scan_is_found_by_its_content(tmp_path: Path, inbox: Path) -> None:
    db = tmp_path / "w.duckdb"
    scan_folder(str(inbox), str(db))
    moved = tmp_path / "elsewhere.txt"
    (inbox / "ml.md").rename(moved)
    code, out = run("review", str(moved), "--role", "ml_engineer", "--db", str(db))
    assert code == 0, out
    assert roles(db)["ml.md"] == ("ml_engineer", "ml_engineer")


def test_clearing_keeps_the_history_and_the_later_review_wins(tmp_path: Path, inbox: Path) -> None:
    db = tmp_path / "w.duckdb"
    scan_folder(str(inbox), str(db))
    assert run("review", "plain.txt", "--role", "none", "--by", "ana", "--db", str(db))[0] == 0
    code, out = run("review", "plain.txt", "--role", "ai_developer", "--by", "ben", "--db", str(db))
    assert code == 0 and "It replaces the review by ana" in out and "(none); the history keeps both" in out
    assert roles(db)["plain.txt"] == ("none", "ai_developer")
    assert "reviewed as ai_developer (the tool disagrees)" in run("explain", "plain.txt", "--db", str(db))[1]
    code, out = run("review", "plain.txt", "--clear", "--by", "ben", "--db", str(db))
    assert code == 0 and "cleared the review" in out and "(ai_developer by ben)" in out
    code, out = run("review", "plain.txt", "--clear", "--db", str(db))
    assert code == 0 and "has no review to clear" in out
    assert query(db, "SELECT role, reviewed_by FROM reviews ORDER BY review_id") == [
        ("none", "ana"),
        ("ai_developer", "ben"),
        (None, "ben"),
    ]


def test_import_is_all_or_nothing_and_export_reads_back(tmp_path: Path, inbox: Path) -> None:
    db = tmp_path / "w.duckdb"
    scan_folder(str(inbox), str(db))
    bad = tmp_path / "bad.csv"
    bad.write_text("file_name,role,by\nai.txt,ai_developer,ana\nmissing.txt,none,ana\nml.md,ML,ana\nplain.txt,none,\n")
    code, out = run("review", "--import", str(bad), "--db", str(db))
    assert code == 2
    assert "2 problem(s), nothing was imported" in out
    assert "line 3: no current document named missing.txt" in out and "line 4: role 'ML' is not one of" in out
    assert query(db, "SELECT count(*) FROM reviews") == [(0,)]

    good = tmp_path / "good.csv"
    good.write_text("file_name,role,by\nai.txt,ai_developer,ana\nml.md,ML engineer,\nplain.txt,hybrid,\n")
    code, out = run("review", "--import", str(good), "--by", "lead", "--note", "first pass", "--db", str(db))
    assert code == 0 and "imported 3 review(s)" in out and "the tool agrees on 2 of the 3" in out
    assert query(db, "SELECT reviewed_by, note, source FROM reviews ORDER BY path") == [
        ("ana", "first pass", "import"),
        ("lead", "first pass", "import"),
        ("lead", "first pass", "import"),
    ]
    exported = tmp_path / "out" / "reviews.csv"
    code, out = run("review", "--export", str(exported), "--db", str(db))
    assert code == 0 and "exported 3 review(s)" in out
    other = tmp_path / "other.duckdb"
    scan_folder(str(inbox), str(other))
    assert run("review", "--import", str(exported), "--db", str(other))[0] == 0
    assert roles(other) == roles(db)
