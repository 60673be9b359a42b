"""The Prefect settings rolesignal applies (its adaptations to Prefect's internals: test_prefect_adaptations.py)."""

from __future__ import annotations

import os

import pytest

from rolesignal.flows.settings import QUIET_DEFAULTS, quiet_prefect


def test_our_defaults_fill_in_only_what_the_user_did_not_set(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in QUIET_DEFAULTS:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "DEBUG")
    quiet_prefect()
    assert os.environ["PREFECT_LOGGING_LEVEL"] == "DEBUG"
    assert all(os.environ[key] == value for key, value in QUIET_DEFAULTS.items() if key != "PREFECT_LOGGING_LEVEL")


def test_each_prefect_default_names_a_prefect_setting() -> None:
    import prefect.settings

    unknown = [key for key in QUIET_DEFAULTS if key.startswith("PREFECT_") and not hasattr(prefect.settings, key)]
    assert unknown == []
