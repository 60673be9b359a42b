"""The shared blank English spaCy pipeline: tokenizer, line-aware sentences and lowercase lookup lemmas."""

from __future__ import annotations

from collections.abc import Mapping

import numpy
import spacy
from spacy.attrs import IS_SPACE, LEMMA, LOWER
from spacy.language import Language
from spacy.tokens import Doc

# Bumped when the pipeline's behaviour changes, so stored analyses are redone.
PIPELINE_VERSION = "1"


@Language.component("rolesignal_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """Start a sentence after every token that contains a newline (the sentencizer ignores them)."""
    if not doc.to_array(IS_SPACE).any():
        return doc  # a newline is always in a whitespace token; most blocks have none, so skip the walk
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
        # Lower-case form hash -> lemma hash, filled as words are met: a doc is then set with two array calls.
        self._memo: dict[int, int] = {}

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        memo, strings = self._memo, doc.vocab.strings
        lowers = doc.to_array(LOWER).tolist()
        for key in set(lowers).difference(memo):
            lower = strings[key]
            memo[key] = strings.add(self.overrides.get(lower) or self.table.get(lower, lower))
        doc.from_array([LEMMA], numpy.array([memo[key] for key in lowers], dtype="uint64").reshape(-1, 1))
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
