"""The shipped examples: scanning examples/inbox gives exactly the roles examples/expected.csv promises."""

from __future__ import annotations

import csv
from contextlib import closing
from pathlib import Path

import duckdb

from rolesignal.flows.scan import scan_folder

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_scanning_the_example_inbox_gives_expected_csv(tmp_path: Path) -> None:
    """Every example file, through the real flow into DuckDB, has the role, kind and title mismatch of the CSV."""
    with (EXAMPLES / "expected.csv").open(newline="", encoding="utf-8") as fh:
        expected = sorted(csv.DictReader(fh), key=lambda row: row["file"])
    db = tmp_path / "examples.duckdb"
    scan_folder(str(EXAMPLES / "inbox"), str(db))
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        rows = con.execute("SELECT file_name, role, doc_kind, title_mismatch FROM document_roles").fetchall()
    found = sorted(
        (
            {"file": f, "role": role, "doc_kind": kind, "title_mismatch": str(mismatch).lower()}
            for f, role, kind, mismatch in rows
        ),
        key=lambda row: row["file"],
    )
    # A file the CSV names but the scan failed on, or one the CSV forgot, makes the lists differ too.
    assert found == expected
