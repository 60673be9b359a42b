"""Turn PDF, DOCX, TXT and Markdown files into Documents (text plus structure)."""

from rolesignal.extractors.errors import (
    CorruptFile,
    EmptyFile,
    EncryptedFile,
    ExtractionError,
    FileTooLarge,
    NoTextLayer,
    UnsupportedFormat,
)
from rolesignal.extractors.read import SUPPORTED_SUFFIXES, read_document
from rolesignal.extractors.types import Block, Document, Page, Requirement

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
