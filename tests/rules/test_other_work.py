"""Words for work of neither role (rules/other_work.jsonl): found whole, each once, and validated on load."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rolesignal.rules.load import DEFAULT_DIR, check_rules, load_rules
from rolesignal.rules.other_work import other_work_terms
from rolesignal.rules.types import PhraseCue


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(DEFAULT_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


CUES = (PhraseCue("analytics", "analytics", 1.0, ("dashboard", "BI", "Power BI", "self-service analytics", "KPI")),)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Build Power BI dashboards and a KPI tree", ("Power BI", "dashboard", "KPI")),
        # A plural and a repeat count once; a hyphen or a line break between words is a space.
        ("Dashboards, more dashboards, one dashboard; KPIs", ("dashboard", "KPI")),
        ("Self service\nanalytics for the finance team", ("self-service analytics",)),
        # A term is whole words: no "BI" in "bi-weekly", "BIOS" or "BI-annual".
        ("Send bi-weekly reports; update the BIOS; a BI-annual review", ()),
        ("Train transformer models on GPUs", ()),
    ],
)
def test_terms_are_found_whole_and_once(text: str, expected: tuple[str, ...]) -> None:
    assert other_work_terms(text, CUES) == expected


def test_no_vocabulary_finds_nothing() -> None:
    assert other_work_terms("Power BI dashboards", ()) == ()


def test_the_bundled_vocabulary_loads_as_written() -> None:
    [cue] = load_rules().other_work
    assert cue.id == "analytics_reporting" and "Power BI" in cue.phrases and "Tableau" in cue.phrases


def test_a_concept_without_a_note_is_a_problem(rules_copy: Path) -> None:
    with (rules_copy / "other_work.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"id": "spreadsheets", "terms": ["Excel"]}\n')
    [problem] = check_rules(rules_copy)
    assert (problem.file, problem.line) == ("other_work.jsonl", 2) and "'note'" in problem.message


def test_a_term_without_a_word_is_a_problem(rules_copy: Path) -> None:
    """A term of only dashes would match every gap between words."""
    with (rules_copy / "other_work.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"id": "dashes", "terms": ["--"], "note": "a slip of the keyboard"}\n')
    [problem] = check_rules(rules_copy)
    assert (problem.file, problem.line) == ("other_work.jsonl", 2) and "must hold a word" in problem.message


def test_the_file_is_optional(rules_copy: Path) -> None:
    (rules_copy / "other_work.jsonl").unlink()
    assert load_rules(rules_copy).other_work == ()
