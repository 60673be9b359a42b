"""What one line or sentence of a document says, read from its text alone: pure tests the requirement finder asks."""

from __future__ import annotations

from collections.abc import Sequence

from rolesignal.extractors.matching import Tokens
from rolesignal.extractors.types import Pattern, SectionType

# A column label of a table's header row ("Item Description", "DUE DATES / OWNERS").
_MAX_LABEL_WORDS = 4
# A sentence opening with one of these is about something, not a bare qualification phrase. ("We" sentences under a
# qualifications heading ask for things as often as they describe: they are left to the section.)
_PRONOUN_SUBJECTS = frozenset({"they", "their", "it", "its", "this", "these", "there"})
# In prose under a qualifications heading, a sentence about "you" asks for a qualification only with a cue ("You have
# 5+ years of Python"); without one it sketches a personality ("You love road trips.", "You're a natural host.").
_READER_SUBJECTS = frozenset({"you", "your"})
# The last words of a lead-in line that leave its clause open: a verb or a preposition whose object is the list.
_OPEN_ENDINGS = frozenset("include includes with to of in for on by from about are is be below".split())
# Cue kinds that ask for something of the hire or the vendor.
_OBLIGATIONS = frozenset({"required", "mandatory", "deliverable", "responsibility"})


def shall_clauses(tokens: Tokens, start: int, end: int, shall: int, joiners: frozenset[int]) -> list[tuple[int, int]]:
    """One token range per obligation when the sentence start..end carries several "shall"s.

    "The Contractor shall host the portal; and shall train staff." becomes "The Contractor shall host the
    portal" and "shall train staff.": each clause is split off at the ';', ',' or 'and' before its "shall".
    `shall` and `joiners` are the lower-case hashes of "shall" and of the words a clause is split off at.
    """
    lower = tokens.columns[0]
    if shall not in tokens.words[0]:
        return [(start, end)]
    shalls = [i for i in range(start, end) if lower[i] == shall]
    if len(shalls) < 2:
        return [(start, end)]
    cuts: list[tuple[int, int]] = []
    for index in shalls[1:]:
        cut = index
        while cut - 1 > start and lower[cut - 1] in joiners:
            cut -= 1
        if cut > (cuts[-1][1] if cuts else start):
            cuts.append((cut, index))
    clauses, first = [], start
    for cut, index in cuts:
        clauses.append((first, cut))
        first = index
    clauses.append((first, end))
    return [(a, b) for a, b in clauses if b > a]


def first_word(text: str) -> str:
    """The sentence's first word in lower case, without quotes or a contraction ("You're" is "you")."""
    first = text.split(maxsplit=1)[0].lower().strip("\"'“”‘’(") if text.strip() else ""
    return first.replace("’", "'").split("'")[0]


def narrates(text: str, section: SectionType | None) -> bool:
    """Whether a sentence opens with a pronoun subject ("It ...", "There are ...", "This team ..."), or, under a
    qualifications heading, with the reader ("You enjoy a good puzzle.")."""
    first = first_word(text)
    if first in _READER_SUBJECTS:
        return section is not None and section.strength in ("required", "preferred")
    return first in _PRONOUN_SUBJECTS


def only_waived(matches: Sequence[tuple[Pattern, int, int]]) -> bool:
    """Whether the sentence's only obligation is the one it waives ("The vendor will not be required to ..."): no
    preference, and every obligation cue overlaps a "not required" ("The vendor shall train staff but is not required
    to travel" still asks)."""
    waived = [(s, e) for p, s, e in matches if p.target == "waived"]
    for pattern, start, end in matches:
        if pattern.target == "preferred":
            return False
        if pattern.target in _OBLIGATIONS and not any(start < b and a < end for a, b in waived):
            return False
    return True


def only_introduces(text: str) -> bool:
    """Whether a line ending in ':' leaves its clause open for the list after it ("Key skills include:", "... shall
    meet the following:", "... should have experience with:"): the list states the requirements, the line only
    introduces them. A line that states something and then gives examples ("... the approved languages, including:",
    "Report usage by region, such as:") or names what the list holds ("Any of the supported browsers:") states it."""
    words = text.rstrip(":").lower().split()
    return bool(words) and (words[-1] in _OPEN_ENDINGS or "following" in words[-4:])


def is_header_row(text: str) -> bool:
    """Whether a table's first row only names its columns ("Item | Due date | Owner"): several cells,
    each a short label without figures."""
    cells = [cell.strip() for cell in text.split(" | ")]
    return len(cells) > 1 and all(
        len(cell.split()) <= _MAX_LABEL_WORDS and not any(ch.isdigit() for ch in cell) for cell in cells
    )


def word_count(text: str) -> int:
    """How many words the text has; a lone bracket or dash is none ("Platform (" is one word)."""
    return sum(1 for word in text.split() if any(ch.isalnum() for ch in word))


def is_sublabel(text: str) -> bool:
    """A short label such as 'Backend' or 'Technical skills:' (no sentence, at most two words)."""
    text = text.strip().rstrip(":")
    return len(text.split()) <= 2 and not any(ch in text for ch in ".?!,")
