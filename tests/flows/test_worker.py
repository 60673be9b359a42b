"""The worker side: one file read and analysed in this process, every failure a record."""

from __future__ import annotations

from pathlib import Path

from rolesignal.flows.analyse import Analyzer
from rolesignal.flows.worker import process_file
from rolesignal.rules.types import RuleSet
from rolesignal.warehouse.types import Failed, Processed, SeenFile
from tests.flows.documents import AI_POSTING


def seen(path: Path) -> SeenFile:
    return SeenFile(str(path), 0, 0, "h")


def test_a_readable_file_is_processed_and_failures_are_records(tmp_path: Path, builtin_rules: RuleSet) -> None:
    analyzer = Analyzer(builtin_rules)
    (tmp_path / "posting.txt").write_text(AI_POSTING)
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    ok, legacy, missing = (
        process_file(seen(tmp_path / name), analyzer) for name in ("posting.txt", "old.doc", "gone.pdf")
    )
    assert isinstance(ok, Processed) and ok.analysis.classification.role == "ai_developer"
    assert ok.document.content_hash == ok.analysis.content_hash
    assert isinstance(legacy, Failed) and legacy.error_type == "unsupported_format"
    assert isinstance(missing, Failed) and missing.error_type == "unreadable"
    assert missing.message == "cannot read the file (No such file or directory): check the path and permissions"
