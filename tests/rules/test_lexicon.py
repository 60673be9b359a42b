"""The built-in vocabulary (rules/lexicon.jsonl): ordinary words of the field find the guide's signals, weighed by
how specific each term is, and words that mean using an AI tool find none."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest

from rolesignal.extractors.nlp import build_nlp
from rolesignal.extractors.types import Requirement
from rolesignal.rules.load import DEFAULT_DIR, load_rules
from rolesignal.rules.match import SignalMatcher
from rolesignal.rules.types import RuleSet, SignalHit

LEXICON = DEFAULT_DIR / "lexicon.jsonl"
SECTION = "required_qualifications"


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules()


@pytest.fixture(scope="module")
def concepts() -> list[dict]:
    return [json.loads(line) for line in LEXICON.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def match(rules: RuleSet) -> Callable[..., list[SignalHit]]:
    """The built-in rules' SignalMatcher, called as the Analyzer calls it, on one requirement."""
    nlp = build_nlp(rules.scoring.get("lemma_overrides"))
    matcher = SignalMatcher(rules, nlp)

    def run(text: str, strength: str = "required", section: str = SECTION) -> list[SignalHit]:
        requirement = Requirement(0, text, section, "", strength, 1, 0, len(text))
        return matcher([requirement], [nlp(text)[:]])

    return run


def live(hits: list[SignalHit]) -> set[str]:
    return {h.signal_id for h in hits if not h.negated}


def sides(hits: list[SignalHit]) -> set[str]:
    return {h.side for h in hits if not h.negated}


def test_every_concept_is_well_formed(concepts: list[dict], rules: RuleSet) -> None:
    """Ids are unique snake_case, signals exist, specificity is in (0, 1], each note says what the concept is."""
    ids = [c["id"] for c in concepts]
    assert len(ids) == len(set(ids))
    for concept in concepts:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", concept["id"]), concept["id"]
        assert concept["signal"] in rules.signals, concept["id"]
        assert 0 < concept["specificity"] <= 1, concept["id"]
        assert len(concept["note"]) >= 40, concept["id"]
        assert set(concept) - {"match"} == {"id", "signal", "specificity", "terms", "note"}, concept["id"]


def test_the_vocabulary_covers_every_signal(concepts: list[dict], rules: RuleSet) -> None:
    assert {c["signal"] for c in concepts} == set(rules.signals)


def test_terms_become_patterns_weighted_by_specificity(concepts: list[dict], rules: RuleSet) -> None:
    [vision] = [c for c in concepts if c["id"] == "computer_vision"]
    found = {p.phrase: p.weight for p in rules.signal_patterns if p.id.startswith("lexicon:computer_vision/")}
    assert found["computer vision"] == found["computer-vision"] == vision["specificity"]


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("Build a customer-service chatbot on existing language models", "ai.application_deliverable"),
        ("Deliver a conversational AI experience for our members", "ai.application_deliverable"),
        ("Design a virtual assistant that answers benefits questions", "ai.application_deliverable"),
        ("Add AI-powered features to the booking portal", "ai.application_deliverable"),
        ("Build a voicebot for after-hours calls", "ai.application_deliverable"),
        ("Integrate GPT-4o and Claude into the claims workflow", "ai.llm_integration"),
        ("Experience with Pinecone or Qdrant", "ai.rag"),
        ("Build agents with the OpenAI Agents SDK", "ai.agents_tools"),
        ("Set up Langfuse tracing and an evaluation harness", "ai.eval_observability"),
        ("Apply natural language processing to incoming correspondence", "ml.training"),
        ("Hands-on deep learning experience", "ml.training"),
        ("Design convolutional neural networks for inspection", "ml.training"),
        ("Detect anomalies in transaction streams", "ml.predictive_use_case"),
        ("Build product recommendations for the storefront", "ml.predictive_use_case"),
        ("Predictive modelling of hospital readmissions", "ml.predictive_use_case"),
        ("Develop image and signal analysis for the sensor suite", "ml.non_text_modality"),
        ("Develop detection, classification and recognition algorithms", "ml.model_deliverable"),
        ("Track experiments in ClearML and run grid search", "ml.experimentation"),
        ("Manage data annotation with Label Studio", "ml.data_pipelines"),
        ("Quantise models with GPTQ and serve them with TensorRT-LLM", "ml.inference_optimisation"),
        ("Run TinyML models on microcontrollers", "ml.hardware_constraints"),
        ("Fine-tune LLMs with LoRA on clinical notes", "ml.domain_fine_tuning"),
        ("Use the Bedrock fine-tuning service for a small model", "ai.managed_fine_tuning"),
        ("Models must run on Ollama inside our network", "ml.privacy_self_hosted"),
        # Model-layer work in ordinary words: autonomy, research and development, automatic recognition.
        ("Develop perception software for autonomous vehicles", "ml.non_text_modality"),
        ("Lead research and development of new detection methods", "ml.training"),
        ("Develop automatic recognition of vessels in sonar returns", "ml.model_deliverable"),
        # A task named by its verb as well as by its noun: "detect fraud" is fraud detection.
        ("Detect fraud in card payments", "ml.predictive_use_case"),
        ("Forecast demand for every store", "ml.predictive_use_case"),
        ("Detect defects on the production line", "ml.non_text_modality"),
    ],
)
def test_ordinary_words_find_their_signal(match: Callable[..., list[SignalHit]], text: str, signal: str) -> None:
    assert signal in live(match(text))


def test_reinforcement_learning_agents_are_not_llm_agents(match: Callable[..., list[SignalHit]]) -> None:
    hits = match("Develop reinforcement learning agents for warehouse robots")
    assert "ml.training" in live(hits)
    assert sides(hits) == {"ml"}


@pytest.mark.parametrize(
    "text",
    [
        "Write dbt models and dashboards with Claude Code or GitHub Copilot",
        "Build with coding agents and review what they write",
    ],
)
def test_coding_with_ai_tools_states_no_ai_work(match: Callable[..., list[SignalHit]], text: str) -> None:
    assert live(match(text)) == set()


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("Integrate Claude into the support workflow", "ai.llm_integration"),
        ("Build coding agents that fix failing tests", "ai.agents_tools"),
    ],
)
def test_building_with_the_same_words_is_ai_work(match: Callable[..., list[SignalHit]], text: str, signal: str) -> None:
    assert signal in live(match(text))


def test_computer_vision_defect_models_are_model_layer_only(match: Callable[..., list[SignalHit]]) -> None:
    hits = match("Develop computer-vision models to detect defects")
    assert {"ml.non_text_modality", "ml.model_deliverable"} <= live(hits)
    assert sides(hits) == {"ml"}


def test_chatbot_on_existing_models_is_application_layer_only(match: Callable[..., list[SignalHit]]) -> None:
    hits = match("Build a customer-service chatbot on existing language models")
    assert sides(hits) == {"ai"}


def test_hit_weight_is_signal_weight_times_specificity_times_base(
    match: Callable[..., list[SignalHit]], rules: RuleSet, concepts: list[dict]
) -> None:
    """'predictive maintenance' is only lexicon vocabulary (forecasting): its hit weighs weight x specificity x base."""
    [forecasting] = [c for c in concepts if c["id"] == "forecasting"]
    section_weight = {s.id: s.weight for s in rules.sections}[SECTION]
    signal = rules.signals["ml.predictive_use_case"]
    [required] = match("Build predictive maintenance for the fleet")
    [preferred] = match("Build predictive maintenance for the fleet", strength="preferred")
    assert required.pattern_id == "lexicon:forecasting/predictive maintenance"
    assert required.weight == pytest.approx(signal.weight * forecasting["specificity"] * 1.0 * section_weight)
    strength = float(rules.scoring["strength_weights"]["preferred"])
    assert preferred.weight == pytest.approx(signal.weight * forecasting["specificity"] * strength * section_weight)


def test_the_more_specific_wording_wins_within_a_signal(match: Callable[..., list[SignalHit]]) -> None:
    """'machine learning' (broad) and 'PyTorch' (specific) in one requirement: one ml.training hit, PyTorch's."""
    [hit] = [h for h in match("Machine learning with PyTorch") if h.signal_id == "ml.training"]
    assert hit.matched_text == "PyTorch"


def test_broad_words_weigh_less_than_specific_ones(match: Callable[..., list[SignalHit]]) -> None:
    [broad] = match("Some artificial intelligence background")
    [specific] = match("Build a FAQ bot for the intranet")
    assert broad.signal_id == specific.signal_id == "ai.application_deliverable"
    assert broad.weight < specific.weight / 2


def test_plurals_and_hyphen_twins_match(match: Callable[..., list[SignalHit]]) -> None:
    assert "ml.non_text_modality" in live(match("Machine-Vision systems for the line"))
    assert "ml.predictive_use_case" in live(match("Tune the Recommenders weekly"))
    assert "ai.application_deliverable" in live(match("Ship Voice Bots for the help line"))


def test_lexicon_hits_are_negated_like_patterns(match: Callable[..., list[SignalHit]]) -> None:
    [hit] = match("No deep learning is required for this role")
    assert hit.negated and hit.weight == 0.0


@pytest.mark.parametrize(
    "text",
    [
        "Use ChatGPT to draft routine emails",
        "Use GitHub Copilot or Microsoft Copilot to speed up development",
        "Net 30 prompt payment terms apply",
        "Deliver the work in manageable chunks",
        "Provide recommendations to the steering committee",
        "Maintain the ERP and payroll systems",
        # Words that look like a term matched on its lemmas, but are not the named thing.
        "Help us scale AI across the organisation",
        "Understand core ML concepts",
    ],
)
def test_using_tools_and_plain_words_find_nothing(match: Callable[..., list[SignalHit]], text: str) -> None:
    assert live(match(text)) == set()


def test_terms_matched_as_written_keep_their_form(match: Callable[..., list[SignalHit]]) -> None:
    """'embedded AI' is hardware; 'embedding AI features' is the guide's application work, not 'embed AI'."""
    assert "ml.hardware_constraints" in live(match("Run embedded AI on the camera module"))
    assert "ml.hardware_constraints" not in live(match("Embed AI into our customer service workflows"))
    assert "ml.data_pipelines" in live(match("Manage labelling vendors such as Scale AI"))
    assert "ml.hardware_constraints" in live(match("Ship models with Core ML on iOS"))


def test_spelled_out_ai_counts_as_ai(match: Callable[..., list[SignalHit]]) -> None:
    """'artificial intelligence solutions' weighs what 'AI solutions' weighs."""
    [short] = [
        h for h in match("Implement AI solutions for the department") if h.signal_id == "ai.application_deliverable"
    ]
    [spelled] = [
        h
        for h in match("Implement artificial intelligence solutions for the department")
        if h.signal_id == "ai.application_deliverable"
    ]
    assert spelled.weight == pytest.approx(short.weight)
