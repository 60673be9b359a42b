"""The shared blank English spaCy pipeline: tokenizer, line-aware sentences and lowercase lookup lemmas."""

from __future__ import annotations

from collections.abc import Mapping

import numpy
import spacy
from spacy.attrs import IDX, IS_PUNCT, LEMMA, LENGTH, LOWER, ORTH, SENT_START
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

from rolesignal.extractors.matching import Tokens, keep_tokens

__all__ = ["build_nlp"]


# The uint64 bit pattern of -1 ("not a sentence start"), which spaCy reads back as -1 and to_array gives back.
_NOT_START = 2**64 - 1
# Abbreviations whose full stop ends no sentence when a lower-case word follows ("reports, etc. to support planning").
_ABBREVIATIONS = ("etc", "incl", "approx", "esp", "vs", "cf", "ca", "resp", "al")


class TokenArrays:
    """Sets sentence starts and lower-case lemmas from one token array, and leaves the array on the Doc as Tokens.

    Sentence starts are spaCy's sentencizer's, plus one after every token holding a line break: a sentence starts at
    the first token, after a newline, and at the first token after sentence-final punctuation that is not punctuation
    itself, unless that punctuation is an abbreviation's full stop and a lower-case word follows ("etc. to support").
    (The sentencizer and a line-break pass each walked the tokens as Python objects.)

    Lemmas come from spaCy's English lookup table, looked up in lower case: the stock lookup lemmatizer is
    case-sensitive ("Managed" stays "Managed"), so patterns written in lower case would miss capitalised words at the
    start of bullets.

    The matchers read the same facts as `extractors.matching.Tokens`: made here from the one array, they cost no
    second and third pass over the Doc.
    """

    def __init__(self, nlp: Language, table: Mapping[str, str], overrides: Mapping[str, str]) -> None:
        strings = nlp.vocab.strings
        self.final = {strings.add(char) for char in Sentencizer.default_punct_chars}
        self.abbreviations = {strings.add(word) for word in _ABBREVIATIONS}
        self.full_stop = strings.add(".")
        self._newline: dict[int, bool] = {}
        self.table = table
        self.overrides = dict(overrides)
        # Lower-case form hash -> lemma hash, filled as words are met.
        self._memo: dict[int, int] = {}

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        array = doc.to_array([ORTH, LOWER, IS_PUNCT, IDX, LENGTH])
        orths, lowers, puncts, offsets, lengths = array.T.tolist()
        memo, strings, newline, final = self._memo, doc.vocab.strings, self._newline, self.final
        abbreviations, full_stop = self.abbreviations, self.full_stop
        for key in set(lowers).difference(memo):
            lower = strings[key]
            memo[key] = strings.add(self.overrides.get(lower) or self.table.get(lower, lower))
        lemmas = [memo[key] for key in lowers]
        starts = [_NOT_START] * len(orths)
        starts[0] = 1
        seen_final = after_break = abbreviated = False
        for i, orth in enumerate(orths):
            in_final = orth in final
            if after_break:
                starts[i] = 1
            if seen_final and not puncts[i] and not in_final:
                if not (abbreviated and strings[orth][:1].islower()):
                    starts[i] = 1
                seen_final = abbreviated = False
            elif in_final:
                abbreviated = seen_final is False and orth == full_stop and i > 0 and lowers[i - 1] in abbreviations
                seen_final = True
            if orth not in newline:
                newline[orth] = "\n" in strings[orth]
            after_break = newline[orth]
        doc.from_array([SENT_START, LEMMA], numpy.array([starts, lemmas], dtype="uint64").T)
        keep_tokens(doc, Tokens([lowers, lemmas, orths, starts, offsets, lengths]))
        return doc


@Language.factory("rolesignal_tokens", default_config={"overrides": {}})
def make_token_arrays(nlp: Language, name: str, overrides: dict[str, str]) -> TokenArrays:
    return TokenArrays(nlp, _lemma_table(), overrides)


_TABLE: Mapping[str, str] | None = None


def _lemma_table() -> Mapping[str, str]:
    """spaCy's English lookup table (from spacy-lookups-data), loaded once per process."""
    global _TABLE
    if _TABLE is None:
        from spacy.lookups import load_lookups

        _TABLE = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
    return _TABLE


def build_nlp(lemma_overrides: Mapping[str, str] | None = None) -> Language:
    """A blank English pipeline with sentence boundaries at line breaks and lowercase lemmas (no model download)."""
    nlp = spacy.blank("en")
    nlp.add_pipe("rolesignal_tokens", config={"overrides": dict(lemma_overrides or {})})
    nlp.max_length = 2_000_000
    return nlp
