"""The labelled corpus for the role benchmark: where it is, its labels, and one folder of files per format.

`txt` holds the .txt/.md originals as they are; `pdf` those texts rendered to PDF plus the corpus's original PDFs;
`docx` the texts rendered to DOCX; `pdf-plain` and `docx-plain`, asked for by name, the texts printed and pasted
plainly, markup and line breaks kept; `pdf-browser` the texts printed by a real headless Chromium, `pdf-office` and
`docx-office` the texts saved as PDF and Word by LibreOffice. Each file is named `<id>.<ext>`; the unlabelled
documents are never read.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from pathlib import Path

from benchmarks.role_scoring import Label
from rolesignal.rules.metrics import check_roles
from rolesignal.rules.types import ROLES

FORMATS = ("txt", "pdf", "docx")
# The texts printed and pasted plainly (benchmarks.render.render_plain_pdf / render_plain_docx), as a user's converter
# might make them: Markdown markup and hard line breaks kept, no fonts or styles to say what a heading is, a browser's
# date, file name, address and page counter at the edges of the PDF's pages. Not in the
# default run, whose pooled figure is over the three formats above; `--formats txt,pdf-plain,docx-plain` measures how
# much the reading depends on how a file was made.
PLAIN_FORMATS = ("pdf-plain", "docx-plain", "pdf-browser", "pdf-office", "docx-office")
# Converters we did not write: `pdf-browser`, each text printed by a real headless Chromium
# (benchmarks.render.render_browser_pdf; chromium or google-chrome on PATH, about a second a document);
# `pdf-office` and `docx-office`, the texts opened in LibreOffice Writer and saved as PDF or Word
# (benchmarks.render.render_office; soffice on PATH, a few seconds for all of them).
OFFICE_FORMATS = {"pdf-office": "pdf", "docx-office": "docx"}
TEXT_SUFFIXES = (".txt", ".md")
CORPUS_ENV = "ROLESIGNAL_CORPUS"


class EvaluationError(Exception):
    """The evaluation cannot run (missing corpus files, test extras, unexpected results)."""


def default_corpus() -> Path:
    """$ROLESIGNAL_CORPUS, else the shared corpus next to the repository."""
    env = os.environ.get(CORPUS_ENV)
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


# ----------------------------------------------------------------------------------------------- corpus


def load_labels(corpus: Path) -> list[Label]:
    """The labelled half of the corpus, in labels.csv order."""
    with (corpus / "labels.csv").open(newline="", encoding="utf-8") as f:
        labels = [Label(**{k: (v or "").strip() for k, v in row.items()}) for row in csv.DictReader(f)]
    for label in labels:
        check_roles([label.role], ROLES)
    return labels


def build_folders(corpus: Path, labels: Sequence[Label], formats: Sequence[str], dest: Path) -> dict[str, Path]:
    """Write the labelled documents into dest/<format>/<id>.<ext>; returns the folder per format."""
    from rolesignal.extractors.text import decode_text

    render_pdf = render_docx = blocks_from_text = render_plain_pdf = render_plain_docx = render_browser_pdf = None
    render_office = find_browser = find_office = None
    if {"pdf", "docx", *PLAIN_FORMATS} & set(formats):
        try:
            from benchmarks.render import (
                blocks_from_text,
                find_browser,
                find_office,
                missing_converter,
                render_browser_pdf,
                render_docx,
                render_office,
                render_pdf,
                render_plain_docx,
                render_plain_pdf,
            )
        except ImportError as exc:  # fpdf2 is a test extra, not a dependency
            raise EvaluationError(f"rendering PDF/DOCX needs the test extras ({exc}); try --formats txt") from exc
        if missing := missing_converter(formats):
            raise EvaluationError(missing)
    folders = {}
    texts: list[Path] = []  # each labelled text as <id>.txt, for the office suite to convert in one run
    for fmt in formats:
        folder = dest / fmt
        folder.mkdir(parents=True, exist_ok=True)
        folders[fmt] = folder
    for label in labels:
        source = corpus / "docs" / label.file
        suffix = source.suffix.lower()
        if suffix == ".pdf":
            if "pdf" in folders:
                (folders["pdf"] / f"{label.id}.pdf").write_bytes(source.read_bytes())
            continue
        if suffix not in TEXT_SUFFIXES:
            raise EvaluationError(f"{label.file}: unexpected file type in the corpus")
        data = source.read_bytes()
        text = decode_text(data)
        if "txt" in folders:
            (folders["txt"] / f"{label.id}{suffix}").write_bytes(data)
        if "pdf-plain" in folders:
            render_plain_pdf(text, folders["pdf-plain"] / f"{label.id}.pdf")
        if "docx-plain" in folders:
            render_plain_docx(text, folders["docx-plain"] / f"{label.id}.docx")
        if "pdf-browser" in folders:
            render_browser_pdf(source, folders["pdf-browser"] / f"{label.id}.pdf", find_browser())
        if set(OFFICE_FORMATS) & set(folders):
            (dest / "office-texts").mkdir(exist_ok=True)
            texts.append(dest / "office-texts" / f"{label.id}.txt")
            texts[-1].write_text(text, encoding="utf-8")
        if "pdf" in folders or "docx" in folders:
            blocks = blocks_from_text(text)
            if "pdf" in folders:
                render_pdf(blocks, folders["pdf"] / f"{label.id}.pdf")
            if "docx" in folders:
                render_docx(blocks, folders["docx"] / f"{label.id}.docx")
    for fmt, target in OFFICE_FORMATS.items():
        if fmt in folders and texts:
            render_office(texts, folders[fmt], target, find_office())
    return folders


def corpus_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file())
