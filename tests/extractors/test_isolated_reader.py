"""IsolatedReader: the worker process reads like read_document, and a hanging or dying reader costs one file."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from extractors.errors import EncryptedFile, ReaderCrashed, ReadTimeout, UnsupportedFormat
from extractors.read import IsolatedReader, read_document
from tests.flows import hostile


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    good = tmp_path / "good.pdf"
    good_bytes = hostile.text_pdf(good)
    paths = {"good": good, "slow": tmp_path / "slow.pdf", "locked": tmp_path / "locked.pdf", "old": tmp_path / "a.doc"}
    paths["slow"].write_bytes(hostile.slow_pdf())
    paths["locked"].write_bytes(hostile.encrypted_pdf(good_bytes))
    paths["old"].write_bytes(b"\xd0\xcf\x11\xe0")
    return paths


def test_same_document_as_in_process(files: dict[str, Path]) -> None:
    with IsolatedReader(timeout=10) as reader:
        assert reader.read(str(files["good"])) == read_document(files["good"])


def test_typed_errors_come_back_typed(files: dict[str, Path]) -> None:
    with IsolatedReader(timeout=10) as reader:
        with pytest.raises(EncryptedFile, match="encrypted PDF"):
            reader.read(str(files["locked"]))
        with pytest.raises(UnsupportedFormat, match=r"legacy \.doc: convert to \.docx"):
            reader.read(str(files["old"]))
        assert reader.read(str(files["good"])).file_type == "pdf"  # the same worker goes on


def test_a_hanging_file_is_stopped_and_the_next_file_is_read(files: dict[str, Path]) -> None:
    with IsolatedReader(timeout=1.0) as reader:
        reader.read(str(files["good"]))  # the worker has started: the limit below is for reading only
        started = time.monotonic()
        with pytest.raises(ReadTimeout, match=r"reading took longer than 1 s and was stopped"):
            reader.read(str(files["slow"]))
        assert time.monotonic() - started < 3
        assert reader.read(str(files["good"])).file_type == "pdf"


def test_a_dying_reader_costs_one_file(files: dict[str, Path]) -> None:
    with IsolatedReader(timeout=30) as reader:
        reader.read(str(files["good"]))
        assert reader._process is not None
        pid = reader._process.pid
        threading.Timer(0.5, os.kill, (pid, signal.SIGKILL)).start()
        with pytest.raises(ReaderCrashed, match=r"the reader process died on this file \(exit code -9\)"):
            reader.read(str(files["slow"]))
        assert reader.read(str(files["good"])).file_type == "pdf"
