"""PatternMatcher (gated Matchers, word sequences as phrases) finds exactly what one plain spaCy Matcher finds."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from spacy.matcher import Matcher, PhraseMatcher

from extractors.matching import PatternMatcher, TokenPattern, Tokens, _bounds, gate, word_sequences
from extractors.nlp import build_nlp
from rules.load import RuleSet

COLUMNS = {"LOWER": 0, "LEMMA": 1, "ORTH": 2, "TEXT": 2}
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "source"


def reference_matches(nlp, patterns, doc) -> set[tuple[str, int, int]]:  # type: ignore[no-untyped-def]
    """What the matchers give with every pattern in one Matcher and one lemma PhraseMatcher."""
    tokens, phrases = Matcher(nlp.vocab), PhraseMatcher(nlp.vocab, attr="LEMMA")
    for p in patterns:
        if p.tokens is not None:
            tokens.add(p.id, [list(p.tokens)])
        else:
            phrases.add(p.id, [nlp(p.phrase)])
    return {(nlp.vocab.strings[k], s, e) for k, s, e in [*tokens(doc), *phrases(doc)]}


@pytest.mark.parametrize("which", ["signal_patterns", "cues"])
def test_same_matches_as_one_plain_matcher(builtin_rules: RuleSet, which: str) -> None:
    nlp = build_nlp(builtin_rules.scoring.get("lemma_overrides"))
    patterns = getattr(builtin_rules, which)
    ours = PatternMatcher(nlp, patterns)
    texts = [line for path in sorted(EXAMPLES.glob("*.md")) for line in path.read_text().splitlines() if line.strip()]
    texts += [
        "We will fine-tune the model through the OpenAI fine-tuning API and build RAG pipelines with LangChain.",
        "The Contractor shall host the portal; and shall train staff. 5+ years of Python required.",
        "If you have experience with PyTorch, train and deploy recommendation models on GPUs.",
    ]
    found = 0
    for doc in nlp.pipe(texts):
        expected = reference_matches(nlp, patterns, doc)
        assert {(p.id, s, e) for p, s, e in ours(doc)} == expected, doc.text
        found += len(expected)
    assert found > 50  # the texts do exercise the patterns


def test_gates_and_word_sequences() -> None:
    train = [{"LEMMA": "train"}, {"LOWER": {"NOT_IN": ["staff"]}, "OP": "{0,3}"}, {"LEMMA": {"IN": ["model", "net"]}}]
    assert gate(train) == (("LEMMA", frozenset({"train"})), ("LEMMA", frozenset({"model", "net"})))
    assert word_sequences(train) is None  # an operator: a real token pattern
    pair = [{"LOWER": {"IN": ["contractor", "vendor"]}}, {"LOWER": "shall"}]
    assert word_sequences(pair) == ("LOWER", [("contractor", "shall"), ("vendor", "shall")])
    assert word_sequences([{"LOWER": "AI"}]) is None  # an upper-case LOWER value never matches: left to the Matcher
    assert word_sequences([{"LOWER": "a"}, {"LEMMA": "b"}]) is None  # two attributes


def test_token_patterns_give_exactly_the_matchers_matches() -> None:
    """Random patterns with every operator and check TokenPattern implements, against spaCy's Matcher."""
    nlp = build_nlp({})
    rng = random.Random(7)
    words = ["a", "b", "c", "A", "5", "."]
    ops = [None, "?", "+", "*", "{0,2}", "{1,2}", "{2}", "{,2}", "{1,}", "{0}"]

    def spec() -> dict[str, object]:
        s: dict[str, object] = {}
        r = rng.random()
        if r < 0.4:
            s["LOWER"] = rng.choice(words[:3])
        elif r < 0.6:
            s["LEMMA"] = {"IN": rng.sample(words[:3], 2)}
        elif r < 0.75:
            s["ORTH"] = {"NOT_IN": [rng.choice(words)]}
        elif r < 0.85:
            s["LIKE_NUM"] = rng.random() < 0.7
        elif r < 0.92:
            s["TEXT"] = rng.choice(words)
        if rng.random() < 0.15:
            s["IS_SENT_START"] = rng.random() < 0.7
        op = rng.choice(ops)
        if op:
            s["OP"] = op
        return s

    found = 0
    for _ in range(1500):
        pattern = [spec() for _ in range(rng.randint(1, 4))]
        compiled = TokenPattern.compile(pattern, nlp.vocab.strings)
        assert compiled is not None
        matcher = Matcher(nlp.vocab)
        matcher.add("p", [pattern])
        doc = nlp(" ".join(rng.choice(words) for _ in range(rng.randint(0, 12))))
        ours = compiled(Tokens.read(doc))
        assert len(ours) == len(set(ours))
        expected = {(s, e) for _, s, e in matcher(doc)}
        assert set(ours) == expected, (pattern, doc.text)
        found += len(expected)
    assert found > 3000


def test_token_pattern_anchor_and_fallbacks() -> None:
    strings = build_nlp({}).vocab.strings
    pattern = TokenPattern.compile(
        [{"LOWER": "x", "OP": "?"}, {"ORTH": {"NOT_IN": ["y"]}, "OP": "{0,2}"}, {"LEMMA": "train"}], strings
    )
    assert pattern is not None
    assert pattern.anchor == (1, frozenset({strings["train"]})) and pattern.reach == (0, 3)
    unbounded = TokenPattern.compile([{"LOWER": "x", "OP": "*"}, {"LEMMA": "train"}], strings)
    assert unbounded is not None and unbounded.anchor is None  # every start is tried
    assert TokenPattern.compile([{"LOWER": "x", "OP": "!"}], strings) is None  # left to spaCy's Matcher
    assert TokenPattern.compile([{"LENGTH": 3}], strings) is None
    assert TokenPattern.compile([{"LOWER": {"REGEX": "x"}}], strings) is None
    assert [_bounds(op) for op in (None, "?", "+", "*", "{2}", "{1,3}", "{,2}", "{2,}", "{3,1}", "!")] == [
        (1, 1),
        (0, 1),
        (1, None),
        (0, None),
        (2, 2),
        (1, 3),
        (0, 2),
        (2, None),
        None,
        None,
    ]


@pytest.mark.parametrize(
    "text",
    ['Hello there. New one!\nThird  line "quoted." Fourth', "  Lead space\n\n- item; e.g. this", "x", "Ünïcode… ok."],
)
def test_tokens_give_what_spans_and_sentences_give(text: str) -> None:
    doc = build_nlp({})(text)
    tokens = Tokens.read(doc)
    assert tokens.sentence_starts() == [s.start for s in doc.sents]
    for start in range(len(doc)):
        for end in range(start + 1, len(doc) + 1):
            span = doc[start:end]
            start_char, end_char = tokens.char_span(start, end)
            assert (start_char, end_char) == (span.start_char, span.end_char)
            assert doc.text[start_char:end_char] == span.text


@pytest.mark.parametrize("which", ["signal_patterns", "cues"])
def test_gate_masks_pass_exactly_the_gates_whose_conditions_all_meet(builtin_rules: RuleSet, which: str) -> None:
    nlp = build_nlp(builtin_rules.scoring.get("lemma_overrides"))
    ours = PatternMatcher(nlp, getattr(builtin_rules, which))
    strings = nlp.vocab.strings
    texts = [line for path in sorted(EXAMPLES.glob("*.md")) for line in path.read_text().splitlines() if line.strip()]
    passed = 0
    for doc in nlp.pipe(texts):
        words = Tokens.read(doc).words
        expected = [
            number
            for number, conditions in enumerate(ours.gates)
            if all(any(strings.add(w) in words[COLUMNS[attr]] for w in ws) for attr, ws in conditions)
        ]
        assert ours.passing(words) == expected, doc.text
        passed += len(expected)
    assert passed > 20
