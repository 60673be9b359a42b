"""The layout is the architecture: imports point one way, extractors <- rules <- warehouse <- flows."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("extractors", "rules", "warehouse", "flows")
# What each package may import of ours besides itself: a package name allows all of it, a dotted name one module.
# rules builds on the extractors' types, the code version hashed into the rules version, and the one pattern engine
# that both requirement cues and signal patterns run through. warehouse stores the reader version with each document.
ALLOWED = {
    "extractors": set(),
    "rules": {"extractors.types", "extractors.version", "extractors.matching"},
    "warehouse": {"extractors.types", "extractors.version", "rules.types"},
    "flows": {"extractors", "rules", "warehouse"},
}


def all_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every absolute import, at any depth of the file; `from a import b` gives a and a.b."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            # "from rolesignal.warehouse import rows" imports the module rolesignal.warehouse.rows
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import of a rolesignal module, without the 'rolesignal.' prefix."""
    return [(line, m.removeprefix("rolesignal.")) for line, m in all_imports(path) if m.startswith("rolesignal.")]


def wrong_way(package: str) -> list[str]:
    problems = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for line, module in imports_of(path):
            target = module.split(".")[0]
            if target == package or target not in PACKAGES:
                continue
            dotted = ".".join(module.split(".")[:2])
            allowed = ALLOWED[package]
            if target not in allowed and dotted not in allowed and not _is_name_of_allowed(module, allowed):
                problems.append(f"{path.relative_to(ROOT)}:{line} imports rolesignal.{module}")
    return problems


def _is_name_of_allowed(module: str, allowed: set[str]) -> bool:
    """`from rolesignal.rules.types import Analysis` also yields 'rules.types.Analysis': a name, not a module."""
    return any(module.startswith(f"{a}.") for a in allowed)


def test_imports_point_one_way() -> None:
    problems = [problem for package in PACKAGES for problem in wrong_way(package)]
    assert problems == []


def test_our_modules_are_imported_by_their_installed_name() -> None:
    # From the repository root `import warehouse` finds the folder, but an installed rolesignal has no such name.
    bare = []
    for package in (*PACKAGES, "tests", "benchmarks"):
        for path in sorted((ROOT / package).rglob("*.py")):
            bare += [
                f"{path.relative_to(ROOT)}:{line} {m}" for line, m in all_imports(path) if m.split(".")[0] in PACKAGES
            ]
    assert bare == []


def test_libraries_do_not_import_prefect() -> None:
    # The libraries work without Prefect: only flows/ (and the tests) may import it.
    problems = []
    for package in ("extractors", "rules", "warehouse"):
        for path in sorted((ROOT / package).rglob("*.py")):
            problems += [
                f"{path.relative_to(ROOT)}:{line}" for line, m in all_imports(path) if m.split(".")[0] == "prefect"
            ]
    assert problems == []


def test_the_check_sees_a_wrong_import(tmp_path: Path) -> None:
    module = tmp_path / "backwards.py"
    module.write_text("def f():\n    from rolesignal.warehouse.store import write_batch\n", encoding="utf-8")
    assert imports_of(module) == [(2, "warehouse.store"), (2, "warehouse.store.write_batch")]
    assert "warehouse" not in ALLOWED["rules"] and "warehouse.store" not in ALLOWED["rules"]


def test_package_graph_has_no_cycle() -> None:
    edges = {package: set() for package in PACKAGES}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for _, module in imports_of(path):
                target = module.split(".")[0]
                if target in PACKAGES and target != package:
                    edges[package].add(target)
    order = []  # a topological order exists only without a cycle
    pending = dict(edges)
    while pending:
        ready = [p for p, targets in pending.items() if not targets & set(pending)]
        assert ready, f"import cycle among {sorted(pending)}"
        order += sorted(ready)
        for p in ready:
            del pending[p]
    assert order == ["extractors", "rules", "warehouse", "flows"]
