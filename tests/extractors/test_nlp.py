"""The blank English pipeline: sentence starts and lower-case lemmas set from token arrays."""

from __future__ import annotations

import pytest
import spacy

from rolesignal.extractors.matching import Tokens, tokens_of
from rolesignal.extractors.nlp import build_nlp

TEXTS = [
    'Hello there. New one!\nThird line "quoted." Fourth',
    "Build RAG pipelines... and ship them!!! Then: evaluate (offline).",
    "No final punctuation here",
    "Line one\n\nLine two\n  indented. Next?Yes.",
    "5+ years of Python. e.g. pandas, numpy; etc. Done",
    "",
    "...",
]


@pytest.fixture(scope="module")
def nlp() -> spacy.language.Language:
    return build_nlp({"ai": "ai"})


@pytest.mark.parametrize("text", TEXTS)
def test_sentence_starts_are_the_sentencizers_plus_line_breaks(nlp: spacy.language.Language, text: str) -> None:
    reference = spacy.blank("en")
    reference.add_pipe("sentencizer")
    expected = reference(text)
    starts = [t.is_sent_start or (t.i > 0 and "\n" in expected[t.i - 1].text) for t in expected]
    assert [bool(t.is_sent_start) for t in nlp(text)] == [bool(s) for s in starts]


def test_an_abbreviations_full_stop_before_a_lower_case_word_ends_no_sentence(nlp: spacy.language.Language) -> None:
    doc = nlp("Use clustering, etc. to find gaps. Ship tools etc. Then test. We use Go. it works")
    assert [t.text for t in doc if t.is_sent_start] == ["Use", "Ship", "Then", "We", "it"]


def test_lemmas_are_lower_case_lookups_with_overrides(nlp: spacy.language.Language) -> None:
    doc = nlp("Managed Models running AI agents")
    assert [t.lemma_ for t in doc] == ["manage", "model", "run", "ai", "agent"]


@pytest.mark.parametrize("text", [t for t in TEXTS if t])
def test_pipeline_leaves_the_tokens_the_doc_reads_back(nlp: spacy.language.Language, text: str) -> None:
    doc = nlp(text)
    kept = tokens_of(doc)
    read = Tokens.read(doc)
    assert kept.columns == read.columns and kept.words == read.words
    assert kept.text == text and kept.sentence_starts() == [s.start for s in doc.sents]
    if len(doc) > 2:
        doc[2].is_sent_start = True
        kept.start_sentence(2)
        assert kept.columns == Tokens.read(doc).columns and kept.sentence_starts() == [s.start for s in doc.sents]
