"""Entry point: read a file (or given bytes) and dispatch to the right extractor by suffix."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from multiprocessing.connection import Connection
from pathlib import Path

from extractors.docx import extract_docx
from extractors.errors import (
    CorruptFile,
    EmptyFile,
    ExtractionError,
    FileTooLarge,
    ReaderCrashed,
    ReadTimeout,
    UnsupportedFormat,
)
from extractors.pdf import extract_pdf
from extractors.text import extract_text
from extractors.types import Document

SUPPORTED_SUFFIXES: tuple[str, ...] = (".pdf", ".docx", ".txt", ".md")
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_TIMEOUT = 60.0


def read_document(path: Path | str, data: bytes | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Turn a file into a Document, or raise a typed ExtractionError saying what is wrong and what to do."""
    path = Path(path)
    resolved = str(path.resolve())
    suffix = path.suffix.lower()
    if suffix == ".doc":
        raise UnsupportedFormat("legacy .doc: convert to .docx")
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "(no extension)"
        raise UnsupportedFormat(f"unsupported file type {shown}: convert it to one of {', '.join(SUPPORTED_SUFFIXES)}")
    if data is None:
        data = _read_bytes(path, max_bytes)
    if len(data) > max_bytes:
        raise FileTooLarge(_too_large(len(data), max_bytes))
    if not data:
        raise EmptyFile("the file is empty (0 bytes): check the upload or export")
    content_hash = hashlib.sha256(data).hexdigest()
    file_type = suffix[1:]
    try:
        if file_type == "pdf":
            document = extract_pdf(data, resolved, content_hash)
        elif file_type == "docx":
            document = extract_docx(data, resolved, content_hash)
        else:
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


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """Read the whole file once, refusing files above max_bytes without reading them."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise FileTooLarge(_too_large(size, max_bytes))
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)  # the file may have grown since stat
    except OSError as exc:
        raise ExtractionError(f"cannot read the file ({exc.strerror or exc}): check the path and permissions") from exc
    return data


def _too_large(size: int, max_bytes: int) -> str:
    return f"file is {size / 1e6:.1f} MB, above the {max_bytes / 1e6:.0f} MB limit: split or compress it"


class IsolatedReader:
    """read_document in a worker process, so a file that hangs or crashes a parser costs that file, not the scan.

    One worker serves file after file (PDFium is not thread-safe, and one process avoids the question). A file
    that takes longer than `timeout` seconds gets the worker killed and a ReadTimeout; a worker that dies gives
    ReaderCrashed. Either way the next file gets a fresh worker. The worker is a fresh interpreter started on first
    use (`python -c`, so neither forking Prefect's threads nor re-importing the caller's __main__), talking over its
    own pipes; it exits by itself when this process goes away.
    """

    def __init__(self, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._process: subprocess.Popen[bytes] | None = None
        self._to_worker: Connection | None = None
        self._from_worker: Connection | None = None

    def read(self, path: str) -> Document:
        """Like read_document(path), with the time limit; every failure is an ExtractionError."""
        try:
            to_worker, from_worker = self._start()
            to_worker.send((path, self.max_bytes))
            if not from_worker.poll(self.timeout):
                self.close()
                raise ReadTimeout(
                    f"reading took longer than {self.timeout:g} s and was stopped (a pathological or huge file?): "
                    "re-export or split it"
                )
            ok, payload = from_worker.recv()
        except (EOFError, OSError):
            code = self._exit_code()
            self.close()
            raise ReaderCrashed(
                f"the reader process died on this file (exit code {code}): re-export the file and try again"
            ) from None
        if not ok:
            raise payload
        return payload

    def close(self) -> None:
        """Stop the worker at once (it may be stuck in a parser)."""
        for conn in (self._to_worker, self._from_worker):
            if conn is not None:
                conn.close()
        if self._process is not None:
            self._process.kill()
            self._process.wait()
        self._process = self._to_worker = self._from_worker = None

    def __enter__(self) -> IsolatedReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> tuple[Connection, Connection]:
        if self._process is None or self._process.poll() is not None:
            self.close()
            request_r, request_w = os.pipe()
            reply_r, reply_w = os.pipe()
            self._process = subprocess.Popen(
                [sys.executable, "-c", _WORKER, str(request_r), str(reply_w)],
                pass_fds=(request_r, reply_w),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                env=_worker_env(),
            )
            os.close(request_r)
            os.close(reply_w)
            self._to_worker = Connection(request_w, readable=False)
            self._from_worker = Connection(reply_r, writable=False)
            # The time limit is for reading a file, not for starting Python: wait for the worker's imports.
            if not self._from_worker.poll(_START_TIMEOUT) or self._from_worker.recv() != "ready":
                self.close()
                raise ReaderCrashed("the reader process did not start: check the installation")
        assert self._to_worker is not None and self._from_worker is not None
        return self._to_worker, self._from_worker

    def _exit_code(self) -> int | None:
        if self._process is None:
            return None
        try:
            return self._process.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            return None


_START_TIMEOUT = 120.0


def _worker_env() -> dict[str, str]:
    """Our environment, with this package importable even when it runs from a checkout that is not installed."""
    ours = str(Path(__file__).resolve().parents[1])
    paths = [ours, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return os.environ | {"PYTHONPATH": os.pathsep.join(paths)}


_WORKER = "import sys; from extractors.read import serve_reads; serve_reads(int(sys.argv[1]), int(sys.argv[2]))"


def serve_reads(request_fd: int, reply_fd: int) -> None:
    """Worker loop: read the files we are sent until the other end closes the pipe."""
    requests, replies = Connection(request_fd, writable=False), Connection(reply_fd, readable=False)
    replies.send("ready")
    while True:
        try:
            path, max_bytes = requests.recv()
        except (EOFError, OSError):
            return
        try:
            reply = (True, read_document(path, max_bytes=max_bytes))
        except ExtractionError as exc:
            reply = (False, exc)
        except Exception as exc:  # never let the worker die on a Python error: report it as the file's failure
            reply = (False, CorruptFile(f"could not read the file ({type(exc).__name__}: {str(exc)[:200]})"))
        replies.send(reply)
