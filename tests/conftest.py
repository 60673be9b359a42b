"""Fixtures shared across the test packages."""

from __future__ import annotations

import pytest

from rolesignal.rules.load import load_rules
from rolesignal.rules.types import RuleSet


@pytest.fixture(scope="session")
def builtin_rules() -> RuleSet:
    """The rules shipped in rules/, loaded once."""
    return load_rules()
