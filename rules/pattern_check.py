"""spaCy's own check of token patterns, run once per rules version and remembered, so scans need not import spaCy.

Importing spaCy costs the scanning process ~1.4 s and ~80 MB that it never uses again (its workers do the matching).
`pattern_problems` asks spaCy's Matcher (validate=True); `cached_pattern_problems` runs it in a short-lived child
process unless spaCy is already loaded here, and records versions found valid in the user's cache directory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

TokenRow = tuple[str, int, str, list[Any]]  # file, line, pattern id, tokens


def pattern_problems(rows: list[TokenRow]) -> list[tuple[str, int, str]]:
    """(file, line, message) for each token pattern spaCy's Matcher refuses."""
    from spacy.lang.en import English
    from spacy.matcher import Matcher

    matcher = Matcher(English().vocab, validate=True)
    problems = []
    for file, line, pattern_id, tokens in rows:
        try:
            matcher.add(pattern_id, [tokens])
        except Exception as exc:  # spaCy raises several types for bad patterns
            problems.append((file, line, f"bad token pattern: {str(exc).strip().splitlines()[0]}"))
    return problems


def _cache_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "rolesignal" / "valid-token-patterns.txt"


def _key(rules_version: str) -> str:
    try:
        spacy_version = version("spacy")
    except PackageNotFoundError:
        spacy_version = "?"
    return f"{rules_version} spacy-{spacy_version}"


def cached_pattern_problems(rules_version: str, rows: list[TokenRow]) -> list[tuple[str, int, str]]:
    """pattern_problems, skipped for a rules version already found valid with this spaCy version."""
    key = _key(rules_version)
    cache = _cache_file()
    try:
        if key in cache.read_text(encoding="utf-8").splitlines():
            return []
    except OSError:
        pass
    if "spacy" in sys.modules:
        problems = pattern_problems(rows)
    else:
        problems = _in_child(rows)
    if not problems:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            with cache.open("a", encoding="utf-8") as out:
                out.write(key + "\n")
        except OSError:
            pass  # no cache: the check runs again next time, nothing else changes
    return problems


def _in_child(rows: list[TokenRow]) -> list[tuple[str, int, str]]:
    """Run pattern_problems in a child interpreter (its spaCy import leaves with it)."""
    code = (
        "import json, sys; from rolesignal.rules.pattern_check import pattern_problems; "
        "print(json.dumps(pattern_problems(json.load(sys.stdin))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], input=json.dumps(rows), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:  # the check itself could not run: do it here rather than not at all
        return pattern_problems(rows)
    return [tuple(p) for p in json.loads(done.stdout)]
