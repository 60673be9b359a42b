"""A rules directory with a small, known set of signal patterns, so mechanism tests do not move with the data."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest

from rolesignal.rules.load import DEFAULT_DIR, load_rules
from rolesignal.rules.types import RuleSet

PATTERNS = [
    {"id": "t/train-model", "signal": "ml.training", "phrase": "train model"},
    {"id": "t/fine-tune", "signal": "ml.training", "phrase": "fine-tune"},
    {"id": "t/fine-tune-api", "signal": "ai.managed_fine_tuning", "phrase": "fine-tuning api"},
    {"id": "t/rag", "signal": "ai.rag", "phrase": "rag"},
    {"id": "t/vector", "signal": "ai.rag", "phrase": "vector database"},
    {"id": "t/openai", "signal": "ai.llm_integration", "phrase": "openai"},
    {"id": "t/llm-api", "signal": "ai.llm_integration", "tokens": [{"LEMMA": "llm"}, {"LEMMA": "api"}]},
    {"id": "t/salesforce", "signal": "ai.business_integration", "phrase": "salesforce"},
    {"id": "t/images", "signal": "ml.non_text_modality", "phrase": "image classification"},
    {"id": "t/features", "signal": "ml.feature_engineering", "phrase": "feature engineering"},
]


@pytest.fixture(scope="session")
def small_rules(tmp_path_factory: pytest.TempPathFactory) -> RuleSet:
    target = tmp_path_factory.mktemp("rules") / "rules"
    shutil.copytree(DEFAULT_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (target / "signal_patterns.jsonl").write_text("\n".join(json.dumps(p) for p in PATTERNS) + "\n")
    (target / "lexicon.jsonl").write_text("")  # the built-in vocabulary is data too: mechanism tests run without it
    return load_rules(target)


@pytest.fixture(scope="session")
def hand_rules(builtin_rules: RuleSet) -> RuleSet:
    """The built-in rules without the fitted model: the hand rule of scoring.yaml decides."""
    decision = {k: v for k, v in builtin_rules.scoring["decision"].items() if k != "model"}
    return dataclasses.replace(builtin_rules, scoring=builtin_rules.scoring | {"decision": decision})
