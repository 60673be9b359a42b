"""Fixtures shared across the test packages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rolesignal.rules.load import load_rules
from rolesignal.rules.types import RuleSet

# The labelled corpus, the spec and the guide live beside the checkout, not in it.
SHARED = Path(__file__).resolve().parents[2] / "shared"


def in_ci() -> bool:
    """Whether CI is set (CI=true): there shared/ is copied beside the clone, so its absence is a failure."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_shared(path: Path) -> Path:
    """path (in the shared folder) if it exists; else skip the test locally, or fail it under CI."""
    if not path.exists():
        message = f"{path} is missing (the shared folder is not beside this checkout)"
        if in_ci():
            pytest.fail(f"{message}; CI must run with shared/ beside the clone", pytrace=False)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def builtin_rules() -> RuleSet:
    """The rules shipped in rules/, loaded once."""
    return load_rules()
