"""Reviews belong to contents: they survive rescans, renames, rules changes and a file's return; history is kept;
labels files are read all or nothing; the review views agree with the product's scoring."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import pytest

from rolesignal.rules.metrics import Decision, score_decisions
from rolesignal.warehouse import reviews, store
from rolesignal.warehouse.reviews import LabelsError, ReviewError
from tests.warehouse import factories as f


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = f.new_warehouse()
    store.write_catalogue(con, f.CATALOGUE, f.RULES_V1)
    return con


def scan(
    con: duckdb.DuckDBPyConnection, processed: Sequence = (), linked: Sequence = (), removed: Sequence = ()
) -> int:
    scan_id = store.start_scan(con, f.ROOT, None, f.RULES_V1)
    store.write_batch(con, scan_id, list(processed), [], list(linked))
    store.mark_removed(con, list(removed), scan_id)
    store.finish_scan(con, scan_id, {})
    return scan_id


def reviewed_roles(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    return dict(con.execute("SELECT file_name, reviewed_role FROM document_roles ORDER BY 1").fetchall())


def review(con: duckdb.DuckDBPyConnection, path: str, role: str | None, by: str = "ana") -> reviews.Review:
    found = reviews.reviewable_at(con, path)
    assert found is not None, path
    return reviews.record_review(con, found.content_hash, role, by, path=found.path)


def test_a_review_survives_a_rescan_a_rename_a_rules_change_and_a_remove_and_return(
    con: duckdb.DuckDBPyConnection,
) -> None:
    a = f.processed("a", role="ai_developer")
    scan(con, [a, f.processed("b")])
    given = review(con, "a.txt", "ml_engineer")
    assert (given.tool_role, given.rules_version, given.path) == ("ai_developer", f.RULES_V1, a.file.path)
    assert reviewed_roles(con) == {"a.txt": "ml_engineer", "b.txt": None}

    scan(con, [a])  # a rescan of the same content
    assert reviewed_roles(con)["a.txt"] == "ml_engineer"

    renamed = f.seen(f"{f.ROOT}/moved/renamed.txt", content=a.document.content_hash)
    scan(con, linked=[renamed], removed=[a.file.path])
    assert reviewed_roles(con) == {"b.txt": None, "renamed.txt": "ml_engineer"}

    store.write_analyses(con, [f.analysis(a.document, f.RULES_V2, role="none")])  # the rules changed
    assert con.execute("SELECT role, reviewed_role FROM document_roles WHERE file_name = 'renamed.txt'").fetchall() == [
        ("none", "ml_engineer")
    ]

    scan(con, removed=[renamed.path])
    assert "renamed.txt" not in reviewed_roles(con)
    assert reviews.current_review(con, a.document.content_hash).role == "ml_engineer"  # kept while it is gone
    scan(con, linked=[f.seen(a.document)])  # ... and back at its first path
    assert reviewed_roles(con)["a.txt"] == "ml_engineer"
    assert len(reviews.review_history(con, a.document.content_hash)) == 1


def test_the_later_review_wins_and_the_history_is_kept(con: duckdb.DuckDBPyConnection) -> None:
    a = f.processed("a", role="hybrid")
    copy = f.seen(f"{f.ROOT}/copy/a.txt", content=a.document.content_hash)
    scan(con, [a], linked=[copy])
    review(con, f.ROOT + "/a.txt", "ml_engineer", by="ana")
    review(con, "copy/a.txt", "hybrid", by="ben")  # the same content at another path
    assert set(reviewed_roles(con).values()) == {"hybrid"}
    history = reviews.review_history(con, a.document.content_hash)
    assert [(r.role, r.reviewed_by) for r in history] == [("ml_engineer", "ana"), ("hybrid", "ben")]
    assert history[0].review_id < history[1].review_id
    row = con.execute(
        "SELECT reviewed_role, agrees, reviewed_by, reviews FROM reviewed_documents WHERE path = ?", [a.file.path]
    ).fetchall()
    assert row == [("hybrid", True, "ben", 2)]

    review(con, "copy/a.txt", None, by="ben")  # cleared: no review in force, the history grows
    assert set(reviewed_roles(con).values()) == {None}
    assert reviews.current_review(con, a.document.content_hash) is None
    assert len(reviews.review_history(con, a.document.content_hash)) == 3
    assert con.execute("SELECT count(*) FROM reviewed_documents").fetchall() == [(0,)]


def test_an_unknown_role_is_refused_and_nothing_is_stored(con: duckdb.DuckDBPyConnection) -> None:
    a = f.processed("a")
    scan(con, [a])
    with pytest.raises(ReviewError, match="unknown role"):
        reviews.record_review(con, a.document.content_hash, "data_scientist", "ana")
    assert con.execute("SELECT count(*) FROM reviews").fetchall() == [(0,)]


def test_review_agreement_matches_the_products_scoring(con: duckdb.DuckDBPyConnection) -> None:
    docs = {
        "a": f.processed("a", role="ml_engineer"),
        "b": f.processed("b", role="ai_developer"),
        "c": f.processed("c", role="hybrid"),
        "d": f.processed("d", role="none"),
        "e": f.processed("e", role="none"),
    }
    scan(con, list(docs.values()))
    truth = {"a": "ml_engineer", "b": "ml_engineer", "c": "hybrid", "d": "none", "e": "ai_developer"}
    for name, role in truth.items():
        review(con, f"{name}.txt", role)
    row = con.execute(
        "SELECT * EXCLUDE (first_scan_at) FROM review_agreement WHERE rules_version = ?", [f.RULES_V1]
    ).fetchall()[0]
    columns = [d[0] for d in con.execute("SELECT * FROM review_agreement LIMIT 0").description]
    got = dict(zip(columns, row, strict=False))
    decided = {name: Decision(p.analysis.classification.role, 0.75, "unknown") for name, p in docs.items()}
    figures = score_decisions(truth, decided)
    assert (got["in_force"], got["reviewed"], got["agreeing"]) == (True, 5, 3)
    assert got["agreement"] == pytest.approx(figures["accuracy"])
    for role, expected in figures["per_role"].items():
        # the view leaves a ratio with nothing to divide by NULL where the scoring counts it 0
        assert (got[f"{role}_precision"] or 0.0) == pytest.approx(expected["precision"]), role
        assert (got[f"{role}_recall"] or 0.0) == pytest.approx(expected["recall"]), role
    assert got["ai_developer_recall"] == 0.0 and got["hybrid_precision"] == 1.0
    assert con.execute("SELECT DISTINCT agreement FROM scan_history").fetchall() == [(pytest.approx(0.6),)]


def test_an_earlier_rules_version_is_scored_by_what_the_reviews_saw(con: duckdb.DuckDBPyConnection) -> None:
    a, b = f.processed("a", role="ai_developer"), f.processed("b", role="none")
    scan(con, [a, b])
    review(con, "a.txt", "ml_engineer")  # seen under v1: ai_developer, wrong
    store.write_analyses(con, [f.analysis(d.document, f.RULES_V2, role="ml_engineer") for d in (a, b)])
    review(con, "b.txt", "none")  # seen under v2 only
    found = con.execute(
        "SELECT rules_version, in_force, reviewed, agreeing FROM review_agreement ORDER BY rules_version"
    ).fetchall()
    assert found == [(f.RULES_V1, False, 1, 0), (f.RULES_V2, True, 2, 1)]


# --- labels files ------------------------------------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "labels.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_labels_file_with_bad_rows_imports_nothing_and_names_every_bad_line(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    a, b = f.processed("a"), f.processed("b")
    copy = f.seen(f"{f.ROOT}/other/b.txt", content=f.content_hash("b2"))
    b2 = f.processed("b2", path=copy.path)
    scan(con, [a, b, b2])
    labels = write(
        tmp_path,
        "file_name,role,note,by\n"
        "a.txt,ml_engineer,fine,ana\n"  # line 2: good
        "nothere.txt,none,,\n"  # line 3: unknown document
        'b.txt,"data\nscientist",,\n'  # line 4-5: a bad role in a quoted cell over two lines
        ",hybrid,,\n"  # line 6: names no document
        "a.txt,,,\n"  # line 7: no role
        "\n"  # line 8: blank, skipped
        "b.txt,ML Engineer,,\n",  # line 9: ambiguous name (two contents are named b.txt); the role is fine
    )
    with pytest.raises(LabelsError) as caught:
        reviews.read_labels(con, labels)
    assert [line for line, _ in caught.value.problems] == [3, 4, 6, 7, 9]
    messages = dict(caught.value.problems)
    assert "no current document named nothere.txt" in messages[3]
    assert "'data\\nscientist' is not one of ml_engineer, ai_developer, hybrid, none" in messages[4]
    assert "names no document" in messages[6] and "no role given" in messages[7]
    assert "2 different current documents are named b.txt" in messages[9]
    assert "5 problem(s), none of its lines was used" in str(caught.value)
    assert con.execute("SELECT count(*) FROM reviews").fetchall() == [(0,)]


def test_a_header_without_role_or_naming_column_is_one_problem(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    for text, message in [
        ("", "the file is empty"),
        ("name,label\nx,none\n", "no role and no content_hash, path or file_name column"),
        ("path,label\nx,none\n", "no role column"),
    ]:
        with pytest.raises(LabelsError, match=message):
            reviews.read_labels(con, write(tmp_path, text))
    with pytest.raises(LabelsError, match="cannot be read"):
        reviews.read_labels(con, tmp_path / "missing.csv")


def test_labels_name_documents_by_hash_path_or_the_corpus_file_column(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    a, b, c = f.processed("a"), f.processed("b"), f.processed("c")
    scan(con, [a, b, c])
    labels = write(
        tmp_path,
        "\ufeffid,file,path,content_hash,doc_kind,role,confidence\n"  # labels.csv of the corpus, with a BOM
        f"x1,a.txt,,,job_posting,ml_engineer,high\n"
        f"x2,,{b.file.path},,rfp,AI developer,low\n"
        f"x3,wrong-name.txt,,{c.document.content_hash.upper()},rfp,hybrid,low\n",
    )
    found = reviews.read_labels(con, labels)
    assert [(lab.row.key, lab.content_hash, lab.row.role) for lab in found] == [
        ("file_name", a.document.content_hash, "ml_engineer"),
        ("path", b.document.content_hash, "ai_developer"),
        ("content_hash", c.document.content_hash, "hybrid"),
    ]
    assert reviews.import_reviews(con, found, by="import-user") == 3
    assert reviewed_roles(con) == {"a.txt": "ml_engineer", "b.txt": "ai_developer", "c.txt": "hybrid"}
    assert {r[0] for r in con.execute("SELECT DISTINCT source FROM reviews").fetchall()} == {"import"}


def test_an_export_imports_back_to_the_same_reviews(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    import csv

    a, b = f.processed("a"), f.processed("b")
    scan(con, [a, b])
    review(con, "a.txt", "none", by="ana")
    reviews.record_review(con, b.document.content_hash, "hybrid", "ben", note="both layers, see p.2")
    columns, rows = reviews.export_rows(con)
    assert columns[:4] == ["path", "file_name", "content_hash", "role"]
    assert [(r[1], r[3], r[4], r[5]) for r in rows] == [
        ("a.txt", "none", "", "ana"),
        ("b.txt", "hybrid", "both layers, see p.2", "ben"),
    ]
    exported = tmp_path / "labels.csv"
    with exported.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([columns, *rows])

    other = f.new_warehouse()
    scan(other, [a, b])
    reviews.import_reviews(other, reviews.read_labels(other, exported), by="nobody")
    when = columns.index("reviewed_at")  # an import is a review of its own moment

    def without_time(found: list[tuple]) -> list[tuple]:
        return [row[:when] + row[when + 1 :] for row in found]

    assert without_time(reviews.export_rows(other)[1]) == without_time(rows)


def test_a_later_line_of_the_same_content_is_the_later_review(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    a, b = f.processed("a", role="none"), f.processed("b")
    scan(con, [a, b])
    rows = "".join(f"a.txt,{role}\nb.txt,hybrid\n" for role in ("ml_engineer", "hybrid", "none", "ai_developer"))
    labels = reviews.read_labels(con, write(tmp_path, "file_name,role\n" + rows))
    assert reviews.import_reviews(con, labels, by="ana") == 8
    history = reviews.review_history(con, a.document.content_hash)
    assert [r.role for r in history] == ["ml_engineer", "hybrid", "none", "ai_developer"]
    assert {(r.tool_role, r.rules_version, r.source) for r in history} == {("none", f.RULES_V1, "import")}
    assert reviewed_roles(con) == {"a.txt": "ai_developer", "b.txt": "hybrid"}
