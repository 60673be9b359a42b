"""Reading rule files: rows with their line numbers, and every problem named by file and line."""

from __future__ import annotations

from pathlib import Path

from rolesignal.rules.rule_reader import RuleReader


def test_jsonl_rows_keep_their_line_numbers_past_blank_and_comment_lines(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('// a comment\n\n{"id": "x"}\n[1]\n{"id": "y"\n{"id": "x"}\n', encoding="utf-8")
    reader = RuleReader(tmp_path)
    rows = reader.jsonl("a.jsonl")
    reader.unique("a.jsonl", rows)
    assert rows == [(3, {"id": "x"}), (6, {"id": "x"})]
    assert [(p.file, p.line) for p in reader.problems] == [("a.jsonl", 4), ("a.jsonl", 5), ("a.jsonl", 6)]
    assert "each line must be a JSON object" in reader.problems[0].message
    assert "not valid JSON" in reader.problems[1].message
    assert "duplicate id 'x' (first on line 3)" in reader.problems[2].message


def test_a_missing_file_is_a_problem_and_no_rows(tmp_path: Path) -> None:
    reader = RuleReader(tmp_path)
    assert reader.jsonl("gone.jsonl") == []
    assert [(p.file, p.line, p.message) for p in reader.problems] == [("gone.jsonl", 0, "file is missing")]


def test_strings_are_lower_cased_and_must_be_a_non_empty_list(tmp_path: Path) -> None:
    reader = RuleReader(tmp_path)
    assert reader.strings("f", 1, {"terms": ["PyTorch", "JAX"]}, "terms") == ("pytorch", "jax")
    assert reader.strings("f", 2, {"terms": []}, "terms") == ()
    assert reader.strings("f", 3, {"terms": ["ok", " "]}, "terms") == ()
    assert [p.line for p in reader.problems] == [2, 3]
