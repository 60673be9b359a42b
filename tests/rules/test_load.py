"""The rules directory loads, validates with file and line, and hashes into a version."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rolesignal.rules.errors import RulesError
from rolesignal.rules.load import DEFAULT_DIR, check_rules, load_rules
from rolesignal.rules.types import RuleSet


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(DEFAULT_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def append(path: Path, line: str) -> int:
    """Append a line and return its 1-based line number."""
    text = path.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(text + line + "\n", encoding="utf-8")
    return len((text + line).splitlines())


def test_builtin_rules_load() -> None:
    rules = load_rules()
    assert len(rules.signals) == 22
    assert rules.signal_patterns and rules.cues and rules.sections
    assert len(rules.version) == 12


def test_copy_has_same_version(rules_copy: Path) -> None:
    assert load_rules(rules_copy).version == load_rules().version


def test_any_change_changes_version(rules_copy: Path) -> None:
    before = load_rules(rules_copy).version
    scoring = rules_copy / "scoring.yaml"
    scoring.write_text(scoring.read_text().replace("max_hits_per_signal: 3", "max_hits_per_signal: 4"))
    assert load_rules(rules_copy).version != before


def test_loaded_rules_are_reused_until_a_file_changes(rules_copy: Path) -> None:
    first = load_rules(rules_copy)
    assert load_rules(rules_copy) is first
    scoring = rules_copy / "scoring.yaml"
    scoring.write_text(scoring.read_text().replace("max_hits_per_signal: 3", "max_hits_per_signal: 4"))
    changed = load_rules(rules_copy)
    assert changed is not first and changed.scoring["max_hits_per_signal"] == 4


def test_a_broken_change_is_reported_after_a_good_load(rules_copy: Path) -> None:
    load_rules(rules_copy)
    append(rules_copy / "signals.jsonl", "{not json")
    with pytest.raises(RulesError):
        load_rules(rules_copy)


def test_unknown_signal_reported_with_line(rules_copy: Path) -> None:
    line = append(rules_copy / "signal_patterns.jsonl", '{"id": "x/1", "signal": "ml.nope", "phrase": "foo"}')
    problems = check_rules(rules_copy)
    assert [(p.file, p.line) for p in problems] == [("signal_patterns.jsonl", line)]
    assert "unknown signal 'ml.nope'" in problems[0].message


def test_duplicate_id_reported(rules_copy: Path) -> None:
    line = append(rules_copy / "cues.jsonl", '{"id": "cue/must", "kind": "required", "phrase": "must"}')
    problems = check_rules(rules_copy)
    assert [(p.file, p.line) for p in problems] == [("cues.jsonl", line)]
    assert "duplicate id 'cue/must'" in problems[0].message


def test_bad_token_pattern_reported(rules_copy: Path) -> None:
    line = append(rules_copy / "cues.jsonl", '{"id": "cue/bad", "kind": "required", "tokens": [{"LOWR": "x"}]}')
    problems = check_rules(rules_copy)
    assert [(p.file, p.line) for p in problems] == [("cues.jsonl", line)]
    assert problems[0].message.startswith("bad token pattern")


def test_invalid_json_reported(rules_copy: Path) -> None:
    line = append(rules_copy / "signals.jsonl", '{"id": "ml.x", ')
    problems = check_rules(rules_copy)
    assert [(p.file, p.line) for p in problems] == [("signals.jsonl", line)]
    assert "not valid JSON" in problems[0].message


def test_missing_file_reported(rules_copy: Path) -> None:
    (rules_copy / "titles.jsonl").unlink()
    with pytest.raises(RulesError) as info:
        load_rules(rules_copy)
    assert [(p.file, p.message) for p in info.value.problems] == [("titles.jsonl", "file is missing")]


def test_unknown_question_signal_reported(rules_copy: Path) -> None:
    scoring = rules_copy / "scoring.yaml"
    scoring.write_text(scoring.read_text().replace('"yes": [ml.non_text_modality]', '"yes": [ml.vision]'))
    problems = check_rules(rules_copy)
    assert [p.message for p in problems] == ["questions.non_text_modality.yes: unknown signal id 'ml.vision'"]


@pytest.mark.parametrize("value", ["1.5", "yes", "'half'"])
def test_a_title_prior_outside_0_to_1_is_a_problem(rules_copy: Path, value: str) -> None:
    scoring = rules_copy / "scoring.yaml"
    scoring.write_text(scoring.read_text().replace("title_prior_confidence: 0.5", f"title_prior_confidence: {value}"))
    with pytest.raises(RulesError, match="title_prior_confidence must be a number from 0 to 1"):
        load_rules(rules_copy)


def lexicon_only(rules_dir: Path, *concepts: dict[str, object]) -> RuleSet:
    """The rules with only these lexicon concepts: the mechanism alone (the built-in vocabulary has most terms)."""
    (rules_dir / "lexicon.jsonl").write_text("".join(json.dumps(c) + "\n" for c in concepts), encoding="utf-8")
    return load_rules(rules_dir)


def concept(id_: str, signal: str, specificity: float, terms: list[str], **extra: str) -> dict[str, object]:
    """A lexicon.jsonl row (its note says nothing: these tests are about the mechanism)."""
    return {"id": id_, "signal": signal, "specificity": specificity, "terms": terms, "note": "n", **extra}


def test_lexicon_terms_become_weighted_phrases_with_hyphen_twins(rules_copy: Path) -> None:
    rules = lexicon_only(
        rules_copy, concept("vision_test", "ml.non_text_modality", 0.7, ["Computer Vision", "image-recognition"])
    )
    found = {p.phrase: p.weight for p in rules.signal_patterns if p.id.startswith("lexicon:vision_test/")}
    assert found == {"computer vision": 0.7, "computer-vision": 0.7, "image-recognition": 0.7, "image recognition": 0.7}


def test_a_concept_id_with_a_slash_is_a_problem(rules_copy: Path) -> None:
    # The decision counts a side's concepts by the part of a pattern id before its '/'.
    with pytest.raises(RulesError, match="concept id 'vision/extra' must not hold a '/'"):
        lexicon_only(rules_copy, concept("vision/extra", "ml.non_text_modality", 0.7, ["computer vision"]))


def test_a_task_noun_gets_its_verb_twin(rules_copy: Path) -> None:
    tasks = [
        "fraud detection",
        "face recognition",
        "automatic classification",
        "entity extraction",
        "information extraction",
    ]
    rules = lexicon_only(rules_copy, concept("tasks", "ml.predictive_use_case", 0.7, tasks))
    found = {p.phrase for p in rules.signal_patterns if p.id.startswith("lexicon:tasks/")}
    assert {"detect fraud", "recognise face", "recognize face", "extract entity"} <= found
    assert not any(phrase.startswith("classify") for phrase in found)  # "automatic" is no object
    assert "extract information" not in found  # everyday work, unlike the field "information extraction"


def test_a_term_gets_its_abbreviation_and_spelling_twins(rules_copy: Path) -> None:
    terms = ["ML inference", "model quantization", "machine learning", "fine-tuning"]
    rules = lexicon_only(rules_copy, concept("twins", "ml.inference_optimisation", 0.7, terms))
    found = {p.phrase for p in rules.signal_patterns if p.id.startswith("lexicon:twins/")}
    assert {"machine learning inference", "model quantisation", "finetuning", "fine tuning"} <= found
    assert "ml" not in found  # an abbreviation alone is too broad a term


def test_a_twin_another_concept_states_keeps_that_concept(rules_copy: Path) -> None:
    # No "also in concept" problem: the twin gives way.
    rules = lexicon_only(
        rules_copy,
        concept("short", "ml.training", 0.4, ["ML models"]),
        concept("long", "ml.training", 0.8, ["machine learning models"]),
    )
    found = {p.phrase: p.id for p in rules.signal_patterns if p.id.startswith("lexicon:")}
    assert found["machine learning models"] == "lexicon:long/machine learning models"
    assert found["ml models"] == "lexicon:short/ml models"


def test_lexicon_terms_matched_as_written_become_token_patterns(rules_copy: Path) -> None:
    rules = lexicon_only(
        rules_copy,
        concept("named", "ml.data_pipelines", 0.8, ["Scale AI"], match="exact"),
        concept("written", "ml.hardware_constraints", 0.8, ["Embedded AI"], match="lower"),
    )
    found = {p.id: p.tokens for p in rules.signal_patterns if p.id.startswith(("lexicon:named/", "lexicon:written/"))}
    assert found == {
        "lexicon:named/Scale AI": ({"ORTH": "Scale"}, {"ORTH": "AI"}),
        "lexicon:named/Scale-AI": ({"ORTH": "Scale"}, {"ORTH": "-"}, {"ORTH": "AI"}),
        "lexicon:written/embedded ai": ({"LOWER": "embedded"}, {"LOWER": "ai"}),
        "lexicon:written/embedded-ai": ({"LOWER": "embedded"}, {"LOWER": "-"}, {"LOWER": "ai"}),
        "lexicon:written/embedded artificial intelligence": (
            {"LOWER": "embedded"},
            {"LOWER": "artificial"},
            {"LOWER": "intelligence"},
        ),
        "lexicon:written/embedded-artificial-intelligence": (
            {"LOWER": "embedded"},
            {"LOWER": "-"},
            {"LOWER": "artificial"},
            {"LOWER": "-"},
            {"LOWER": "intelligence"},
        ),
    }


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ('{"id": "c", "signal": "ml.nope", "specificity": 0.5, "terms": ["x"], "note": "n"}', "unknown signal"),
        ('{"id": "c", "signal": "ml.training", "specificity": 1.5, "terms": ["x"], "note": "n"}', "specificity"),
        ('{"id": "c", "signal": "ml.training", "specificity": 0.5, "terms": ["x"]}', "'note' must say"),
        ('{"id": "c", "signal": "ml.training", "specificity": 0.5, "terms": [], "note": "n"}', "non-empty list"),
        (
            '{"id": "c", "signal": "ml.training", "specificity": 0.5, "match": "regex", "terms": ["x"], "note": "n"}',
            "match",
        ),
    ],
)
def test_a_bad_lexicon_entry_is_reported_with_its_line(rules_copy: Path, row: str, message: str) -> None:
    line = append(rules_copy / "lexicon.jsonl", row)
    problems = check_rules(rules_copy)
    assert [(p.file, p.line) for p in problems] == [("lexicon.jsonl", line)]
    assert message in problems[0].message


def test_a_term_in_two_concepts_of_one_signal_is_reported(rules_copy: Path) -> None:
    row = '{{"id": "{}", "signal": "ml.training", "specificity": 0.5, "terms": ["{}"], "note": "n"}}'
    append(rules_copy / "lexicon.jsonl", row.format("a", "zz"))
    line = append(rules_copy / "lexicon.jsonl", row.format("b", "ZZ"))
    problems = check_rules(rules_copy)
    assert [(p.file, p.line) for p in problems] == [("lexicon.jsonl", line)]
    assert "also in concept 'a'" in problems[0].message


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('negations: ["no",', 'negations: [["no"],', "negations must be a list of words"),
        ("max_hits_per_signal: 3", "max_hits_per_signal: three", "max_hits_per_signal must be a number"),
        ("negation_window: 5", "negation_window: [5]", "negation_window must be a number"),
        ("  required: 1.0\n", "  required: heavy\n", "strength_weights.required must be a number"),
        ("lemma_overrides:\n", "lemma_overrides: 3\nold_overrides:\n", "lemma_overrides must be a mapping"),
        ('tool_use_phrases: ["GitHub', 'tool_use_phrases: [3, "GitHub', "tool_use_phrases must be a list of phrases"),
        ("tool_use_phrases: [", "tool_use_phrases: 3\nold_phrases: [", "tool_use_phrases must be a list of phrases"),
    ],
)
def test_scoring_values_are_type_checked_not_only_present(rules_copy: Path, old: str, new: str, message: str) -> None:
    scoring = rules_copy / "scoring.yaml"
    text = scoring.read_text()
    assert old in text
    scoring.write_text(text.replace(old, new, 1))
    assert any(message in p.message for p in check_rules(rules_copy))


def test_deeply_nested_json_is_a_problem_not_a_crash(rules_copy: Path) -> None:
    line = append(rules_copy / "cues.jsonl", "[" * 100_000 + "]" * 100_000)
    problems = check_rules(rules_copy)
    assert [(p.file, p.line) for p in problems] == [("cues.jsonl", line)]
    assert "nested too deeply" in problems[0].message


def test_a_regex_that_can_backtrack_for_ever_is_refused_naming_the_rule(rules_copy: Path) -> None:
    row = '{"id": "cue/slow", "kind": "required", "tokens": [{"TEXT": {"REGEX": "^(a+)+$"}}]}'
    line = append(rules_copy / "cues.jsonl", row)
    problems = check_rules(rules_copy)
    assert [(p.file, p.line) for p in problems] == [("cues.jsonl", line)]
    assert "catastrophic backtracking" in problems[0].message and "(a+)+" in problems[0].message
    ok = '{"id": "cue/fine", "kind": "required", "tokens": [{"TEXT": {"REGEX": "^[A-Z]{2,5}-\\\\d+$"}}]}'
    (rules_copy / "cues.jsonl").write_text((rules_copy / "cues.jsonl").read_text().replace(row, ok))
    assert check_rules(rules_copy) == []
