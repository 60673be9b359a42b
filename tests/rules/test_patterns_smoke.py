"""Smoke test of rules/signal_patterns.jsonl on short sentences, through a self-contained lemma + matcher pipeline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

spacy = pytest.importorskip("spacy")
from spacy.language import Language  # noqa: E402
from spacy.lookups import load_lookups  # noqa: E402
from spacy.matcher import Matcher, PhraseMatcher  # noqa: E402
from spacy.tokens import Doc  # noqa: E402

PATTERNS = Path(__file__).resolve().parents[2] / "rules" / "signal_patterns.jsonl"

CASES: list[tuple[str, set[str]]] = [
    ("Train and deploy deep learning models in PyTorch", {"ml.training"}),
    ("Engineer features from raw transaction data and maintain the feature store", {"ml.feature_engineering"}),
    ("Track experiments and run hyperparameter sweeps in MLflow", {"ml.experimentation"}),
    ("Build data pipelines that feed training and inference systems", {"ml.data_pipelines"}),
    ("Optimize LLM inference with vLLM and TensorRT, including quantization", {"ml.inference_optimisation"}),
    ("Develop fraud detection models and churn prediction", {"ml.predictive_use_case"}),
    ("Learn from our proprietary datasets that public models have never seen", {"ml.proprietary_data"}),
    ("Fine-tune Llama 3 on our proprietary clinical notes with LoRA", {"ml.domain_fine_tuning"}),
    ("Run models on edge devices with tight memory budgets", {"ml.hardware_constraints"}),
    ("Build image classification and object detection systems", {"ml.non_text_modality"}),
    ("Models must be self-hosted because patient data cannot be sent to third-party APIs", {"ml.privacy_self_hosted"}),
    ("API costs at our volume are cost-prohibitive", {"ml.api_cost_volume"}),
    ("Ship a trained model with documented model weights", {"ml.model_deliverable"}),
    ("Experience with OpenAI, Anthropic or Azure OpenAI APIs", {"ai.llm_integration"}),
    ("Design prompts and parse structured outputs with function calling", {"ai.prompt_design"}),
    ("Add retries and fallbacks for LLM calls and track token usage", {"ai.reliability_cost"}),
    ("Build RAG pipelines over our knowledge base with pgvector", {"ai.rag"}),
    ("Build AI agents that call internal APIs using LangGraph", {"ai.agents_tools"}),
    ("Integrate the assistant with Salesforce and Slack", {"ai.business_integration"}),
    ("Create evaluation datasets and monitor LLM output quality with LangSmith", {"ai.eval_observability"}),
    ("Deliver a customer support chatbot on Dialogflow", {"ai.application_deliverable"}),
    ("Fine-tune GPT models through the OpenAI fine-tuning API", {"ai.managed_fine_tuning"}),
    (
        "Integrate a pre-trained model into our web app as a virtual assistant that answers questions from our "
        "policy documents",
        {"ai.llm_integration", "ai.rag", "ai.application_deliverable"},
    ),
    # Negatives: words that look like AI or ML and are not.
    ("Net 30 prompt payment terms apply", set()),
    ("The contracting agent will review all invoices", set()),
    ("Implement a fallback resolver that queries DoH endpoints", set()),
    ("Use AI coding tools such as GitHub Copilot to speed up development", set()),
    ("Provide training to staff on the new case management system", set()),
    ("Build data pipelines in Airflow and dbt for the finance team", set()),
]


def _lemma_table() -> dict:
    """spaCy's English lookup lemmas (spacy-lookups-data)."""
    return load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")


class _Pipeline:
    """Blank English + lookup lemmas + phrase and token matchers, keeping the most specific match per overlap."""

    def __init__(self, patterns: list[dict]) -> None:
        table = _lemma_table()
        self.nlp = spacy.blank("en")

        @Language.component("smoke_lookup_lemmas")
        def _lemmas(doc: Doc) -> Doc:
            for tok in doc:
                tok.lemma_ = table.get(tok.lower_, tok.lower_)
            return doc

        self.nlp.add_pipe("smoke_lookup_lemmas")
        self.phrases = PhraseMatcher(self.nlp.vocab, attr="LEMMA")
        self.tokens = Matcher(self.nlp.vocab, validate=True)
        self.signal_of: dict[str, str] = {}
        for p in patterns:
            self.signal_of[p["id"]] = p["signal"]
            if "phrase" in p:
                self.phrases.add(p["id"], [self.nlp(p["phrase"])])
            else:
                self.tokens.add(p["id"], [p["tokens"]])

    def signals(self, text: str) -> set[str]:
        """Signals hit in text; a match inside a longer match of another signal is dropped (the lead's rule)."""
        doc = self.nlp(text)
        raw = [*self.phrases(doc), *self.tokens(doc)]
        found = [(self.signal_of[self.nlp.vocab.strings[k]], s, e) for k, s, e in raw]
        kept = {
            sig
            for sig, s, e in found
            if not any(o != sig and os <= s and e <= oe and oe - os > e - s for o, os, oe in found)
        }
        return kept


@pytest.fixture(scope="module")
def pipeline() -> _Pipeline:
    """One pipeline for all cases."""
    rows = [json.loads(line) for line in PATTERNS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return _Pipeline(rows)


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_sentence_signals(pipeline: _Pipeline, text: str, expected: set[str]) -> None:
    """Each sentence hits exactly the expected signals."""
    assert pipeline.signals(text) == expected


def test_cases_cover_every_signal() -> None:
    """The positive cases exercise all 22 signals."""
    covered = set().union(*(e for _, e in CASES))
    assert len(covered) == 22
