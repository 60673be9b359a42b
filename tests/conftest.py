"""Fixtures shared across the test packages."""

from __future__ import annotations

import pytest

from rules.load import RuleSet, load_rules


@pytest.fixture(scope="session")
def builtin_rules() -> RuleSet:
    """The rules shipped in rules/, loaded once."""
    return load_rules()
