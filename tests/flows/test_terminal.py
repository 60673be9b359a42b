"""Tables in a terminal: the columns per report, paths relative to the scanned folder, widths that fit, text cut with an
ellipsis and never folded into narrow columns; csv, json and --wide keep everything."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from rolesignal.flows.cli import cli
from rolesignal.flows.output import render
from rolesignal.flows.terminal import TERMINAL_COLUMNS, fit_widths, path_base, shorten, terminal_table
from rolesignal.warehouse.connect import CONFIG
from rolesignal.warehouse.schema import migrate, view_names
from tests.flows.documents import write_inbox

LONG_TITLE = "Senior Machine Learning Platform Engineer, Models, Features, Serving and Evaluation - Globex Legal"


def test_columns_keep_their_natural_width_when_the_table_fits() -> None:
    assert fit_widths(["a", "bb"], [["xxx", "y"]], 80) == [3, 2]


def test_wide_text_columns_share_what_numbers_and_narrow_columns_leave() -> None:
    headers = ["path", "title", "role", "confidence"]
    cells = [["p" * 60, "t" * 90, "ai_developer", "0.95"]]
    widths = fit_widths(headers, cells, 120, fixed=[3])
    assert widths is not None and sum(widths) + 3 * len(headers) + 1 == 120
    assert widths[2:] == [12, 10]  # kept whole: "confidence" is never folded into "confide" / "nce"
    assert abs(widths[0] - widths[1]) <= 1  # the two long columns share the rest


def test_too_many_columns_for_the_terminal_gives_none() -> None:
    headers = [f"column_number_{i}" for i in range(10)]
    assert fit_widths(headers, [["x" * 20] * 10], 120) is None


@pytest.mark.parametrize(
    ("text", "width", "keep_end", "expected"),
    [
        ("short", 10, False, "short"),
        ("a long title here", 8, False, "a long …"),
        ("deep/folder/file.pdf", 10, True, "…/file.pdf"),
        ("日本語のタイトル", 7, False, "日本語…"),  # two cells a character: never more than the width
    ],
)
def test_shorten_cuts_to_the_width_with_an_ellipsis(text: str, width: int, keep_end: bool, expected: str) -> None:
    assert shorten(text, width, keep_end) == expected


def test_paths_are_shown_relative_to_their_scanned_root() -> None:
    roots = ["/data/inbox", "/data/archive", "/data/inbox/sub"]
    assert path_base(["/data/inbox/a.pdf", "/data/inbox/sub/b.pdf"], roots) == "/data/inbox"
    assert path_base(["/data/inbox/a.pdf", "/data/archive/c.pdf"], roots) == "/data"  # their common folder
    assert path_base(["/data/inbox/a.pdf", "/elsewhere/d.pdf"], roots) is None  # under no root: kept whole
    assert path_base(["/a/x.pdf", "/b/y.pdf"], ["/a", "/b"]) is None  # nothing in common but the file system root
    assert path_base([None], roots) is None


def test_a_report_shows_its_terminal_columns_with_relative_paths_and_says_so() -> None:
    columns = ["path", "file_name", "doc_kind", "title", "role", "confidence", "ml_score", "ai_score", "reason"]
    row = ("/data/inbox/jobs/a.pdf", "a.pdf", "job_posting", "T", "hybrid", 0.5, 1.0, 1.0, "hybrid")
    shown = terminal_table("review_queue", columns, [row], ["/data/inbox"])
    assert shown.columns == ["path", "title", "role", "confidence", "reason"]
    assert shown.rows == [("jobs/a.pdf", "T", "hybrid", 0.5, "hybrid")]
    assert shown.note == "(paths under /data/inbox; 5 of 9 columns: --wide or --format csv shows all)"
    assert terminal_table(None, ["n"], [(1,)], []).note is None  # a query's columns are all shown


def test_every_terminal_column_names_a_column_of_its_view() -> None:
    con = duckdb.connect(config=CONFIG)
    migrate(con)
    names = set(view_names())
    wrong = {
        view: [
            c for c in columns if c not in [d[0] for d in con.execute(f'SELECT * FROM "{view}" LIMIT 0').description]
        ]
        for view, columns in TERMINAL_COLUMNS.items()
        if view in names
    }
    assert set(TERMINAL_COLUMNS) <= names and not any(wrong.values()), wrong


def test_a_fitted_table_never_exceeds_the_terminal_and_keeps_times_to_the_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    when = dt.datetime(2026, 12, 4, 19, 58, 8, 417756)
    out = render(["path", "title", "started_at", "confidence"], [("x/" * 40, LONG_TITLE, when, 0.776)], "table")
    assert max(len(line) for line in out.splitlines()) <= 120
    assert "2026-12-04 19:58:08 " in out and ".417756" not in out
    assert "confidence" in out and len(out.splitlines()) == 5  # one line a row: nothing folded


def test_rows_too_wide_for_any_table_are_shown_as_column_and_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    columns = [f"question_number_{i}" for i in range(8)]
    out = render(columns, [tuple(f"answer {i}" for i in range(8))], "table")
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "│ question_number_7 │ answer 7" in out


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("terminal")
    inbox = write_inbox(root / "a folder with a rather long name" / "inbox")["ai"].parent
    (inbox / "deeper").mkdir()
    (inbox / "deeper" / "long.txt").write_text(f"# {LONG_TITLE}\n\n## Requirements\n- Train models with PyTorch\n")
    result = CliRunner().invoke(cli, ["scan", str(inbox), "--db", str(root / "w.duckdb")])
    assert result.exit_code == 0, result.output
    return root / "w.duckdb", inbox.resolve()


def report(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_report_in_a_120_column_terminal(warehouse: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    db, inbox = warehouse
    monkeypatch.setenv("COLUMNS", "120")
    for name in [*TERMINAL_COLUMNS, "role_summary", "role_by_month"]:
        code, out, err = report("report", name, "--db", str(db))
        assert code == 0, err
        assert max(len(line) for line in out.splitlines()) <= 120, (name, out)
    code, out, err = report("report", "document_roles", "--db", str(db))
    assert "│ deeper/long.txt " in out and str(inbox) not in out
    long_row = next(line for line in out.splitlines() if "deeper/long.txt" in line)
    assert "│ Senior Machine Learning" in long_row and "… │" in long_row and LONG_TITLE not in out
    assert err == f"(paths under {inbox}; 6 of 22 columns: --wide or --format csv shows all)\n"


def test_wide_and_csv_show_every_column_and_whole_paths(
    warehouse: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, inbox = warehouse
    monkeypatch.setenv("COLUMNS", "120")
    code, out, err = report("report", "document_roles", "--db", str(db), "--wide")
    assert code == 0 and err == ""
    assert f"{inbox}/deeper/long.txt" in out and LONG_TITLE in out and "privacy_blocks_third_party_api" in out
    code, out, _ = report("report", "document_roles", "--db", str(db), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert f"{inbox}/deeper/long.txt" in {r["path"] for r in rows} and len(rows[0]) == 22
    code, out, _ = report("sql", "SELECT path, title FROM document_roles", "--db", str(db), "--format", "json")
    assert {r["path"] for r in json.loads(out)} >= {f"{inbox}/deeper/long.txt"}


def test_sql_tables_show_paths_relative_too(warehouse: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    db, inbox = warehouse
    monkeypatch.setenv("COLUMNS", "120")
    code, out, err = report("sql", "SELECT path, role FROM document_roles ORDER BY path", "--db", str(db))
    assert code == 0 and "│ deeper/long.txt " in out and err == f"(paths under {inbox})\n"
