"""What a scan must never do: follow links out of the folder, hang on link loops, resolve XML external entities,
read hidden or office lock files."""

from __future__ import annotations

import os
from contextlib import closing
from pathlib import Path

import duckdb

from rolesignal.flows.scan import scan_folder
from tests.flows import hostile
from tests.flows.documents import PLAIN_POSTING

SECRET = "TOPSECRET-7f3a9"


def query(db: Path, sql: str) -> list[tuple]:
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        return con.execute(sql).fetchall()


def test_scan_stays_inside_the_folder_and_reads_no_entities(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_text(f"# {SECRET}\n\n- Train our own models\n")
    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    (inbox / "posting.txt").write_text(PLAIN_POSTING)
    (inbox / "xxe.docx").write_bytes(hostile.docx_with_external_entity(secret))
    os.symlink(secret, inbox / "link-to-secret.txt")
    os.symlink(outside, inbox / "link-to-outside")
    os.symlink(inbox, inbox / "sub" / "loop")  # a link loop back to the top
    os.symlink(inbox / "posting.txt", inbox / "sub" / "inner-link.txt")  # inside: the same file, once
    (inbox / ".hidden.txt").write_text(PLAIN_POSTING + "hidden")
    (inbox / "~$posting.docx").write_bytes(b"\x00lock")
    (inbox / ".git").mkdir()
    (inbox / ".git" / "notes.txt").write_text(PLAIN_POSTING + "git")
    db = tmp_path / "w.duckdb"
    summary = scan_folder(str(inbox), str(db))
    assert (summary["files_seen"], summary["failed"]) == (2, 0)
    assert sorted(r[0] for r in query(db, "SELECT file_name FROM document_roles")) == ["posting.txt", "xxe.docx"]
    assert query(db, "SELECT count(*) FROM files WHERE NOT starts_with(path, '" + str(inbox.resolve()) + "/')") == [
        (0,)
    ]
    [(text,)] = query(db, "SELECT text FROM documents WHERE text LIKE '%RAG pipelines%'")
    assert text == "Build RAG pipelines on the OpenAI API for our support team.\nLeak:"
    for table in ("documents", "blocks", "requirements", "signal_hits", "files"):
        rows = query(db, f"SELECT * FROM {table}")
        assert not any(SECRET in str(value) for row in rows for value in row), table
