"""`rolesignal evaluate`: the stored decisions or candidate rules scored against reviews or a labels file, the
warehouse left byte for byte as it was, and a candidate's decisions equal to what a scan with it would store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from rolesignal.flows.cli import cli
from rolesignal.flows.evaluate import evaluate
from rolesignal.flows.scan import scan_folder
from rolesignal.rules.load import DEFAULT_DIR
from tests.flows.documents import AI_POSTING, ML_POSTING, PLAIN_POSTING
from tests.flows.test_reviews import strict_rules

HYBRID_POSTING = ML_POSTING + "\n## Also\n- Build RAG pipelines with embeddings and a vector database\n"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A scanned inbox of four postings, three of them reviewed (one against the tool)."""
    root = tmp_path_factory.mktemp("evaluate")
    inbox = root / "inbox"
    inbox.mkdir()
    for name, text in [("ai.txt", AI_POSTING), ("ml.md", ML_POSTING), ("plain.txt", PLAIN_POSTING)]:
        (inbox / name).write_text(text)
    (inbox / "both.txt").write_text(HYBRID_POSTING)
    db = root / "w.duckdb"
    scan_folder(str(inbox), str(db))
    labels = root / "people.csv"
    labels.write_text("file_name,role,by\nai.txt,ai_developer,ana\nml.md,ml_engineer,ana\nplain.txt,ai_developer,ana\n")
    assert run("review", "--import", str(labels), "--db", str(db))[0] == 0
    return db, inbox


def test_the_stored_decisions_against_the_reviews(reviewed: tuple[Path, Path]) -> None:
    db, _ = reviewed
    code, out = run("evaluate", "--db", str(db))
    assert code == 0, out
    assert "Scored against the reviews in the warehouse: 3 document(s)." in out
    assert "accuracy  66.7%" in out and "title-only baseline: accuracy" in out
    assert "confusion (rows = label, cols = predicted)" in out and "calibration" in out
    assert "per signal: its documents that people put on its side" in out
    data = json.loads(run("evaluate", "--db", str(db), "--format", "json")[1])
    assert data["documents"] == 3 and data["summary"][0]["accuracy"] == pytest.approx(2 / 3)
    signals = {r["signal_id"]: r for r in data["per_signal"]}
    assert signals["ai.rag"]["agreement"] == 1.0  # the AI posting's RAG, reviewed ai_developer


def test_evaluate_rules_leaves_the_warehouse_byte_for_byte_unchanged(
    reviewed: tuple[Path, Path], tmp_path: Path
) -> None:
    db, _ = reviewed
    before = db.read_bytes()
    files = sorted(p.name for p in db.parent.iterdir())
    code, out = run("evaluate", "--db", str(db), "--rules", str(strict_rules(tmp_path)))
    assert code == 0, out
    assert db.read_bytes() == before
    assert sorted(p.name for p in db.parent.iterdir()) == files  # no WAL, no lock file, nothing beside it
    assert "2 document(s) change their decision; stored has 2 of them right" in out
    assert "ai_developer *" in out and "ml_engineer *" in out


def test_a_candidates_decisions_are_what_a_scan_with_it_would_store(
    reviewed: tuple[Path, Path], tmp_path: Path
) -> None:
    db, inbox = reviewed
    strict = str(strict_rules(tmp_path))
    candidate = evaluate(str(db), rules_dirs=[strict]).scored[-1]
    rescanned = tmp_path / "rescanned.duckdb"
    shutil.copy(db, rescanned)
    scan_folder(str(inbox), str(rescanned), rules_dir=strict)
    stored = evaluate(str(rescanned)).scored[0]
    assert stored.rules_versions == candidate.rules_versions
    assert stored.decisions == candidate.decisions
    assert stored.figures == candidate.figures


def test_two_rules_directories_compared_and_min_accuracy(reviewed: tuple[Path, Path], tmp_path: Path) -> None:
    db, _ = reviewed
    strict = str(strict_rules(tmp_path))
    code, out = run("evaluate", "--db", str(db), "--rules", str(DEFAULT_DIR), "--rules", strict)
    assert code == 0, out
    assert "stored decisions" not in out  # two candidates: they are compared with each other
    assert "== side by side" in out and "2 document(s) change their decision" in out
    code, out = run(
        "evaluate", "--db", str(db), "--rules", strict, "--rules", str(DEFAULT_DIR), "--min-accuracy", "0.6"
    )
    assert code == 0, out
    code, out = run(
        "evaluate", "--db", str(db), "--rules", str(DEFAULT_DIR), "--rules", strict, "--min-accuracy", "0.6"
    )
    assert code == 1 and "is 0.000, below --min-accuracy 0.6" in out


def test_a_labels_file_instead_of_the_reviews(reviewed: tuple[Path, Path], tmp_path: Path) -> None:
    db, _ = reviewed
    labels = tmp_path / "labels.csv"
    labels.write_text("id,file,role\nx,both.txt,hybrid\ny,plain.txt,none\n")
    code, out = run("evaluate", "--db", str(db), "--labels", str(labels), "--format", "csv")
    assert code == 0, out
    assert "rules,rules_version,documents,accuracy" in out and "stored," in out
    bad = tmp_path / "bad.csv"
    bad.write_text("file,role\nboth.txt,hybrid\nnope.txt,none\nplain.txt,maybe\n")
    code, out = run("evaluate", "--db", str(db), "--labels", str(bad))
    assert code == 2 and "2 problem(s), nothing was scored" in out
    assert "line 3: no current document named nope.txt" in out and "line 4: role 'maybe'" in out


def test_nothing_to_score_and_no_warehouse(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "ai.txt").write_text(AI_POSTING)
    db = tmp_path / "w.duckdb"
    scan_folder(str(inbox), str(db))
    code, out = run("evaluate", "--db", str(db))
    assert code == 2 and "no current document has a role in the reviews" in out
    code, out = run("evaluate", "--db", str(tmp_path / "none.duckdb"))
    assert code == 1 and "no warehouse at" in out
    code, out = run("evaluate", "--db", str(db), "--rules", str(tmp_path))
    assert code == 2 and "invalid rules" in out


def test_rolesignal_evaluate_prints_the_figures_of_the_roles_benchmark(tmp_path: Path) -> None:
    """benchmarks.roles imports its labels as reviews and scores them through evaluate's code; and `rolesignal
    evaluate --labels labels.csv` on a scan of the corpus prints the figures it prints for the corpus as it stands."""
    from benchmarks.render import blocks_from_text, render_pdf
    from benchmarks.role_report import format_corpus
    from benchmarks.roles import evaluate as benchmark

    corpus = tmp_path / "corpus"
    docs = corpus / "docs"
    docs.mkdir(parents=True)
    postings = {"jp1.txt": AI_POSTING, "jp2.md": ML_POSTING, "jp3.txt": PLAIN_POSTING, "jp4.txt": HYBRID_POSTING}
    for name, text in postings.items():
        (docs / name).write_text(text)
    render_pdf(blocks_from_text(AI_POSTING.replace("Senior AI Engineer", "AI Engineer")), docs / "rfp5.pdf")
    (docs / "jp9.txt").write_text(PLAIN_POSTING.replace("Go", "Rust"))  # not labelled: scanned, not scored
    (corpus / "labels.csv").write_text(
        "id,file,doc_kind,role,confidence\njp1,jp1.txt,job_posting,ai_developer,high\n"
        "jp2,jp2.md,job_posting,ml_engineer,high\njp3,jp3.txt,job_posting,ai_developer,low\n"
        "jp4,jp4.txt,job_posting,hybrid,high\nrfp5,rfp5.pdf,rfp,ai_developer,high\n"
    )
    (corpus / "groups.csv").write_text("id,group\njp1,a\njp2,b\njp3,c\njp4,d\nrfp5,e\n")
    result = benchmark(corpus, ["txt", "pdf"], db=str(tmp_path / "bench.duckdb"), folds=3)
    assert result["per_format"]["txt"]["documents"] == 4 and result["per_format"]["pdf"]["documents"] == 5
    # the labels are reviews in the benchmark's warehouse: `rolesignal evaluate` on it gives the benchmark's pool
    pooled = evaluate(str(tmp_path / "bench.duckdb")).scored[0].figures
    assert pooled == {k: v for k, v in result["overall"].items() if k in pooled}

    db = tmp_path / "corpus.duckdb"
    scan_folder(str(docs), str(db))
    code, out = run("evaluate", "--labels", str(corpus / "labels.csv"), "--db", str(db))
    assert code == 0, out
    figures = result["corpus_as_it_stands"]
    assert figures["documents"] == 5
    assert evaluate(str(db), labels=corpus / "labels.csv").scored[0].figures == figures
    assert "\n".join(format_corpus(figures, "labels.csv")[1:]) in out
