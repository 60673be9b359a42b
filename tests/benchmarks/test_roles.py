"""The benchmark's scoring of labels (kinds, per-document lists), its folder layout, and a guard against corpus
leakage into the rules."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from benchmarks.role_corpus import build_folders, default_corpus, load_labels
from benchmarks.role_scoring import Label, Prediction, score
from rolesignal.rules.load import DEFAULT_DIR
from tests.conftest import require_shared

ML, AI, HY, NO = "ml_engineer", "ai_developer", "hybrid", "none"


def _prediction(doc_id: str, role: str, confidence: float, implied: str, mismatch: bool, kind: str) -> Prediction:
    return Prediction(doc_id, "txt", f"{doc_id}.txt", kind, f"Title {doc_id}", role, confidence, 1.0, 0.0, implied,
                      mismatch)  # fmt: skip


def test_score_puts_the_figures_together() -> None:
    labels = [Label("a", "a.txt", "job_posting", ML, "high"), Label("b", "b.txt", "rfp", NO, "high")]
    predictions = [_prediction("a", ML, 0.9, AI, False, "job_posting"), _prediction("b", AI, 0.6, ML, True, "other")]
    figures = score(list(zip(labels, predictions, strict=True)), [AI, NO])
    assert figures["documents"] == 2
    assert figures["accuracy"] == 0.5
    assert figures["kind_accuracy"] == 0.5
    assert figures["kind_misses"] == [{"id": "b", "format": "txt", "label": "rfp", "predicted": "other"}]
    assert figures["baseline"]["accuracy"] == 0.5
    assert figures["baseline"]["macro_f1"] == pytest.approx((0 + 0 + 0 + 1) / 4)
    assert figures["title_mismatches"] == [
        {"id": "b", "format": "txt", "title": "Title b", "title_role": ML, "predicted": AI, "label": NO}
    ]
    assert [m["id"] for m in figures["misclassified"]] == ["b"]
    assert [b["count"] for b in figures["calibration"]] == [0, 1, 0, 1]


def test_build_folders_keeps_only_labelled_documents_per_format(tmp_path: Path) -> None:
    from benchmarks.render import render_pdf

    corpus = tmp_path / "corpus"
    (corpus / "docs").mkdir(parents=True)
    (corpus / "docs" / "d1.txt").write_text("Data Engineer\n\n## Requirements\n- Build pipelines\n")
    (corpus / "docs" / "d2.md").write_text("# AI Engineer\n\n- Build RAG features\n")
    (corpus / "docs" / "d9.txt").write_text("Unlabelled\n")
    render_pdf([("heading", "Vision Scientist"), ("bullet", "Train detection models")], corpus / "docs" / "d3.pdf")
    (corpus / "labels.csv").write_text(
        "id,file,doc_kind,role,confidence\n"
        "d1,d1.txt,job_posting,none,high\nd2,d2.md,job_posting,ai_developer,high\nd3,d3.pdf,rfp,ml_engineer,low\n"
    )
    labels = load_labels(corpus)
    folders = build_folders(corpus, labels, ["txt", "pdf", "docx"], tmp_path / "out")
    names = {fmt: sorted(p.name for p in folder.iterdir()) for fmt, folder in folders.items()}
    assert names == {
        "txt": ["d1.txt", "d2.md"],
        "pdf": ["d1.pdf", "d2.pdf", "d3.pdf"],
        "docx": ["d1.docx", "d2.docx"],
    }
    assert (folders["txt"] / "d2.md").read_bytes() == (corpus / "docs" / "d2.md").read_bytes()
    assert (folders["pdf"] / "d3.pdf").read_bytes() == (corpus / "docs" / "d3.pdf").read_bytes()
    plain = build_folders(corpus, labels, ["pdf-plain", "docx-plain"], tmp_path / "plain")
    assert {fmt: sorted(p.name for p in folder.iterdir()) for fmt, folder in plain.items()} == {
        "pdf-plain": ["d1.pdf", "d2.pdf"],  # texts printed plainly; a PDF of the corpus is no text print
        "docx-plain": ["d1.docx", "d2.docx"],
    }


def test_a_browser_print_needs_a_browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks.role_corpus import EvaluationError

    corpus = tmp_path / "corpus"
    (corpus / "docs").mkdir(parents=True)
    (corpus / "docs" / "d1.txt").write_text("Data Engineer\n")
    (corpus / "labels.csv").write_text("id,file,doc_kind,role,confidence\nd1,d1.txt,job_posting,none,high\n")
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    with pytest.raises(EvaluationError, match="pdf-browser needs chromium or google-chrome on PATH"):
        build_folders(corpus, load_labels(corpus), ["pdf-browser"], tmp_path / "out")


def test_a_browser_print_of_a_text_reads_as_the_text(tmp_path: Path) -> None:
    from benchmarks.render import find_browser, render_browser_pdf
    from rolesignal.extractors.read import read_document

    browser = find_browser()
    if browser is None:
        pytest.skip("no chromium or google-chrome on PATH")
    source = tmp_path / "posting.txt"
    source.write_text("# [Senior AI Engineer](https://jobs.example.com/17)\n\n## Requirements\n- Build RAG features\n")
    document = read_document(render_browser_pdf(source, tmp_path / "posting.pdf", browser))
    assert document.title == "Senior AI Engineer"
    assert [(b.kind, b.text) for b in document.blocks][-2:] == [
        ("heading", "Requirements"),
        ("bullet", "Build RAG features"),
    ]


def test_texts_saved_by_an_office_suite_read_as_the_texts(tmp_path: Path) -> None:
    from benchmarks.render import find_office
    from rolesignal.extractors.read import read_document

    if find_office() is None:
        pytest.skip("no LibreOffice soffice on PATH")
    corpus = tmp_path / "corpus"
    (corpus / "docs").mkdir(parents=True)
    (corpus / "docs" / "d1.txt").write_text("AI Engineer\n\nRequirements\n- Build RAG features on LLM APIs\n")
    (corpus / "labels.csv").write_text("id,file,doc_kind,role,confidence\nd1,d1.txt,job_posting,ai_developer,high\n")
    folders = build_folders(corpus, load_labels(corpus), ["pdf-office", "docx-office"], tmp_path / "out")
    for fmt, name in (("pdf-office", "d1.pdf"), ("docx-office", "d1.docx")):
        assert sorted(p.name for p in folders[fmt].iterdir()) == [name]
        document = read_document(folders[fmt] / name)
        assert document.title == "AI Engineer"
        assert document.blocks[-1].text == "Build RAG features on LLM APIs"


# ---------------------------------------------------------------------------------------- leakage guard

ID_RE = re.compile(r"\b(jp|rfp|rfpx)\d{2,3}\b")
MIN_TITLE_CHARS = 15


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _rules_files() -> list[Path]:
    return sorted(p for p in Path(DEFAULT_DIR).rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def _labelled_titles(corpus: Path) -> tuple[dict[str, str], dict[str, str]]:
    """First non-empty line of each labelled document's text (markup removed) and each document's text."""
    from rolesignal.extractors.read import read_document

    titles, texts = {}, {}
    with (corpus / "labels.csv").open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            text = read_document(corpus / "docs" / row["file"]).text
            texts[row["id"]] = _norm(text)
            first = next((line.strip() for line in text.splitlines() if line.strip()), "")
            if len(first) > MIN_TITLE_CHARS:
                titles[row["id"]] = first
    return titles, texts


def test_no_corpus_id_or_labelled_title_in_the_rules() -> None:
    corpus = default_corpus()
    require_shared(corpus / "labels.csv")
    titles, texts = _labelled_titles(corpus)
    # A "title" found in the text of three or more labelled documents is a common phrase ("Request for
    # Proposal"), not something that identifies one document; it may appear in rules as a cue.
    identifying = {i: t for i, t in titles.items() if sum(_norm(t) in text for text in texts.values()) < 3}
    leaks = []
    for path in _rules_files():
        content = path.read_text(encoding="utf-8", errors="replace")
        leaks += [f"{path.name}: corpus id {m.group(0)}" for m in ID_RE.finditer(content)]
        folded = _norm(content)
        leaks += [f"{path.name}: title of {i} ({t!r})" for i, t in identifying.items() if _norm(t) in folded]
    assert identifying, "no labelled titles found: the guard would check nothing"
    assert not leaks, "corpus material in the rules:\n" + "\n".join(leaks)
