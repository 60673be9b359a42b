"""Load the rules directory (patterns, signals, sections, weights) into a validated RuleSet with a version hash."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import yaml

from rolesignal.extractors.types import STRENGTHS, Pattern, SectionType
from rolesignal.extractors.version import CODE_VERSION
from rolesignal.rules.errors import Problem, RulesError
from rolesignal.rules.lexicon_terms import LEXICON, TERM_MATCH, term_pattern, term_twins, term_variants
from rolesignal.rules.pattern_check import cached_pattern_problems
from rolesignal.rules.scoring_check import scoring_problems
from rolesignal.rules.types import DOC_KINDS, ROLES, SIDES, PhraseCue, RuleSet, Signal

DEFAULT_DIR = Path(__file__).resolve().parent
WORD_LISTS = "word_lists.jsonl"
OTHER_WORK = "other_work.jsonl"
RULE_FILES = (
    "signals.jsonl",
    WORD_LISTS,
    "signal_patterns.jsonl",
    LEXICON,
    "cues.jsonl",
    "sections.jsonl",
    "doc_kinds.jsonl",
    "titles.jsonl",
    OTHER_WORK,
    "scoring.yaml",
)
CUE_KINDS = (
    "required",  # an obligation of the hire or vendor
    "mandatory",  # an obligation strong enough to make a responsibility required ("must")
    "preferred",  # nice to have
    "conditional",  # "If you ..." - preferred inside a requirement section, nothing outside one
    "responsibility",
    "deliverable",
    "action",  # a sentence that starts with a work verb
    "statement",  # names a party or an obligation: what makes prose in a narrative-prone section count
    "hedge",  # a lead-in that makes the items after it optional ("such as:", "could include:")
    "exclude",  # never a requirement (logistics, pay)
    "legal",  # equal-opportunity and legal text: never a requirement, nor is the rest of its section after it
    "setting",  # where the role sits or what the employer does, not what the hire will: no requirement in a job posting
    "waived",  # "not required": no requirement, unless a preference is stated too ("a plus but not required")
)


def rules_version(directory: Path) -> str:
    """Hash of the rules files plus the code versions that interpret them."""
    digest = hashlib.sha256(f"code={CODE_VERSION}".encode())
    for name in RULE_FILES:
        path = directory / name
        digest.update(name.encode() + b"\0")
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
    return digest.hexdigest()[:12]


class _Checker:
    """Collects problems with file and line while reading rule files."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.problems: list[Problem] = []

    def add(self, file: str, line: int, message: str) -> None:
        self.problems.append(Problem(file, line, message))

    def text(self, name: str) -> str | None:
        """The file's text, or None (and a problem) when it is missing."""
        path = self.directory / name
        if not path.exists():
            self.add(name, 0, "file is missing")
            return None
        return path.read_text(encoding="utf-8")

    def jsonl(self, name: str) -> list[tuple[int, dict[str, Any]]]:
        text = self.text(name)
        if text is None:
            return []
        rows = []
        for number, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip() or raw.lstrip().startswith("//"):
                continue
            try:
                row = json.loads(raw)
            except json.JSONDecodeError as exc:
                self.add(name, number, f"not valid JSON: {exc.msg} (column {exc.colno})")
                continue
            except RecursionError:
                self.add(name, number, "nested too deeply to be a rule (JSON arrays or objects inside each other)")
                continue
            if not isinstance(row, dict):
                self.add(name, number, "each line must be a JSON object")
                continue
            rows.append((number, row))
        return rows

    def unique(self, name: str, rows: list[tuple[int, dict[str, Any]]]) -> None:
        seen: dict[str, int] = {}
        for number, row in rows:
            rid = row.get("id")
            if not isinstance(rid, str) or not rid:
                self.add(name, number, "missing 'id'")
            elif rid in seen:
                self.add(name, number, f"duplicate id {rid!r} (first on line {seen[rid]})")
            else:
                seen[rid] = number

    def strings(self, name: str, number: int, row: dict[str, Any], key: str) -> tuple[str, ...]:
        value = row.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
            self.add(name, number, f"'{key}' must be a non-empty list of strings")
            return ()
        return tuple(v.lower() for v in value)


# A word of an IN or NOT_IN list (or spaCy's other list predicates) that stands for a named list of word_lists.jsonl.
_REFERENCE = re.compile(r"@([a-z][a-z0-9_]*)")
_LIST_PREDICATES = ("IN", "NOT_IN", "IS_SUBSET", "IS_SUPERSET", "INTERSECTS")


def _word_lists(check: _Checker) -> dict[str, tuple[str, ...]]:
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


def _patterns(
    check: _Checker,
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


def _lexicon(check: _Checker, signals: set[str]) -> list[Pattern]:
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


def _signals(check: _Checker) -> dict[str, Signal]:
    name = "signals.jsonl"
    rows = check.jsonl(name)
    check.unique(name, rows)
    signals = {}
    for number, row in rows:
        missing = [k for k in ("id", "side", "weight", "label", "guide_passage") if k not in row]
        if missing:
            check.add(name, number, f"missing {', '.join(missing)}")
            continue
        if row["side"] not in SIDES:
            check.add(name, number, f"side must be one of {SIDES}, not {row['side']!r}")
            continue
        weight = row["weight"]
        if not isinstance(weight, int | float) or not 0 < weight <= 5:
            check.add(name, number, f"weight must be a number in (0, 5], not {weight!r}")
            continue
        signals[row["id"]] = Signal(
            row["id"], row["side"], float(weight), row["label"], row.get("summary", ""), row["guide_passage"]
        )
    return signals


def _sections(check: _Checker) -> list[SectionType]:
    name = "sections.jsonl"
    rows = check.jsonl(name)
    check.unique(name, rows)
    sections = []
    for number, row in rows:
        strength, rfp_strength = row.get("strength", ""), row.get("rfp_strength", "")
        if any(value and value not in STRENGTHS for value in (strength, rfp_strength)):
            check.add(name, number, f"strength and rfp_strength must be one of {STRENGTHS} or empty")
            continue
        headings = check.strings(name, number, row, "headings")
        prefixes = tuple(p.lower() for p in row.get("prefixes", []))
        sections.append(
            SectionType(
                row["id"],
                strength,
                bool(row.get("bears_requirements")),
                float(row.get("weight", 0)),
                headings,
                prefixes,
                rfp_strength,
                bool(row.get("prose_needs_cue")),
            )
        )
    return sections


def _phrase_cues(check: _Checker, name: str, key: str, targets: tuple[str, ...]) -> list[PhraseCue]:
    rows = check.jsonl(name)
    check.unique(name, rows)
    cues = []
    for number, row in rows:
        if row.get(key) not in targets:
            check.add(name, number, f"unknown {key} {row.get(key)!r}")
            continue
        cues.append(
            PhraseCue(row["id"], row[key], float(row.get("weight", 1)), check.strings(name, number, row, "phrases"))
        )
    return cues


def _other_work(check: _Checker) -> list[PhraseCue]:
    """Words for work of neither role, by concept (optional file): each concept's terms are one cue."""
    if not (check.directory / OTHER_WORK).exists():
        return []
    rows = check.jsonl(OTHER_WORK)
    check.unique(OTHER_WORK, rows)
    cues = []
    for number, row in rows:
        if not isinstance(row.get("note"), str) or not row["note"].strip():
            check.add(OTHER_WORK, number, "'note' must say what work the concept stands for and why it is neither role")
            continue
        if check.strings(OTHER_WORK, number, row, "terms"):  # validated; kept as written, to be shown as written
            terms = tuple(dict.fromkeys(" ".join(t.split()) for t in row["terms"]))
            if wordless := [t for t in terms if not re.search(r"\w", t)]:
                check.add(OTHER_WORK, number, f"a term must hold a word, not {wordless[0]!r}")
                continue
            cues.append(PhraseCue(str(row["id"]), str(row["id"]), 1.0, terms))
    return cues


def _scoring(check: _Checker, signal_ids: set[str]) -> dict[str, Any]:
    name = "scoring.yaml"
    text = check.text(name)
    if text is None:
        return {}
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", -1) + 1
        check.add(name, line, f"not valid YAML: {getattr(exc, 'problem', exc)}")
        return {}
    if not isinstance(data, dict):
        check.add(name, 1, "must be a mapping")
        return {}
    for message in scoring_problems(data, signal_ids):
        check.add(name, 0, message)
    return data


# Rule sets this process has loaded, by directory and version. The version hashes the files' bytes, so a cached set
# is exactly what reading them again would give; parsing and validating cost a no-change rescan ~30 ms.
_LOADED: dict[tuple[Path, str], RuleSet] = {}


def load_rules(directory: Path | str | None = None) -> RuleSet:
    """Read and validate a rules directory; raise RulesError listing every problem."""
    directory = Path(directory) if directory is not None else DEFAULT_DIR
    if not directory.is_dir():
        raise RulesError([Problem(str(directory), 0, "not a directory")])
    version = rules_version(directory)
    if (loaded := _LOADED.get((directory, version))) is not None:
        return loaded
    check = _Checker(directory)
    signals = _signals(check)
    lists = _word_lists(check)
    signal_patterns = _patterns(check, "signal_patterns.jsonl", "signal", set(signals), lists)
    signal_patterns += _lexicon(check, set(signals))
    cues = _patterns(check, "cues.jsonl", "kind", CUE_KINDS, lists)
    sections = _sections(check)
    doc_kinds = _phrase_cues(check, "doc_kinds.jsonl", "kind", DOC_KINDS)
    titles = _phrase_cues(check, "titles.jsonl", "role", ROLES)
    other_work = _other_work(check)
    scoring = _scoring(check, set(signals))
    token_rows = [(p.file, p.line, p.id, list(p.tokens)) for p in (*signal_patterns, *cues) if p.tokens is not None]
    for file, line, message in cached_pattern_problems(version, token_rows):
        check.add(file, line, message)
    if check.problems:
        raise RulesError(check.problems)
    loaded = _LOADED[(directory, version)] = RuleSet(
        directory=directory,
        version=version,
        signals=signals,
        signal_patterns=tuple(signal_patterns),
        cues=tuple(cues),
        sections=tuple(sections),
        doc_kinds=tuple(doc_kinds),
        titles=tuple(titles),
        scoring=scoring,
        other_work=tuple(other_work),
    )
    return loaded


# Every pattern costs each reader process memory and start-up time (benchmarks/hostile_sizes.py: ~30 MB and ~1.2 s
# per 10,000 phrase patterns); the bundled rules hold ~5,500. Past this many the cost is worth a word to the user.
MANY_PATTERNS = 25_000


def size_warning(ruleset: RuleSet) -> str | None:
    """A sentence on what so many patterns cost each reader process, or None for a rules set of ordinary size."""
    count = len(ruleset.signal_patterns) + len(ruleset.cues)
    if count <= MANY_PATTERNS:
        return None
    return (
        f"{count:,} patterns (more than {MANY_PATTERNS:,}): each reader process will need about "
        f"{30 * count // 10_000:,} MB and {1.2 * count / 10_000:.0f} s to build its matchers (about 30 MB and 1.2 s "
        "per 10,000 patterns); prune the lexicon if that is more than you meant"
    )


def check_rules(directory: Path | str | None = None) -> list[Problem]:
    """Every problem in a rules directory (empty when it is valid)."""
    try:
        load_rules(directory)
    except RulesError as exc:
        return exc.problems
    return []
