"""Entry point: read a file and dispatch to the right extractor by suffix."""

from __future__ import annotations

import hashlib
from pathlib import Path

from rolesignal.extractors.errors import (
    CorruptFile,
    EmptyFile,
    ExtractionError,
    FileTooLarge,
    UnsupportedFormat,
    cannot_read,
)
from rolesignal.extractors.types import Document

SUPPORTED_SUFFIXES: tuple[str, ...] = (".pdf", ".docx", ".txt", ".md")
# Formats recognised but not read, each with what to do instead: a scan picks their files up to say so.
LEGACY_FORMATS: dict[str, str] = {".doc": "legacy .doc: convert to .docx"}
# Every suffix a scan looks at: the files read, and the files whose failure says what to convert them to.
RECOGNISED_SUFFIXES: tuple[str, ...] = (*SUPPORTED_SUFFIXES, *LEGACY_FORMATS)
MAX_BYTES = 50 * 1024 * 1024
DEFAULT_TIMEOUT = 60.0


def read_document(path: Path | str) -> Document:
    """Turn a file into a Document, or raise a typed ExtractionError saying what is wrong and what to do."""
    path = Path(path)
    resolved = str(path.resolve())
    suffix = path.suffix.lower()
    if suffix in LEGACY_FORMATS:
        raise UnsupportedFormat(LEGACY_FORMATS[suffix])
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "(no extension)"
        raise UnsupportedFormat(f"unsupported file type {shown}: convert it to one of {', '.join(SUPPORTED_SUFFIXES)}")
    data = _read_bytes(path)
    if not data:
        raise EmptyFile("the file is empty (0 bytes): check the upload or export")
    content_hash = hashlib.sha256(data).hexdigest()
    file_type = suffix[1:]
    try:
        # Readers are imported on first use: the scanning process imports this module but never reads a file.
        if file_type == "pdf":
            from rolesignal.extractors.pdf import extract_pdf

            document = extract_pdf(data, resolved, content_hash)
        elif file_type == "docx":
            from rolesignal.extractors.docx import extract_docx

            document = extract_docx(data, resolved, content_hash)
        else:
            from rolesignal.extractors.text import extract_text

            document = extract_text(data, resolved, content_hash, file_type)
    except ExtractionError:
        raise
    except Exception as exc:  # a parser bug or an unforeseen malformation must not escape untyped
        raise CorruptFile(
            f"could not parse the {suffix} file ({type(exc).__name__}: {str(exc)[:200]}): "
            "re-save or re-export it and try again"
        ) from exc
    if not document.text.strip():
        raise EmptyFile(f"no text found in the {suffix} file: check that it has content")
    return document


def _read_bytes(path: Path) -> bytes:
    """Read the whole file once, refusing files above MAX_BYTES without reading them."""
    try:
        size = path.stat().st_size
        if size <= MAX_BYTES:
            with path.open("rb") as f:
                data = f.read(MAX_BYTES + 1)  # the file may have grown since stat
            size = len(data)
    except OSError as exc:
        raise cannot_read(exc) from exc
    if size > MAX_BYTES:
        raise FileTooLarge(
            f"file is {size / 1e6:.1f} MB, above the {MAX_BYTES / 1e6:.0f} MB limit: split or compress it"
        )
    return data
