"""Reading rule files: their text and JSON-lines rows, with every problem collected by file and line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rolesignal.rules.errors import Problem


class RuleReader:
    """Reads the files of one rules directory and collects the problems found, with file and line."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.problems: list[Problem] = []

    def add(self, file: str, line: int, message: str) -> None:
        self.problems.append(Problem(file, line, message))

    def text(self, name: str) -> str | None:
        """The file's text, or None (and a problem) when it is missing."""
        path = self.directory / name
        if not path.exists():
            self.add(name, 0, "file is missing")
            return None
        return path.read_text(encoding="utf-8")

    def jsonl(self, name: str) -> list[tuple[int, dict[str, Any]]]:
        text = self.text(name)
        if text is None:
            return []
        rows = []
        for number, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip() or raw.lstrip().startswith("//"):
                continue
            try:
                row = json.loads(raw)
            except json.JSONDecodeError as exc:
                self.add(name, number, f"not valid JSON: {exc.msg} (column {exc.colno})")
                continue
            except RecursionError:
                self.add(name, number, "nested too deeply to be a rule (JSON arrays or objects inside each other)")
                continue
            if not isinstance(row, dict):
                self.add(name, number, "each line must be a JSON object")
                continue
            rows.append((number, row))
        return rows

    def unique(self, name: str, rows: list[tuple[int, dict[str, Any]]]) -> None:
        seen: dict[str, int] = {}
        for number, row in rows:
            rid = row.get("id")
            if not isinstance(rid, str) or not rid:
                self.add(name, number, "missing 'id'")
            elif rid in seen:
                self.add(name, number, f"duplicate id {rid!r} (first on line {seen[rid]})")
            else:
                seen[rid] = number

    def strings(self, name: str, number: int, row: dict[str, Any], key: str) -> tuple[str, ...]:
        value = row.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
            self.add(name, number, f"'{key}' must be a non-empty list of strings")
            return ()
        return tuple(v.lower() for v in value)
