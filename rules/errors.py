"""Typed errors for rules that cannot be loaded."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a rules directory, pointing at file and line."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class RulesError(Exception):
    """The rules directory is invalid; `problems` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems[:5]) + (" ..." if len(problems) > 5 else ""))

    def listing(self) -> str:
        """Every problem on its own indented line, for a message that lists them."""
        return "\n".join(f"  {p}" for p in self.problems)
