"""Named word lists (rules/word_lists.jsonl): written once, referred to from patterns as '@name', expanded on load."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rolesignal.rules.load import DEFAULT_DIR, WORD_LISTS, check_rules, load_rules
from tests.rules import test_load

rules_copy = test_load.rules_copy  # the fixture: a copy of the built-in rules to break


def append(path: Path, row: dict) -> int:
    """Append a JSON line and return its 1-based line number."""
    return test_load.append(path, json.dumps(row))


def _words(name: str) -> list[str]:
    for line in (DEFAULT_DIR / WORD_LISTS).read_text(encoding="utf-8").splitlines():
        if line.strip() and (row := json.loads(line))["id"] == name:
            return row["words"]
    raise KeyError(name)


def test_a_reference_expands_in_place(rules_copy: Path) -> None:
    append(rules_copy / WORD_LISTS, {"id": "pets", "words": ["cat", "dog"]})
    tokens = [{"LEMMA": "train"}, {"LOWER": {"NOT_IN": ["staff", "@pets", "team"]}, "OP": "?"}, {"LEMMA": "model"}]
    append(rules_copy / "signal_patterns.jsonl", {"id": "ml.training/x", "signal": "ml.training", "tokens": tokens})
    pattern = next(p for p in load_rules(rules_copy).signal_patterns if p.id == "ml.training/x")
    assert pattern.tokens[1] == {"LOWER": {"NOT_IN": ["staff", "cat", "dog", "team"]}, "OP": "?"}


def test_bundled_references_expand_to_the_whole_list() -> None:
    pattern = next(p for p in load_rules().signal_patterns if p.id == "ml.training/train-model")
    assert pattern.tokens[1]["LOWER"]["NOT_IN"] == _words("user_training_words") + _words("gap_words")


def test_an_unknown_reference_is_reported_with_file_and_line(rules_copy: Path) -> None:
    tokens = [{"LOWER": {"IN": ["@no_such_list"]}}]
    line = append(rules_copy / "cues.jsonl", {"id": "cue/x", "kind": "required", "tokens": tokens})
    problems = check_rules(rules_copy)
    assert [(p.file, p.line) for p in problems] == [("cues.jsonl", line)]
    assert problems[0].message.startswith("unknown word list @no_such_list (word_lists.jsonl defines @gap_words")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"id": "pets", "words": []}, "'words' must be a non-empty list of strings"),
        ({"id": "pets", "words": "cat dog"}, "'words' must be a non-empty list of strings"),
        ({"id": "Pets!", "words": ["cat"]}, "list id 'Pets!' must be lowercase letters, digits and _ (a letter first)"),
        ({"id": "pets", "words": ["cat", "@gap_words"]}, "a word list cannot refer to another list (@gap_words)"),
    ],
)
def test_a_malformed_list_is_reported_with_file_and_line(rules_copy: Path, row: dict, message: str) -> None:
    line = append(rules_copy / WORD_LISTS, row)
    assert [(p.file, p.line, p.message) for p in check_rules(rules_copy)] == [(WORD_LISTS, line, message)]


def test_a_directory_without_word_lists_loads_when_nothing_refers_to_one(rules_copy: Path) -> None:
    """A team's copy of the rules from before word lists keeps working."""
    (rules_copy / WORD_LISTS).unlink()
    patterns = rules_copy / "signal_patterns.jsonl"
    patterns.write_text("".join(line + "\n" for line in patterns.read_text().splitlines() if "@" not in line))
    assert check_rules(rules_copy) == []


def test_word_lists_are_part_of_the_rules_version(rules_copy: Path) -> None:
    before = load_rules(rules_copy).version
    append(rules_copy / WORD_LISTS, {"id": "pets", "words": ["cat"]})
    assert load_rules(rules_copy).version != before


def _value_lists(value: object) -> list[list]:
    """Every list of words (IN, NOT_IN, ...) inside a token pattern, as written."""
    if isinstance(value, dict):
        return [v for v in value.values() if isinstance(v, list)] + [
            found for v in value.values() if isinstance(v, dict | list) for found in _value_lists(v)
        ]
    if isinstance(value, list):
        return [found for item in value for found in _value_lists(item)]
    return []


def test_bundled_patterns_paste_no_named_list() -> None:
    """A named list is referred to, never copied: no list as written contains every word of one."""
    lists = {
        row["id"]: set(row["words"])
        for line in (DEFAULT_DIR / WORD_LISTS).read_text(encoding="utf-8").splitlines()
        if line.strip()
        for row in [json.loads(line)]
    }
    pasted = []
    for name in ("signal_patterns.jsonl", "cues.jsonl"):
        for number, line in enumerate((DEFAULT_DIR / name).read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            for words in _value_lists(json.loads(line).get("tokens", [])):
                pasted += [f"{name}:{number} @{n}" for n, listed in lists.items() if listed <= set(map(str, words))]
    assert pasted == []
