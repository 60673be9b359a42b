"""Turn PDF, DOCX, TXT and Markdown files into Documents (text plus structure)."""

from extractors.errors import (
    CorruptFile,
    EmptyFile,
    EncryptedFile,
    ExtractionError,
    FileTooLarge,
    NoTextLayer,
    UnsupportedFormat,
)
from extractors.read import SUPPORTED_SUFFIXES, read_document
from extractors.types import Block, Document, Page, Requirement

__all__ = [
    "SUPPORTED_SUFFIXES",
    "Block",
    "CorruptFile",
    "Document",
    "EmptyFile",
    "EncryptedFile",
    "ExtractionError",
    "FileTooLarge",
    "NoTextLayer",
    "Page",
    "Requirement",
    "UnsupportedFormat",
    "read_document",
]
