"""Pairing predicted requirements with hand-marked ones: normalisation, Dice similarity, one-to-one matching, counts
and the kinds of error (pure functions; `benchmarks.requirements` runs the extractor and prints)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

# Dice similarity (2|A∩B| / (|A|+|B|) over normalised word sets) a prediction needs to count as finding a gold
# requirement: at 0.5 a half-length fragment of a requirement still matches (a bullet split in two scores ~0.67 on
# its larger part), while two different bullets of the same section rarely share half their words.
MATCH_THRESHOLD = 0.5
# The stricter measure the product is also judged by: Jaccard |A∩B| / |A∪B| ≥ 0.6 (Dice ≥ 0.75), under which a
# requirement cut in half or run together with the next one no longer counts as found.
JACCARD_THRESHOLD = 0.6
MEASURES = ("dice", "jaccard")

# Typographic characters folded the way benchmarks/render.py's to_latin1 folds them before drawing a PDF, so that
# gold text (typographic) and text read back from a rendered PDF compare fairly.
_TYPOGRAPHIC = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u2010": "-",
        "\u2011": "-",
        "\u2022": "-",
        "\u2026": "...",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u200b": "",
        "\ufeff": "",
        "\u2122": "(tm)",
        "\u20ac": "eur",
    }
)
# Leading list markers and punctuation: "- ", "• ", "1. ", "a) ", "(iv) ", "* ", "● ", ": ".
_LEADING_MARKER = re.compile(
    r"^(?:[\s\-*+\u2022\u25cf\u25aa\u25e6\u25a0\u25a1\u2023\u2043\x7f\uf0b7\uf0a7\uf0d8\uf076>.,;:!?)\]|]+"
    r"|\d{1,3}[.)]\s+|[a-z][.)]\s+|\((?:[a-z]|\d{1,3}|[ivx]{1,4})\)\s*)+"
)
_WORD = re.compile(r"[a-z0-9]+")
_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)\s]*\)")


@dataclass(frozen=True, slots=True)
class Item:
    """A requirement reduced to what is scored: its text and strength (section/heading kept for the error report)."""

    text: str
    strength: str
    section: str = ""


@dataclass(frozen=True, slots=True)
class Pair:
    """A gold requirement matched to a prediction, by index into the two lists."""

    gold: int
    predicted: int
    similarity: float


@dataclass(frozen=True, slots=True)
class Counts:
    """What precision, recall, F1 and strength accuracy are computed from; adding Counts micro-averages."""

    gold: int = 0
    predicted: int = 0
    matched: int = 0
    same_strength: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.gold + other.gold,
            self.predicted + other.predicted,
            self.matched + other.matched,
            self.same_strength + other.same_strength,
        )

    @property
    def precision(self) -> float | None:
        return self.matched / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.matched / self.gold if self.gold else None

    @property
    def f1(self) -> float | None:
        # 2PR/(P+R) written over counts, so it is defined whenever there is anything to score.
        total = self.gold + self.predicted
        return 2 * self.matched / total if total else None

    @property
    def strength_accuracy(self) -> float | None:
        return self.same_strength / self.matched if self.matched else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "gold": self.gold,
            "predicted": self.predicted,
            "matched": self.matched,
            "same_strength": self.same_strength,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "strength_accuracy": self.strength_accuracy,
        }


# --- pure scoring ------------------------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Lowercase, straight quotes, ASCII-folded, whitespace collapsed, without leading bullet markers/punctuation.

    Markdown links keep only their text, as the text extractor keeps them: gold marked in the raw Markdown
    ("a [*budget*](https://...)") then compares with what the extractor reads ("a *budget*")."""
    text = _MARKDOWN_LINK.sub(r"\1", text.translate(_TYPOGRAPHIC))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = " ".join(text.lower().split())
    return _LEADING_MARKER.sub("", text).strip()


def words(text: str) -> frozenset[str]:
    """The set of words of the normalised text (runs of letters and digits)."""
    return frozenset(_WORD.findall(normalise(text)))


def similarity(a: str, b: str) -> float:
    """Dice coefficient of the two texts' word sets: 2|A∩B| / (|A|+|B|), 0.0 when both are empty."""
    wa, wb = words(a), words(b)
    if not wa and not wb:
        return 0.0
    return 2 * len(wa & wb) / (len(wa) + len(wb))


def jaccard(a: str, b: str) -> float:
    """Jaccard coefficient of the two texts' word sets: |A∩B| / |A∪B|, 0.0 when both are empty."""
    wa, wb = words(a), words(b)
    return len(wa & wb) / len(wa | wb) if wa or wb else 0.0


def match_requirements(
    gold: Sequence[Item], predicted: Sequence[Item], threshold: float = MATCH_THRESHOLD, measure: str = "dice"
) -> list[Pair]:
    """Pair gold and predicted requirements one-to-one: greedily by descending similarity (`measure`, 'dice' or
    'jaccard'), pairs below threshold excluded, ties broken by document order. Returned in gold order."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}")
    gold_words = [words(g.text) for g in gold]
    pred_words = [words(p.text) for p in predicted]
    candidates = []
    for i, gw in enumerate(gold_words):
        for j, pw in enumerate(pred_words):
            if not gw and not pw:
                continue
            shared = len(gw & pw)
            sim = 2 * shared / (len(gw) + len(pw)) if measure == "dice" else shared / len(gw | pw)
            if sim >= threshold:
                candidates.append((-sim, i, j))
    candidates.sort()
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs = []
    for neg_sim, i, j in candidates:
        if i in used_gold or j in used_pred:
            continue
        used_gold.add(i)
        used_pred.add(j)
        pairs.append(Pair(i, j, -neg_sim))
    return sorted(pairs, key=lambda p: p.gold)


def score(gold: Sequence[Item], predicted: Sequence[Item], pairs: Iterable[Pair]) -> Counts:
    """Counts for one document: matched pairs, and of those the ones whose strengths agree."""
    pairs = list(pairs)
    same = sum(1 for p in pairs if gold[p.gold].strength == predicted[p.predicted].strength)
    return Counts(len(gold), len(predicted), len(pairs), same)


@dataclass
class Errors:
    """The unmatched and mismatched requirements of one document, for a rule author."""

    misses: list[dict[str, Any]] = field(default_factory=list)
    false_positives: list[dict[str, Any]] = field(default_factory=list)
    strength_confusions: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "misses": self.misses,
            "false_positives": self.false_positives,
            "strength_confusions": self.strength_confusions,
        }


def overlap_kind(other: str, text: str) -> str:
    """How `other` relates to `text` by words: 'same words', 'part of it', 'contains it', or '' (partial overlap).

    A missed gold requirement whose closest prediction 'contains it' was merged with more text; a false positive
    whose closest gold 'contains it' is a fragment of a split requirement; a false positive with the 'same words'
    as an already matched gold requirement is a repeat of it."""
    wo, wt = words(other), words(text)
    if wo and wo == wt:
        return "same words"
    if wo and wo < wt:
        return "part of it"
    if wt and wt < wo:
        return "contains it"
    return ""


def explain(gold: Sequence[Item], predicted: Sequence[Item], pairs: Sequence[Pair]) -> Errors:
    """Misses (each with its closest prediction), false positives (each with its closest gold) and strength
    confusions."""
    errors = Errors()
    matched_gold = {p.gold for p in pairs}
    matched_pred = {p.predicted for p in pairs}

    def closest(text: str, others: Sequence[Item]) -> dict[str, Any] | None:
        if not others:
            return None
        sims = [(similarity(text, o.text), k) for k, o in enumerate(others)]
        sim, k = max(sims, key=lambda s: (s[0], -s[1]))
        if sim == 0:
            return None
        return {"text": others[k].text, "similarity": round(sim, 3), "relation": overlap_kind(others[k].text, text)}

    for i, g in enumerate(gold):
        if i not in matched_gold:
            errors.misses.append(
                {"text": g.text, "strength": g.strength, "section": g.section, "closest": closest(g.text, predicted)}
            )
    for j, p in enumerate(predicted):
        if j not in matched_pred:
            errors.false_positives.append(
                {"text": p.text, "strength": p.strength, "section": p.section, "closest": closest(p.text, gold)}
            )
    for pair in pairs:
        g, p = gold[pair.gold], predicted[pair.predicted]
        if g.strength != p.strength:
            errors.strength_confusions.append(
                {
                    "text": g.text,
                    "gold": g.strength,
                    "predicted": p.strength,
                    "gold_section": g.section,
                    "predicted_section": p.section,
                }
            )
    return errors
