"""Contract tests for the signal catalogue and its patterns (rules/signals.jsonl, rules/signal_patterns.jsonl)."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
import spacy
from pypdf import PdfReader
from spacy.matcher import Matcher

from rolesignal.rules.load import load_rules
from tests.conftest import SHARED, require_shared

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "rules"
SPEC = SHARED / "spec" / "signals.md"
GUIDE = SHARED / "guide" / "ai-developer-vs-ml-engineer.txt"
LABELS = SHARED / "corpus" / "labels.csv"
DOCS = SHARED / "corpus" / "docs"

EXPECTED_IDS = frozenset(
    {
        "ml.training",
        "ml.feature_engineering",
        "ml.experimentation",
        "ml.data_pipelines",
        "ml.inference_optimisation",
        "ml.predictive_use_case",
        "ml.proprietary_data",
        "ml.domain_fine_tuning",
        "ml.hardware_constraints",
        "ml.non_text_modality",
        "ml.privacy_self_hosted",
        "ml.api_cost_volume",
        "ml.model_deliverable",
        "ai.llm_integration",
        "ai.prompt_design",
        "ai.reliability_cost",
        "ai.rag",
        "ai.agents_tools",
        "ai.business_integration",
        "ai.eval_observability",
        "ai.application_deliverable",
        "ai.managed_fine_tuning",
    }
)
CORPUS_ID = re.compile(r"\b(jp|rfp|rfpx)\d{2,3}\b", re.IGNORECASE)
RULE_DATA_SUFFIXES = {".jsonl", ".json", ".md", ".yaml", ".yml", ".txt", ".csv"}
# Headings that name a document kind rather than a document; a title is the first line that is not one of these.
GENERIC_HEADINGS = {
    "request for proposal",
    "request for proposals",
    "request for information",
    "performance work statement (pws)",
    "performance work statement",
    "statement of work",
    "scope of work",
    "job description",
}


def _read_jsonl(path: Path) -> list[dict]:
    """Read one JSON object per non-empty line."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            obj = json.loads(line)
            assert isinstance(obj, dict), f"{path.name}:{n} is not an object"
            rows.append(obj)
    return rows


@pytest.fixture(scope="module")
def signals() -> list[dict]:
    """The signal catalogue."""
    return _read_jsonl(RULES / "signals.jsonl")


@pytest.fixture(scope="module")
def patterns() -> list[dict]:
    """The signal patterns."""
    return _read_jsonl(RULES / "signal_patterns.jsonl")


def _spec_ids(text: str) -> set[str]:
    """Collect the first-column ids of every Markdown table row in signals.md."""
    ids = set()
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.lstrip().startswith("|") and cells and re.fullmatch(r"(ml|ai)\.[a-z_]+", cells[0]):
            ids.add(cells[0])
    return ids


def test_ids_match_contract(signals: list[dict]) -> None:
    """signals.jsonl holds exactly the 22 contract ids, once each."""
    ids = [s["id"] for s in signals]
    assert len(ids) == len(set(ids)), "duplicate signal ids"
    assert set(ids) == EXPECTED_IDS


def test_ids_match_spec(signals: list[dict]) -> None:
    """signals.jsonl ids equal the ids in the two tables of the shared spec."""
    spec_ids = _spec_ids(require_shared(SPEC).read_text(encoding="utf-8"))
    assert spec_ids == EXPECTED_IDS, "spec and hardcoded contract disagree"
    assert {s["id"] for s in signals} == spec_ids


def test_signal_fields(signals: list[dict]) -> None:
    """Every signal has the agreed fields with sane values."""
    for s in signals:
        assert set(s) >= {"id", "side", "weight", "label", "summary", "guide_passage"}, s["id"]
        assert s["side"] == s["id"].split(".")[0], s["id"]
        assert isinstance(s["weight"], (int, float)) and 0 < s["weight"] <= 2, s["id"]
        for key in ("label", "summary", "guide_passage"):
            assert isinstance(s[key], str) and s[key].strip(), (s["id"], key)


def test_guide_passages_are_verbatim(signals: list[dict]) -> None:
    """Every guide_passage is an exact substring of the guide."""
    guide = require_shared(GUIDE).read_text(encoding="utf-8")
    missing = [s["id"] for s in signals if s["guide_passage"] not in guide]
    assert not missing, f"passages not verbatim: {missing}"


def test_pattern_ids_unique_and_signals_exist(patterns: list[dict]) -> None:
    """Pattern ids are unique, well-formed, and refer to a catalogue signal."""
    ids = [p["id"] for p in patterns]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert not dupes, f"duplicate pattern ids: {dupes}"
    for p in patterns:
        assert p["signal"] in EXPECTED_IDS, p["id"]
        assert p["id"].startswith(p["signal"] + "/") and len(p["id"]) > len(p["signal"]) + 1, p["id"]


def test_every_signal_has_patterns(patterns: list[dict]) -> None:
    """No signal is left without patterns."""
    assert {p["signal"] for p in patterns} == EXPECTED_IDS


def test_exactly_one_pattern_form(patterns: list[dict]) -> None:
    """Each pattern has exactly one of phrase / tokens, and nothing unknown."""
    for p in patterns:
        assert ("phrase" in p) != ("tokens" in p), p["id"]
        assert set(p) <= {"id", "signal", "phrase", "tokens", "note"}, p["id"]
        if "phrase" in p:
            assert isinstance(p["phrase"], str) and p["phrase"].strip(), p["id"]
        else:
            assert isinstance(p["tokens"], list) and p["tokens"], p["id"]


def test_phrases_avoid_ai_lemma(patterns: list[dict]) -> None:
    """No phrase has the token 'ai': the lookup table lemmatises it to 'have', so use LOWER tokens instead."""
    tokenizer = spacy.blank("en").tokenizer
    bad = [p["id"] for p in patterns if "phrase" in p and any(t.lower_ == "ai" for t in tokenizer(p["phrase"]))]
    assert not bad, bad


def test_token_patterns_accepted_by_spacy(patterns: list[dict]) -> None:
    """Every token pattern, its word-list references expanded as the loader does, validates in a blank pipeline."""
    nlp = spacy.blank("en")
    matcher = Matcher(nlp.vocab, validate=True)
    loaded = [p for p in load_rules(None).signal_patterns if p.tokens is not None]
    for p in loaded:
        matcher.add(p.id, [list(p.tokens)])
    assert len(matcher) == len(loaded)
    # Lexicon terms matched as written are token patterns too.
    from_file = [p for p in loaded if p.file == "signal_patterns.jsonl"]
    assert len(from_file) == sum("tokens" in p for p in patterns)


def _rule_files() -> list[Path]:
    """Data and doc files under rules/ (code modules are out of scope)."""
    return sorted(f for f in RULES.rglob("*") if f.is_file() and f.suffix.lower() in RULE_DATA_SUFFIXES)


def test_no_corpus_ids_in_rules() -> None:
    """No rules file names a corpus document id."""
    hits = {f.name: sorted(set(CORPUS_ID.findall(f.read_text(encoding="utf-8")))) for f in _rule_files()}
    hits = {k: v for k, v in hits.items() if v}
    assert not hits, hits


def _title(path: Path) -> str | None:
    """The title of a labelled document: its first meaningful line, without Markdown decoration."""
    if path.suffix.lower() == ".pdf":
        text = PdfReader(path).pages[0].extract_text() or ""
    else:
        text = path.read_text(encoding="utf-8", errors="replace")
    for line in text.splitlines():
        line = line.strip()
        if not line or set(line) <= set("-=#*_ ") or line.startswith("**URL:**"):
            continue
        if line.lower().startswith("title:"):
            line = line[6:]
        link = re.match(r"#*\s*\[([^\]]+)\]\(", line)
        line = link.group(1) if link else line.lstrip("#").strip()
        line = line.strip(" *`")
        if line and line.lower() not in GENERIC_HEADINGS:
            return line
    return None


def test_no_corpus_titles_in_rules() -> None:
    """No rules file contains the title of a labelled corpus document."""
    with require_shared(LABELS).open(encoding="utf-8") as fh:
        files = [row["file"] for row in csv.DictReader(fh)]
    # A bare job title of one or two words ("Data Engineer") is the field's vocabulary, not one document's wording.
    found_titles = (_title(DOCS / f) for f in files)
    titles = {t.lower() for t in found_titles if t and len(t) >= 10 and len(t.split()) >= 3}
    assert titles, "no titles read from the labelled documents"
    found = []
    for f in _rule_files():
        text = f.read_text(encoding="utf-8").lower()
        found += [(f.name, t) for t in titles if t in text]
    assert not found, found
