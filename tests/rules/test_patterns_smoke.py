"""Smoke test of rules/signal_patterns.jsonl on short sentences, through the analyser's own signal matcher."""

from __future__ import annotations

import pytest

from rolesignal.extractors.types import Requirement
from rolesignal.flows.analyse import Analyzer
from rolesignal.rules.types import RuleSet

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


@pytest.fixture(scope="module")
def analyzer(builtin_rules: RuleSet) -> Analyzer:
    """One analyser (spaCy pipeline and matchers) over the shipped rules for all cases."""
    return Analyzer(builtin_rules)


def signals(analyzer: Analyzer, text: str) -> set[str]:
    """Signals that count for text as one required qualification: hits the matcher negated weigh nothing."""
    requirement = Requirement(0, text, "required_qualifications", "", "required", 1, 0, len(text))
    hits = analyzer.match_signals([requirement], [analyzer.nlp(text)[:]])
    return {hit.signal_id for hit in hits if not hit.negated}


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_sentence_signals(analyzer: Analyzer, text: str, expected: set[str]) -> None:
    """Each sentence hits exactly the expected signals."""
    assert signals(analyzer, text) == expected


def test_cases_cover_every_signal(builtin_rules: RuleSet) -> None:
    """The positive cases exercise every signal of the catalogue."""
    covered = set().union(*(e for _, e in CASES))
    assert covered == set(builtin_rules.signals)
