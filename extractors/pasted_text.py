"""Reading a page pasted without its line breaks: items run together, numbered runs, a paragraph cut off mid-sentence.

Text copied from a web page or a PDF excerpt loses its structure; these are the general habits a careful reader uses
to find where one item ends and the next begins (`SectionWalker` and `RequirementFinder` call them).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from rolesignal.extractors.types import Block, Pattern

# Text copied from a web page loses its line breaks: "...and systemsProcesses master data requests" or
# "...Finance preferred.3-5 years". A lower-case word run straight into a capitalised one, or a sentence end run
# into the next word, is a boundary between two items. (A word capitalised itself, "SharePoint", is a name.)
_GLUED = re.compile(r"[a-z](?:(?=[A-Z][a-z]{2})|[.!?](?=[A-Z0-9]))")
# Two-letter words end a clause too ("... and keep doing soNice to Have"); only those that can stand last, not
# prefixes of names or words glued to a name ("inDesign", "myAccount", "toAcme").
_LOWER_WORD_END = re.compile(r"(?<![A-Za-z0-9_])(?:[a-z]{3,}|so|do|up|us|it|go|me)$")
# A closing bracket glued to a capitalised word ends an item: "... own the roadmap (end to end)Write clean tests".
_BRACKET_GLUED = re.compile(r"\)(?=[A-Z][a-z]{2})")
# A capitalised word glued to the end of a name or acronym ("Rust", "SQL"): an item boundary when the word opens
# requirement items ("... good knowledge of RustExperience with Kafka", "... pandas and SQLBuild dashboards").
_CAPITAL_GLUED = re.compile(r"(?<=[A-Za-z0-9])[A-Z][a-z]{2,}")
# Words that lead into what follows them, and pronouns and articles that open cues but no list item.
FUNCTION_WORDS = frozenset(
    "a an and are as at be by for from in into is of on or the to with including like such via you your "
    "candidates candidate applicants big huge definite nice looking searching".split()
)
# A list number inside a paragraph, before the capital its item starts with: "1.Designing", "; 2. Ability", "ideas3.".
_ITEM_NUMBER = re.compile(r"(\d{1,2})[.)]\s*(?=[A-Z])")
_BEFORE_ITEM_NUMBER = frozenset(" \t\n;:,.)abcdefghijklmnopqrstuvwxyz")
# A paragraph was cut off mid-sentence when it ends on a word no sentence or list item ends with ("... served by"),
# or when a long run of prose after its last full stop stops on a bare word.
_CUT_OFF = re.compile(r"\s(?:a|an|and|as|at|by|for|from|in|into|of|on|or|that|the|to|which|with)$")
_LONG_UNFINISHED = 12
ITEM_START = re.compile(r"(?<=[a-z]) (?=[A-Z][a-z])")
_LAST_WORD = re.compile(r"(?<![A-Za-z0-9_])[a-z]+$")
_SENTENCE_END = re.compile(r"[.!?][)\"'”’]*(?=\s|$)")


def complete_paragraph(block: Block) -> Block | None:
    """The paragraph up to its last sentence end when it stops mid-sentence (None when nothing of it is complete)."""
    text = block.text
    end = max((m.end() for m in _SENTENCE_END.finditer(text)), default=0)
    # In a list pasted without stops an item starts at a capital after a lower-case word: a short last item is whole.
    item = max((m.end() for m in ITEM_START.finditer(text, end)), default=end)
    unfinished = text[-1].islower() and len(text[item:].split()) >= _LONG_UNFINISHED
    if not (_CUT_OFF.search(text[-20:]) or unfinished):
        return block
    return replace(block, text=text[:end], char_end=block.char_start + end) if end else None


def glued_cuts(text: str, openers: frozenset[str] = frozenset()) -> set[int]:
    """Where an item runs into the next: after a whole lower-case word (see _GLUED) or a closing bracket, and, in a
    paragraph that shows such glue, before a capitalised item opener (one of `openers`, lower case) glued to a name."""
    # The regex finds the few glued letters fast; whether a whole lower-case word ends there is checked after.
    cuts = {
        m.end() for m in _GLUED.finditer(text) if _LOWER_WORD_END.search(text, max(m.start() - 40, 0), m.start() + 1)
    }
    cuts.update(m.end() for m in _BRACKET_GLUED.finditer(text))
    if cuts and openers:
        # Only where the page was pasted without breaks: elsewhere a name such as "QuickBuild" is one word.
        cuts.update(m.start() for m in _CAPITAL_GLUED.finditer(text) if m.group().lower() in openers)
    return cuts


def run_on_start(text: str, space: int) -> bool:
    """Whether an item can start after the space at `space`: a whole lower-case word before it that does not lead
    into what follows ("insights Build", not "with Python" nor "SharePoint Experience")."""
    word = _LAST_WORD.search(text, max(space - 40, 0), space)
    return word is not None and word.group() not in FUNCTION_WORDS


def numbered_items(text: str) -> dict[int, int]:
    """Where the numbered items of a list run together in one paragraph start ("...; 2.Ability to ... ideas3.Matlab"):
    each marker's start -> its item's start. Numbers count only in a run (1, 2, 3 ...), so that "Phase 2. The ..."
    is no list."""
    chains: list[list[re.Match[str]]] = []
    for marker in _ITEM_NUMBER.finditer(text):
        if marker.start() and text[marker.start() - 1] not in _BEFORE_ITEM_NUMBER:
            continue  # "123." or "v2." is no list number
        if chains and int(chains[-1][-1].group(1)) + 1 == int(marker.group(1)):
            chains[-1].append(marker)
        else:
            chains.append([marker])
    return {m.start(): m.end() for chain in chains if len(chain) > 1 for m in chain}


def work_verbs(cues: Sequence[Pattern]) -> set[str]:
    """The work verbs a task opens with ("Apply", "Design"), from the cues that start a sentence."""
    words: set[str] = set()
    for cue in cues:
        first = cue.tokens[0] if cue.tokens else {}
        value = first.get("LEMMA") if first.get("IS_SENT_START") else None
        words.update([value] if isinstance(value, str) else value.get("IN", []) if isinstance(value, dict) else [])
    return words


def item_openers(cues: Sequence[Pattern]) -> set[str]:
    """The words a requirement item opens with, from the cues: the work verbs of sentence-start cues and the first
    words of qualification cues ("Experience with", "Ability to", "Strong skills")."""
    words: set[str] = set()
    for cue in cues:
        first = cue.tokens[0] if cue.tokens else {}
        if cue.target not in ("required", "mandatory", "preferred", "action") and not first.get("IS_SENT_START"):
            continue
        for attr in ("LEMMA", "LOWER"):
            value = first.get(attr)
            words.update([value] if isinstance(value, str) else value.get("IN", []) if isinstance(value, dict) else [])
    return words - FUNCTION_WORDS
