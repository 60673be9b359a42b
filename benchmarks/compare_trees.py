"""Two checkouts of rolesignal measured by benchmarks.scan_speed in one session, alternately, as ratios new / old.

    python -m benchmarks.compare_trees OLD_DIR NEW_DIR [--n 1000] [--rounds 2] [--json OUT]

Each folder is a checkout with its own virtual environment in `.venv` (rolesignal installed there, as `.ci/run` does),
so each side runs its own code, its own `rolesignal serve` and its own benchmark. The runs alternate (old, new, old,
new, ...) so that a load on the shared machine that comes and goes falls on both sides. Each figure is compared as the
median over the rounds; a full scan is also compared over the floor measured in the same run, which takes out how
fast the machine was during that run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

Figures = dict[str, Any]


def _cpu(run: Figures) -> float:
    return run["cpu_s"] + run["server_cpu_s"]


# (label, how to read it from one run's figures); lower is better for all of them
METRICS: list[tuple[str, Callable[[Figures], float]]] = [
    ("floor (s)", lambda f: f["floor_s"]),
    ("scheduled full scan (s)", lambda f: f["scans"]["full"]["seconds"]),
    ("scheduled full scan / floor", lambda f: f["scans"]["full"]["seconds"] / f["floor_s"]),
    (
        "scheduled full scan CPU s (tree + server)",
        lambda f: f["scans"]["full"]["cpu_s"] + f["scans"]["full"]["server_cpu_s"],
    ),
    ("scheduled no-change rescan (s)", lambda f: f["scans"]["rescan"]["seconds"]),
    ("no-change rescan / full scan", lambda f: f["scans"]["rescan"]["seconds"] / f["scans"]["full"]["seconds"]),
    ("scheduled rescan, 1% changed (s)", lambda f: f["scans"]["rescan_1pct"]["seconds"]),
    ("peak PSS, scheduled full scan (MB)", lambda f: f["scans"]["full"]["peak_pss_mb"]),
    ("ad-hoc full scan (s)", lambda f: f["ad_hoc_scans"]["full"]["seconds"]),
    ("ad-hoc no-change rescan (s)", lambda f: f["ad_hoc_scans"]["rescan"]["seconds"]),
    ("peak PSS, ad-hoc full scan (MB)", lambda f: f["ad_hoc_scans"]["full"]["peak_pss_mb"]),
]


def run_tree(tree: Path, n: int, out: Path) -> Figures:
    """One benchmarks.scan_speed run of the checkout at `tree`, with its own interpreter."""
    python = tree / ".venv" / "bin" / "python"
    if not python.exists():
        raise SystemExit(f"{tree} has no .venv: python3 -m venv .venv && .venv/bin/pip install -c constraints.txt -e .")
    command = [str(python), "-m", "benchmarks.scan_speed", "--n", str(n), "--json", str(out)]
    subprocess.run(command, cwd=tree, check=True, stdout=subprocess.DEVNULL)
    return json.loads(out.read_text(encoding="utf-8"))


def compare(runs: dict[str, list[Figures]]) -> list[str]:
    """A Markdown table: each metric's values per side, the medians and new / old."""
    lines = ["| metric | old runs | new runs | old median | new median | new / old |", "|---|---|---|---|---|---|"]
    for label, read in METRICS:
        old = [read(f) for f in runs["old"]]
        new = [read(f) for f in runs["new"]]
        mo, mn = statistics.median(old), statistics.median(new)
        shown = ", ".join
        lines.append(
            f"| {label} | {shown(f'{v:.3g}' for v in old)} | {shown(f'{v:.3g}' for v in new)} "
            f"| {mo:.3g} | {mn:.3g} | {mn / mo:.2f} |"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path, help="the checkout before the change (with .venv)")
    parser.add_argument("new", type=Path, help="the checkout after the change (with .venv)")
    parser.add_argument("--n", type=int, default=1000, help="documents per benchmark run")
    parser.add_argument("--rounds", type=int, default=2, help="runs per side, alternated")
    parser.add_argument("--json", help="write every run's figures here")
    args = parser.parse_args(argv)
    runs: dict[str, list[Figures]] = {"old": [], "new": []}
    with tempfile.TemporaryDirectory(prefix="rolesignal-compare-") as tmp:
        for round_ in range(args.rounds):
            for side in ("old", "new"):
                tree = (args.old if side == "old" else args.new).resolve()
                print(f"round {round_ + 1}/{args.rounds}: {side} ({tree})", file=sys.stderr, flush=True)
                runs[side].append(run_tree(tree, args.n, Path(tmp) / f"{side}-{round_}.json"))
    print(f"N = {args.n}, {args.rounds} runs per side, alternated; old = {args.old}, new = {args.new}\n")
    print("\n".join(compare(runs)))
    if args.json:
        Path(args.json).write_text(json.dumps(runs, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
