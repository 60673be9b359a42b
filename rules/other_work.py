"""Find the words of other_work.jsonl in a document: work it asks for that is neither role (dashboards, BI tools)."""

from __future__ import annotations

import re
from functools import lru_cache

from rolesignal.rules.types import PhraseCue

# Words stand apart: "BI" is not the start of "bi-weekly", "Looker" not part of "onlooker".
_EDGE_BEFORE, _EDGE_AFTER = r"(?<![\w-])", r"(?![\w-])"
_GAP = re.compile(r"[\s-]+")


@lru_cache(maxsize=8)
def _finder(cues: tuple[PhraseCue, ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    """One regex for every term and its plural (longest first, so "Power BI" is found whole, not as "BI"), and each
    term's key."""
    terms = sorted({term for cue in cues for term in cue.phrases}, key=len, reverse=True)
    alternatives = (r"[\s-]+".join(re.escape(word) for word in _GAP.split(term)) + "s?" for term in terms)
    regex = re.compile(f"{_EDGE_BEFORE}(?:{'|'.join(alternatives)}){_EDGE_AFTER}", re.IGNORECASE)
    return regex, {_key(term): term for term in terms}


def _key(text: str) -> str:
    return _GAP.sub(" ", text.lower())


def other_work_terms(text: str, cues: tuple[PhraseCue, ...]) -> tuple[str, ...]:
    """The distinct terms found in the text, in the order they first occur (a term repeated, or in the plural, counts
    once)."""
    if not cues:
        return ()
    regex, term_of = _finder(cues)
    keys = (_key(m.group(0)) for m in regex.finditer(text))
    found = (term_of.get(key) or term_of.get(key[:-1]) for key in keys)  # a plural counts as its term
    return tuple(term for term in dict.fromkeys(found) if term)
