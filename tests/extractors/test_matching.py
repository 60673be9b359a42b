"""PatternMatcher (gated Matchers, word sequences as phrases) finds exactly what one plain spaCy Matcher finds."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from spacy.matcher import Matcher, PhraseMatcher

from rolesignal.extractors.matching import PatternMatcher, Tokens, WindowedMatcher, _bounds, gate, word_sequences
from rolesignal.extractors.nlp import build_nlp
from rolesignal.extractors.types import Pattern
from rolesignal.rules.types import RuleSet

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


def _pattern(tokens: list[dict[str, object]]) -> Pattern:
    return Pattern(id="p", target="t", tokens=tuple(tokens), phrase=None, file="f", line=1)


def test_windowed_matchers_give_exactly_the_whole_span_matches() -> None:
    """Random patterns with every operator, run in their windows, against spaCy's Matcher on the whole Doc."""
    nlp = build_nlp({})
    rng = random.Random(7)
    words = ["a", "b", "c", "A", "5", "."]
    ops = [None, "?", "+", "*", "{0,2}", "{1,2}", "{2}", "{,2}", "{1,}", "{0}", "!"]

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

    found = windowed = 0
    for _ in range(1500):
        tokens = [spec() for _ in range(rng.randint(1, 4))]
        matcher = Matcher(nlp.vocab)
        matcher.add("p", [tokens])
        ours = WindowedMatcher(nlp, _pattern(tokens))
        doc = nlp(" ".join(rng.choice(words) for _ in range(rng.randint(0, 12))))
        span = doc[1:] if rng.random() < 0.3 else doc  # offsets relative to a Span as well
        got = ours(span, Tokens.read(span))
        assert len(got) == len(set(got))
        expected = {(k, s, e) for k, s, e in matcher(span)}
        assert set(got) == expected, (tokens, span.text)
        found += len(expected)
        windowed += ours.anchor is not None and ours.windows(Tokens.read(span)) != [(0, len(span))]
    assert found > 3000 and windowed > 200  # the windows were really narrower than the span, and matches were found


def test_window_anchor_reach_and_fallbacks() -> None:
    nlp = build_nlp({})
    strings = nlp.vocab.strings
    bounded = WindowedMatcher(
        nlp, _pattern([{"LOWER": "x", "OP": "?"}, {"ORTH": {"NOT_IN": ["y"]}, "OP": "{0,2}"}, {"LEMMA": "train"}])
    )
    assert bounded.anchor == (1, frozenset({strings["train"]})) and bounded.before == 3 and bounded.after == 1
    tokens = Tokens.read(nlp("a b c d e f train g h i j k l m n o train"))
    assert bounded.windows(tokens) == [(3, 7), (13, 17)]
    open_end = WindowedMatcher(nlp, _pattern([{"LEMMA": "train"}, {"LOWER": "x", "OP": "*"}]))
    assert open_end.windows(tokens) == [(6, 17)]  # from the first anchor to the end
    for everywhere in ([{"LOWER": "x", "OP": "*"}, {"LEMMA": "train"}], [{"LOWER": "x", "OP": "!"}, {"LEMMA": "t"}]):
        assert WindowedMatcher(nlp, _pattern(everywhere)).windows(tokens) == [(0, 17)]
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


def test_matches_within_keeps_the_matches_inside_a_range_in_order() -> None:
    from rolesignal.extractors.matching import matches_within
    from rolesignal.extractors.types import Pattern

    p = Pattern("p", "t", "x", None, "f", 1)
    matches = [(p, 0, 2), (p, 1, 5), (p, 3, 4), (p, 3, 6), (p, 7, 8)]
    starts = [s for _, s, _ in matches]
    assert matches_within(matches, starts, 1, 5) == [(p, 1, 5), (p, 3, 4)]
    assert matches_within(matches, starts, 3, 8) == [(p, 3, 4), (p, 3, 6), (p, 7, 8)]
    assert matches_within(matches, starts, 9, 12) == []
