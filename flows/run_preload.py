"""Imported once by serve's forkserver (RUN_PRELOAD, flows/prefect_adaptations.py): work every scheduled run would
otherwise repeat.

Each run is a fork of that process, so it starts with the rules already loaded and checked.
"""

from __future__ import annotations

import os

from rolesignal.flows.prefect_adaptations import RULES_DIR_ENV
from rolesignal.rules.errors import RulesError
from rolesignal.rules.load import load_rules


def load_served_rules() -> None:
    try:
        load_rules(os.environ.get(RULES_DIR_ENV) or None)
    except RulesError:
        pass  # each run loads them again and reports the problems


load_served_rules()
