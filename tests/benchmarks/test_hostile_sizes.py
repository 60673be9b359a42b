"""The hostile-size documents of benchmarks/hostile_sizes.py, at a modest size: read as they were written."""

from __future__ import annotations

from pathlib import Path

from benchmarks.hostile_sizes import (
    HEADER,
    numbered_line,
    numbered_lines_written,
    numbered_pdf,
    one_line_markdown,
    read_and_analyse,
)
from rolesignal.extractors.read import read_document


def test_a_numbered_pdf_keeps_every_numbered_line_and_drops_its_running_header_and_footer(tmp_path: Path) -> None:
    document = read_document(numbered_pdf(tmp_path / "numbered.pdf", pages=30))
    lines = document.text.splitlines()
    for number in range(1, numbered_lines_written(30) + 1):  # the first and last of each page stand at its edges
        assert numbered_line(number) in document.text
    assert document.text.count(HEADER) == 1  # the same text on every page: kept on the first only
    assert not [line for line in lines if line.startswith("Page ")]  # "Page n of 30": counts the pages


def test_every_numbered_line_and_every_sentence_of_a_one_line_file_is_a_requirement(tmp_path: Path) -> None:
    assert read_and_analyse(numbered_pdf(tmp_path / "numbered.pdf", pages=30))["numbered_requirements"] == 719
    markdown, sentences = one_line_markdown(tmp_path / "one-line.md", kilobytes=20)
    assert read_and_analyse(markdown)["requirements"] == sentences
