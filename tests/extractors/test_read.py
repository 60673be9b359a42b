"""read_document: dispatch, hashing, size limit, typed errors, and format invariance across txt/PDF/DOCX."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from benchmarks.render import blocks_from_text, render_docx, render_pdf
from rolesignal.extractors import (
    SUPPORTED_SUFFIXES,
    CorruptFile,
    EmptyFile,
    FileTooLarge,
    UnsupportedFormat,
    read_document,
)
from rolesignal.extractors.read import MAX_BYTES

SAMPLE = """# Machine Learning Engineer

We are building a retrieval platform for millions of users. You will own model training and serving end to end.

## Responsibilities

- Train and evaluate ranking models on large datasets, and ship them to production with monitoring
- Build feature pipelines

## Requirements

- 3+ years of Python
- Experience with PyTorch or TensorFlow

Apply through the careers page.
"""


def test_txt_sets_path_hash_and_type(tmp_path: Path) -> None:
    f = tmp_path / "post.txt"
    f.write_bytes(b"Hello, this is a posting.")
    doc = read_document(f)
    assert doc.path == str(f.resolve())
    assert doc.content_hash == hashlib.sha256(b"Hello, this is a posting.").hexdigest()
    assert doc.file_type == "txt"


def test_markdown_title(tmp_path: Path) -> None:
    doc = read_document(written(tmp_path / "post.md", b"# Title\n\nBody text."))
    assert (doc.file_type, doc.title) == ("md", "Title")


def written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_supported_suffixes() -> None:
    assert set(SUPPORTED_SUFFIXES) == {".pdf", ".docx", ".txt", ".md"}


def test_legacy_doc_unsupported(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormat, match=r"legacy \.doc: convert to \.docx"):
        read_document(written(tmp_path / "old.doc", b"\xd0\xcf\x11\xe0"))


def test_other_suffix_unsupported(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormat):
        read_document(written(tmp_path / "sheet.xlsx", b"PK"))


def test_empty_file(tmp_path: Path) -> None:
    f = tmp_path / "empty.pdf"
    f.write_bytes(b"")
    with pytest.raises(EmptyFile):
        read_document(f)


def test_whitespace_only_text_is_empty(tmp_path: Path) -> None:
    with pytest.raises(EmptyFile):
        read_document(written(tmp_path / "blank.txt", b" \n\t\n "))


def test_too_large(tmp_path: Path) -> None:
    f = tmp_path / "big.txt"
    with f.open("wb") as out:
        out.truncate(MAX_BYTES + 1)  # sparse: refused by its size, never read
    with pytest.raises(FileTooLarge, match="above the 52 MB limit"):
        read_document(f)


def test_html_renamed_pdf_is_corrupt(tmp_path: Path) -> None:
    with pytest.raises(CorruptFile, match="not a PDF"):
        read_document(written(tmp_path / "page.pdf", b"<html><body>404</body></html>"))


def test_library_error_becomes_corrupt_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rolesignal.extractors import text as text_module

    def boom(data: bytes, path: str, content_hash: str, file_type: str) -> None:
        raise IndexError("list index out of range")

    monkeypatch.setattr(text_module, "extract_text", boom)
    with pytest.raises(CorruptFile, match="could not parse the .txt file"):
        read_document(written(tmp_path / "a.txt", b"text"))


def test_same_blocks_from_txt_pdf_and_docx(tmp_path: Path) -> None:
    (tmp_path / "post.md").write_text(SAMPLE)
    expected = blocks_from_text(SAMPLE)
    assert [k for k, _, _ in expected] == [
        "heading",
        "paragraph",
        "heading",
        "bullet",
        "bullet",
        "heading",
        "bullet",
        "bullet",
        "paragraph",
    ]
    render_pdf(expected, tmp_path / "post.pdf")
    render_docx(expected, tmp_path / "post.docx")
    for name in ("post.md", "post.pdf", "post.docx"):
        doc = read_document(tmp_path / name)
        assert [(b.kind, b.text) for b in doc.blocks] == [(k, t) for k, t, _ in expected], name
        assert all(doc.text[b.char_start : b.char_end] == b.text for b in doc.blocks)
