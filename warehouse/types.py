"""What the warehouse stores per processed file, batch and scan (plain dataclasses; no parsing, no judging)."""

from __future__ import annotations

from dataclasses import dataclass

from rolesignal.extractors.types import Document
from rolesignal.rules.types import Analysis

__all__ = ["Analysis", "FileState", "SeenFile", "Processed", "Failed"]


@dataclass(frozen=True)
class FileState:
    """What the warehouse remembers about one path, for incremental scans."""

    path: str
    size: int
    mtime_ns: int
    content_hash: str | None
    status: str  # 'ok' | 'failed' | 'removed'


@dataclass(frozen=True)
class SeenFile:
    """A file found by a scan: its stat and (when it was hashed) its content hash."""

    path: str
    size: int
    mtime_ns: int
    content_hash: str


@dataclass(frozen=True)
class Processed:
    """A file read and analysed successfully."""

    file: SeenFile
    document: Document
    analysis: Analysis


@dataclass(frozen=True)
class Failed:
    """A file that could not be read, with an error a person can act on."""

    file: SeenFile
    error_type: str
    message: str
