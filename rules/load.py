"""Load the rules directory (patterns, signals, sections, weights) into a validated RuleSet with a version hash."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import yaml

from rolesignal.extractors.types import STRENGTHS, SectionType
from rolesignal.extractors.version import CODE_VERSION
from rolesignal.rules.errors import Problem, RulesError
from rolesignal.rules.lexicon_terms import LEXICON
from rolesignal.rules.pattern_check import cached_pattern_problems
from rolesignal.rules.pattern_files import WORD_LISTS, read_lexicon, read_patterns, read_word_lists
from rolesignal.rules.rule_reader import RuleReader
from rolesignal.rules.scoring_check import scoring_problems
from rolesignal.rules.types import DOC_KINDS, ROLES, SIDES, PhraseCue, RuleSet, Signal

DEFAULT_DIR = Path(__file__).resolve().parent
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


def _signals(check: RuleReader) -> dict[str, Signal]:
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


def _sections(check: RuleReader) -> list[SectionType]:
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


def _phrase_cues(check: RuleReader, name: str, key: str, targets: tuple[str, ...]) -> list[PhraseCue]:
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


def _other_work(check: RuleReader) -> list[PhraseCue]:
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


def _scoring(check: RuleReader, signal_ids: set[str]) -> dict[str, Any]:
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
    check = RuleReader(directory)
    signals = _signals(check)
    lists = read_word_lists(check)
    signal_patterns = read_patterns(check, "signal_patterns.jsonl", "signal", set(signals), lists)
    signal_patterns += read_lexicon(check, set(signals))
    cues = read_patterns(check, "cues.jsonl", "kind", CUE_KINDS, lists)
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
