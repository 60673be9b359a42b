"""Typed errors for files that cannot be read; each carries an error type and a message a person can act on."""

from __future__ import annotations


class ExtractionError(Exception):
    """A file could not be turned into a Document. Terminal: record it and move on."""

    error_type = "unreadable"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class EmptyFile(ExtractionError):
    error_type = "empty_file"


class CorruptFile(ExtractionError):
    error_type = "corrupt_file"


class EncryptedFile(ExtractionError):
    error_type = "encrypted"


class NoTextLayer(ExtractionError):
    error_type = "no_text_layer"


class UnsupportedFormat(ExtractionError):
    error_type = "unsupported_format"


class FileTooLarge(ExtractionError):
    error_type = "too_large"


class ReadTimeout(ExtractionError):
    error_type = "timeout"


class ReaderCrashed(ExtractionError):
    error_type = "reader_crashed"


def cannot_read(exc: OSError) -> ExtractionError:
    """The error for a file the operating system would not give us (gone, a permission, an I/O error)."""
    return ExtractionError(f"cannot read the file ({exc.strerror or exc}): check the path and permissions")
