"""The shared blank English spaCy pipeline: tokenizer, line-aware sentences and lowercase lookup lemmas."""

from __future__ import annotations

from collections.abc import Mapping

import numpy
import spacy
from spacy.attrs import IS_PUNCT, LEMMA, LOWER, ORTH, SENT_START
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

from extractors.version import PIPELINE_VERSION

__all__ = ["PIPELINE_VERSION", "build_nlp"]


class Sentences:
    """Sentence starts exactly as spaCy's sentencizer sets them, plus one after every token holding a line break.

    The sentencizer and a line-break pass each walked the tokens as Python objects (a fifth of the analysis time);
    this reads the same facts from one token array: a sentence starts at the first token, after a newline, and at
    the first token after sentence-final punctuation that is not punctuation itself.
    """

    def __init__(self, nlp: Language) -> None:
        strings = nlp.vocab.strings
        self.final = {strings.add(char) for char in Sentencizer.default_punct_chars}
        self._newline: dict[int, bool] = {}

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        array = doc.to_array([ORTH, IS_PUNCT])
        strings, newline, final = doc.vocab.strings, self._newline, self.final
        starts = [-1] * len(doc)
        starts[0] = 1
        seen_final = after_break = False
        for i, (orth, punct) in enumerate(array.tolist()):
            in_final = orth in final
            if after_break:
                starts[i] = 1
            if seen_final and not punct and not in_final:
                starts[i] = 1
                seen_final = False
            elif in_final:
                seen_final = True
            if orth not in newline:
                newline[orth] = "\n" in strings[orth]
            after_break = newline[orth]
        # -1 ("not a start") goes through as its uint64 bit pattern, which spaCy reads back as -1.
        doc.from_array([SENT_START], numpy.array(starts, dtype="int64").astype("uint64").reshape(-1, 1))
        return doc


@Language.factory("rolesignal_sentences")
def make_sentences(nlp: Language, name: str) -> Sentences:
    return Sentences(nlp)


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
    nlp.add_pipe("rolesignal_sentences")
    nlp.add_pipe("rolesignal_lower_lemmas", config={"overrides": dict(lemma_overrides or {})})
    nlp.max_length = 2_000_000
    return nlp
