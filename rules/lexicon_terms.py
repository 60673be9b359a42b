"""How one lexicon term becomes patterns: its twins (hyphen or space, verb, abbreviation, spelling, compound) and how
its words meet the text."""

from __future__ import annotations

import re

from rolesignal.extractors.types import Pattern

LEXICON = "lexicon.jsonl"

# A task named as a noun ("fraud detection") is also stated as a verb on its object ("detect fraud"): the verbs of
# the nouns, as a lemma phrase starts with them. Only tasks whose verb on such an object is the field's work: "label
# data", "summarise documents" or "identify speakers" are also everyday office work.
_TASK_VERBS = {
    "detection": ("detect",),
    "prediction": ("predict",),
    "forecasting": ("forecast",),
    "classification": ("classify",),
    "recognition": ("recognise", "recognize"),
    "segmentation": ("segment",),
    "tracking": ("track",),
    "extraction": ("extract",),
    "estimation": ("estimate",),
}
# An object that is only these words names no thing to act on ("automatic classification", "semantic segmentation").
_NO_OBJECT = re.compile(
    r"\b(?:automatic|automated|semantic|instance|panoptic|probabilistic|real-time|and|or|of|for|per|the|with"
    r"|information)\b|[,/]",  # "extract information" is everyday work, "information extraction" a field
    re.IGNORECASE,
)
# How a concept's terms meet the text: as lemmas (the default: "training pipelines" meets "training pipeline"), as
# written but in any case ("embedded AI" is not "embed AI"), or exactly ("Scale AI", the company, is not "scale AI").
TERM_MATCH: dict[str, str | None] = {"lemma": None, "lower": "LOWER", "exact": "ORTH"}
# A term's words as spaCy's tokenizer splits them: a hyphen or slash between words is a token of its own.
_TERM_WORDS = re.compile(r"\w+|[^\w\s]")


def term_variants(term: str) -> list[str]:
    """A term as written plus its hyphen/space twin ("computer vision" also matches "computer-vision"), and a task's
    verb twin ("fraud detection" also matches "detect fraud", "detecting fraud")."""
    variants = [term]
    if "-" in term:
        variants.append(term.replace("-", " "))
    elif " " in term:
        variants.append(term.replace(" ", "-"))
    obj, _, task = term.rpartition(" ")
    if obj and task.lower() in _TASK_VERBS and not _NO_OBJECT.search(obj):
        variants += [f"{verb} {obj}" for verb in _TASK_VERBS[task.lower()]]
    return variants


# An abbreviation and its expansion are one word of the field: "ML pipeline" is "machine learning pipeline".
_ABBREVIATIONS = {
    "ml": "machine learning",
    "ai": "artificial intelligence",
    "llm": "large language model",
    "llms": "large language models",
    "nlp": "natural language processing",
    "genai": "generative ai",
}
_EXPANSIONS = {expansion: short for short, expansion in _ABBREVIATIONS.items()}
_ABBREVIATION_WORDS = re.compile(
    r"\b(" + "|".join(sorted({*_ABBREVIATIONS, *_EXPANSIONS}, key=len, reverse=True)) + r")\b", re.IGNORECASE
)


# British and American spellings of one word: "optimise"/"optimize", "modelling"/"modeling". Three letters at least
# come before "iz", so that "size" and "prize" stay as they are.
_SPELLING = re.compile(
    r"(?<=[a-z]{3})(?P<z>iz)(?=(?:e|es|ed|ing|ation|ations|er|ers)\b)|(?<=[a-z]{3})(?P<s>is)(?=ations?\b)"
    r"|\b(?P<stem>model|label)(?P<ll>l?)(?=(?:ing|ed|er|ers)\b)"
)


def _respelled(term: str) -> str:
    def other(m: re.Match[str]) -> str:
        if m.group("z"):
            return "is"
        if m.group("s"):
            return "iz"
        return m.group("stem") + ("" if m.group("ll") else "l")

    return _SPELLING.sub(other, term)


def _abbreviated(term: str) -> str:
    return _ABBREVIATION_WORDS.sub(
        lambda m: _ABBREVIATIONS.get(m.group(0).lower()) or _EXPANSIONS[m.group(0).lower()], term
    )


# Compounds the field writes both joined and hyphenated: "fine-tuning" and "finetuning", "re-ranking" and
# "reranking", "multi-modal" and "multimodal" (the space twin, "fine tuning", comes from term_variants).
_COMPOUND = re.compile(r"\b(fine|pre|re|multi|hyper)(-?)(tun|train|process|rank|modal|agent|task|param)", re.IGNORECASE)
_COMPOUNDS = {("fine", "tun"), ("pre", "train"), ("pre", "process"), ("re", "rank"), ("re", "train")}
_COMPOUNDS |= {("multi", "modal"), ("multi", "agent"), ("multi", "task"), ("hyper", "param")}


def _rejoined(term: str) -> str:
    def other(m: re.Match[str]) -> str:
        first, hyphen, second = m.groups()
        if (first.lower(), second.lower()) not in _COMPOUNDS:
            return m.group(0)
        return f"{first}{'' if hyphen else '-'}{second}"

    return _COMPOUND.sub(other, term)


def term_twins(term: str) -> list[str]:
    """A term in the field's other ways of writing it: abbreviations written out and written-out words abbreviated
    ("ML model" also matches "machine learning model"), the other spelling ("optimise" for "optimize") and compounds
    joined or hyphenated ("finetuning" for "fine-tuning"). A twin that is an abbreviation alone is left out ("AI" is
    too broad a term)."""
    forms = {term}
    for rewrite in (_respelled, _abbreviated, _rejoined):
        forms |= {rewrite(form) for form in forms}
    return [
        variant
        for form in sorted(forms)
        if form.lower() != term.lower()
        for variant in term_variants(form)
        if " " in variant.strip() or not _ABBREVIATION_WORDS.fullmatch(variant.strip())
    ]


def term_pattern(pattern_id: str, signal: str, variant: str, match: str, line: int, specificity: float) -> Pattern:
    """A lemma phrase, or for a term matched as written a token pattern of its words (LOWER or ORTH)."""
    attr = TERM_MATCH[match]
    if attr is None:
        return Pattern(pattern_id, signal, variant, None, LEXICON, line, specificity)
    words = _TERM_WORDS.findall(variant.lower() if attr == "LOWER" else variant)
    return Pattern(pattern_id, signal, None, tuple({attr: word} for word in words), LEXICON, line, specificity)
