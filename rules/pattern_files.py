"""The pattern files of a rules directory: named word lists, token and phrase patterns, and the lexicon by concept."""

from __future__ import annotations

import re
from typing import Any

from rolesignal.extractors.types import Pattern
from rolesignal.rules.lexicon_terms import LEXICON, TERM_MATCH, term_pattern, term_twins, term_variants
from rolesignal.rules.rule_reader import RuleReader

WORD_LISTS = "word_lists.jsonl"

# A word of an IN or NOT_IN list (or spaCy's other list predicates) that stands for a named list of word_lists.jsonl.
_REFERENCE = re.compile(r"@([a-z][a-z0-9_]*)")
_LIST_PREDICATES = ("IN", "NOT_IN", "IS_SUBSET", "IS_SUPERSET", "INTERSECTS")


def read_word_lists(check: RuleReader) -> dict[str, tuple[str, ...]]:
    """The named word lists; the file is optional (a rules directory without one can refer to no list)."""
    if not (check.directory / WORD_LISTS).exists():
        return {}
    rows = check.jsonl(WORD_LISTS)
    check.unique(WORD_LISTS, rows)
    lists = {}
    for number, row in rows:
        name, words = row.get("id"), row.get("words")
        if not isinstance(name, str) or not re.fullmatch(_REFERENCE.pattern[1:], name):
            check.add(WORD_LISTS, number, f"list id {name!r} must be lowercase letters, digits and _ (a letter first)")
        elif not isinstance(words, list) or not words or not all(isinstance(w, str) and w for w in words):
            check.add(WORD_LISTS, number, "'words' must be a non-empty list of strings")
        elif nested := [w for w in words if _REFERENCE.fullmatch(w)]:
            check.add(WORD_LISTS, number, f"a word list cannot refer to another list ({nested[0]})")
        else:
            lists[name] = tuple(words)
    return lists


def expand_word_lists(value: Any, lists: dict[str, tuple[str, ...]], unknown: list[str]) -> Any:
    """A copy of a token pattern (or part of one) with each '@name' in a list predicate replaced by that list's words,
    in place; names not in `lists` are kept and appended to `unknown`."""
    if isinstance(value, list):
        return [expand_word_lists(item, lists, unknown) for item in value]
    if not isinstance(value, dict):
        return value
    expanded = {}
    for key, item in value.items():
        if key in _LIST_PREDICATES and isinstance(item, list):
            words: list[Any] = []
            for word in item:
                reference = _REFERENCE.fullmatch(word) if isinstance(word, str) else None
                if reference is None:
                    words.append(word)
                elif reference[1] in lists:
                    words.extend(lists[reference[1]])
                else:
                    unknown.append(word)
                    words.append(word)
            expanded[key] = words
        else:
            expanded[key] = expand_word_lists(item, lists, unknown)
    return expanded


def read_patterns(
    check: RuleReader,
    name: str,
    target_key: str,
    targets: set[str] | tuple[str, ...],
    lists: dict[str, tuple[str, ...]],
) -> list[Pattern]:
    """The patterns of one file, word lists expanded; their token syntax is checked by spaCy later, for all files."""
    rows = check.jsonl(name)
    check.unique(name, rows)
    patterns = []
    for number, row in rows:
        target = row.get(target_key)
        if target not in targets:
            check.add(name, number, f"unknown {target_key} {target!r}")
            continue
        phrase, tokens = row.get("phrase"), row.get("tokens")
        if (phrase is None) == (tokens is None):
            check.add(name, number, "give exactly one of 'phrase' or 'tokens'")
            continue
        if phrase is not None and (not isinstance(phrase, str) or not phrase.strip()):
            check.add(name, number, "'phrase' must be a non-empty string")
            continue
        if tokens is not None and (not isinstance(tokens, list) or not all(isinstance(t, dict) for t in tokens)):
            check.add(name, number, "bad token pattern: 'tokens' must be a list of objects")
            continue
        if tokens is not None:
            slow = [r for r in _regexes(tokens) if _NESTED_QUANTIFIER.search(r)]
            if slow:
                check.add(
                    name,
                    number,
                    f"REGEX {slow[0]!r} repeats a repeated group: it can take exponential time on some text "
                    "(catastrophic backtracking); write the repetition once",
                )
                continue
            unknown: list[str] = []
            tokens = expand_word_lists(tokens, lists, unknown)
            if unknown:
                known = ", ".join(f"@{n}" for n in lists) or "none"
                check.add(name, number, f"unknown word list {unknown[0]} ({WORD_LISTS} defines {known})")
                continue
        patterns.append(
            Pattern(str(row["id"]), target, phrase, tuple(tokens) if tokens is not None else None, name, number)
        )
    return patterns


# A group holding an unbounded repetition, itself repeated without bound: "(a+)+", "(\w*\s?)*", "(x|y+){2,}".
_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*(?:[+*]|\{\d*,\})(?:[^()\\]|\\.)*\)(?:[+*]|\{\d*,\d*\})")


def _regexes(value: Any) -> list[str]:
    """Every REGEX predicate value inside a token pattern."""
    if isinstance(value, list):
        return [r for item in value for r in _regexes(item)]
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k == "REGEX" and isinstance(v, str)]
        return found + [r for v in value.values() for r in _regexes(v)]
    return []


def read_lexicon(check: RuleReader, signals: set[str]) -> list[Pattern]:
    """The vocabulary by concept (optional file): each term becomes a phrase pattern weighted by its specificity."""
    if not (check.directory / LEXICON).exists():
        return []
    rows = check.jsonl(LEXICON)
    check.unique(LEXICON, rows)
    patterns: list[Pattern] = []
    seen: dict[tuple[str, str], str] = {}
    twins: list[tuple[tuple[str, str], str, Pattern]] = []  # (signal, twin) key, concept, pattern
    for number, row in rows:
        concept, signal, specificity = row.get("id"), row.get("signal"), row.get("specificity")
        if signal not in signals:
            check.add(LEXICON, number, f"unknown signal {signal!r}")
            continue
        if isinstance(concept, str) and "/" in concept:
            # A pattern's id is 'lexicon:<concept>/<term>'; the decision counts concepts by the part before the '/'.
            check.add(LEXICON, number, f"concept id {concept!r} must not hold a '/'")
            continue
        if isinstance(specificity, bool) or not isinstance(specificity, int | float) or not 0 < specificity <= 1:
            check.add(LEXICON, number, f"specificity must be a number in (0, 1], not {specificity!r}")
            continue
        if not isinstance(row.get("note"), str) or not row["note"].strip():
            check.add(LEXICON, number, "'note' must say what vocabulary or reading habit the concept stands for")
            continue
        match = row.get("match", "lemma")
        if match not in TERM_MATCH:
            check.add(LEXICON, number, f"match must be one of {sorted(TERM_MATCH)}, not {match!r}")
            continue
        terms = check.strings(LEXICON, number, row, "terms")
        if terms and match == "exact":
            terms = tuple(row["terms"])  # as written: strings() lower-cases
        for term in (" ".join(term.split()) for term in terms):
            for variant in term_variants(term):
                key = (signal, variant.lower())
                if key in seen:
                    if seen[key] != concept:
                        check.add(LEXICON, number, f"term {variant!r} is also in concept {seen[key]!r}")
                    continue
                seen[key] = str(concept)
                pattern_id = f"lexicon:{concept}/{variant}"
                patterns.append(term_pattern(pattern_id, signal, variant, match, number, float(specificity)))
            for twin in term_twins(term) if match != "exact" else ():
                pattern = term_pattern(f"lexicon:{concept}/{twin}", signal, twin, match, number, float(specificity))
                twins.append(((signal, twin.lower()), str(concept), pattern))
    # Twins come after every term as written: a twin some concept states itself keeps that concept's specificity.
    for key, concept, pattern in twins:
        if key not in seen:
            seen[key] = concept
            patterns.append(pattern)
    return patterns
