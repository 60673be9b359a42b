"""The shared blank English spaCy pipeline: tokenizer, line-aware sentences and lowercase lookup lemmas."""

from __future__ import annotations

from collections.abc import Mapping

import spacy
from spacy.language import Language
from spacy.tokens import Doc

# Bumped when the pipeline's behaviour changes, so stored analyses are redone.
PIPELINE_VERSION = "1"


@Language.component("rolesignal_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """Start a sentence after every token that contains a newline (the sentencizer ignores them)."""
    for i, token in enumerate(doc[:-1]):
        if "\n" in token.text:
            doc[i + 1].is_sent_start = True
    return doc


class LowerLemmatizer:
    """Sets each token's lemma from spaCy's English lookup table, looked up in lower case.

    The stock lookup lemmatizer is case-sensitive ("Managed" stays "Managed"), so patterns written in lower case
    would miss capitalised words at the start of bullets.
    """

    def __init__(self, table: Mapping[str, str], overrides: Mapping[str, str]) -> None:
        self.table = table
        self.overrides = dict(overrides)

    def __call__(self, doc: Doc) -> Doc:
        table, overrides = self.table, self.overrides
        for token in doc:
            lower = token.lower_
            token.lemma_ = overrides.get(lower) or table.get(lower, lower)
        return doc


_TABLE: Mapping[str, str] | None = None


def _lemma_table() -> Mapping[str, str]:
    """spaCy's English lookup table (from spacy-lookups-data), loaded once per process."""
    global _TABLE
    if _TABLE is None:
        from spacy.lookups import load_lookups

        _TABLE = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
    return _TABLE


@Language.factory("rolesignal_lower_lemmas", default_config={"overrides": {}})
def make_lower_lemmatizer(nlp: Language, name: str, overrides: dict[str, str]) -> LowerLemmatizer:
    return LowerLemmatizer(_lemma_table(), overrides)


def build_nlp(lemma_overrides: Mapping[str, str] | None = None) -> Language:
    """A blank English pipeline with sentence boundaries at line breaks and lowercase lemmas (no model download)."""
    nlp = spacy.blank("en")
    nlp.add_pipe("rolesignal_line_breaks")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("rolesignal_lower_lemmas", config={"overrides": dict(lemma_overrides or {})})
    nlp.max_length = 2_000_000
    return nlp
