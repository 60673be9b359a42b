"""The benchmarks stand on their own: they may be imported by tests, never the other way round."""

from __future__ import annotations

import ast
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def imported_modules(path: Path) -> list[str]:
    """Every absolute module name a file imports, at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    return names + [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module and n.level == 0]


def test_benchmarks_do_not_import_the_tests() -> None:
    # The tests package is not installed and may be absent where a benchmark runs.
    found = [
        f"{path.name}: {module}"
        for path in sorted(BENCHMARKS.rglob("*.py"))
        for module in imported_modules(path)
        if module.split(".")[0] == "tests"
    ]
    assert sorted(BENCHMARKS.rglob("*.py")), "no benchmark files found"
    assert found == []
