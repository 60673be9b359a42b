"""RulesError lists its problems with file and line."""

from __future__ import annotations

from rolesignal.rules.errors import Problem, RulesError


def test_listing_puts_each_problem_on_its_own_line() -> None:
    error = RulesError([Problem("signals.jsonl", 3, "missing 'id'"), Problem("scoring.yaml", 0, "file is missing")])
    assert error.listing() == "  signals.jsonl:3: missing 'id'\n  scoring.yaml:0: file is missing"
