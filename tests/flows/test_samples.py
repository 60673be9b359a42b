"""The sample outputs in README.md and docs/warehouse.md are what their commands print (docs/samples.py makes them)."""

from __future__ import annotations

import difflib
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_samples():  # noqa: ANN201 - the script's module, loaded from its path (docs/ is no package)
    spec = importlib.util.spec_from_file_location("docs_samples", ROOT / "docs" / "samples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_sample_output_is_what_its_command_prints_for_a_newcomer(newcomer_env: dict[str, str]) -> None:
    samples = load_samples()
    # The shared newcomer PREFECT_HOME: Prefect's temporary server starts warm when another test made it.
    env = samples.newcomer_environment(newcomer_env, Path(newcomer_env["PREFECT_HOME"]))
    stale = []
    for page, text in samples.samples(env).items():
        old = page.read_text(encoding="utf-8")
        name = str(page.relative_to(ROOT))
        stale += difflib.unified_diff(old.splitlines(True), text.splitlines(True), name, name)
    assert not stale, "".join(stale) + "\nstale samples: run `python docs/samples.py` and check the difference"


def test_the_samples_cover_the_newcomer_s_first_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("scan examples/inbox", "report review_queue", 'sql "SELECT', "explain ml-engineer"):
        assert f"\n$ .venv/bin/rolesignal {command}" in readme, command
    assert "--db" not in "".join(line for line in readme.splitlines(True) if line.startswith("$ "))
