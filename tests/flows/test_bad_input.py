"""Every kind of bad file next to good ones, through the real flow once: each failure is recorded with a type and a
message a person can act on, a file that hangs the reader is stopped, and every good file is classified."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import duckdb
import pytest

from benchmarks.render import blocks_from_text, render_docx
from rolesignal.flows.scan import scan_folder
from tests.flows import hostile
from tests.flows.documents import ML_POSTING, PLAIN_POSTING

CP1252_POSTING = "# Data Engineer – Café Chain\n\n## Requirements\n- Résumé with 3+ years of SQL\n- Build dbt models\n"

# file name → (error_type, words the message must contain)
EXPECTED_FAILURES = {
    "empty.pdf": ("empty_file", "the file is empty (0 bytes): check the upload or export"),
    "truncated.pdf": ("corrupt_file", "damaged or truncated PDF"),
    "random.pdf": ("corrupt_file", "not a PDF: the file starts with"),
    "random-with-header.pdf": ("corrupt_file", "damaged or truncated PDF"),
    "page.pdf": ("corrupt_file", "not a PDF: the file starts with '<!DOCTYPE html>"),
    "encrypted.pdf": ("encrypted", "encrypted PDF: remove the password or supply an unencrypted copy"),
    "scanned.pdf": ("no_text_layer", "no text layer (scanned?): run OCR first"),
    "slow.pdf": ("timeout", "reading took longer than 2 s and was stopped"),
    "random.docx": ("corrupt_file", "not a valid .docx (not a zip archive): re-save it from Word"),
    "no-document.docx": ("corrupt_file", "not a valid .docx (no word/document.xml): re-save it from Word"),
    "bomb.docx": ("corrupt_file", "declares 11 MB uncompressed: refusing (zip bomb?)"),
    "old.doc": ("unsupported_format", "legacy .doc: convert to .docx"),
    "binary.txt": ("corrupt_file", "binary data, not text: check the file type"),
}
GOOD = {"ai.pdf": "ai_developer", "ml.docx": "ml_engineer", "plain.md": "none", "cp1252.txt": "none"}


def build_folder(folder: Path) -> None:
    folder.mkdir()
    good_pdf = hostile.text_pdf(folder / "ai.pdf")
    render_docx(blocks_from_text(ML_POSTING), folder / "ml.docx")
    (folder / "plain.md").write_text(PLAIN_POSTING, encoding="utf-8")
    (folder / "cp1252.txt").write_bytes(CP1252_POSTING.encode("cp1252"))
    hostile_files = {
        "empty.pdf": b"",
        "truncated.pdf": good_pdf[:300],
        "random.pdf": hostile.random_bytes(4096, seed=1),
        "random-with-header.pdf": b"%PDF-1.7\n" + hostile.random_bytes(4096, seed=2),
        "page.pdf": b"<!DOCTYPE html><html><body>Not found</body></html>",
        "encrypted.pdf": hostile.encrypted_pdf(good_pdf),
        "scanned.pdf": hostile.scanned_pdf(),
        "slow.pdf": hostile.slow_pdf(),
        "random.docx": hostile.random_bytes(4096, seed=3),
        "no-document.docx": hostile.replace_part(hostile.docx_bytes("text"), "word/document.xml", None),
        "bomb.docx": hostile.docx_bomb(),
        "old.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
        "binary.txt": bytes(range(256)) * 8,
    }
    for name, data in hostile_files.items():
        (folder / name).write_bytes(data)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("bad")
    build_folder(root / "inbox")
    db = root / "w.duckdb"
    return db, scan_folder(str(root / "inbox"), str(db), file_timeout=2.0)


def query(db: Path, sql: str) -> list[tuple]:
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        return con.execute(sql).fetchall()


def test_every_bad_file_is_recorded_with_an_actionable_message(scanned: tuple[Path, dict]) -> None:
    db, summary = scanned
    rows = query(db, "SELECT file_name, error_type, message FROM ingest_failures")
    found = {name: (kind, message) for name, kind, message in rows}
    assert set(found) == set(EXPECTED_FAILURES)
    for name, (kind, words) in EXPECTED_FAILURES.items():
        assert found[name][0] == kind, name
        assert words in found[name][1], (name, found[name][1])
    assert (summary["files_seen"], summary["failed"]) == (len(GOOD) + len(EXPECTED_FAILURES), len(EXPECTED_FAILURES))


def test_every_good_file_is_classified(scanned: tuple[Path, dict]) -> None:
    db, summary = scanned
    assert dict(query(db, "SELECT file_name, role FROM document_roles")) == GOOD
    assert summary["roles"] == {"ai_developer": 1, "ml_engineer": 1, "none": 2}
    [(text,)] = query(
        db, "SELECT d.text FROM documents AS d JOIN files AS f USING (content_hash) WHERE f.file_name = 'cp1252.txt'"
    )
    assert "Café Chain" in text and "Résumé" in text


def test_failures_are_not_read_again_unless_asked(scanned: tuple[Path, dict]) -> None:
    db, _ = scanned
    inbox = db.parent / "inbox"
    again = scan_folder(str(inbox), str(db), file_timeout=2.0)
    assert (again["unchanged"], again["new"], again["changed"], again["failed"]) == (17, 0, 0, 0)
    assert len(query(db, "SELECT * FROM ingest_failures")) == len(EXPECTED_FAILURES)
    (inbox / "binary.txt").write_text("Now a real posting.\n\n## Requirements\n- Write SQL\n")
    retried = scan_folder(str(inbox), str(db), file_timeout=2.0, retry_failed=True)
    assert (retried["changed"], retried["failed"]) == (len(EXPECTED_FAILURES), len(EXPECTED_FAILURES) - 1)
    assert "binary.txt" in {r[0] for r in query(db, "SELECT file_name FROM document_roles")}
