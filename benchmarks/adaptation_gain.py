"""What one change saves a scan: two checkouts of rolesignal, with and without it, alternated in one session.

    python -m benchmarks.adaptation_gain --with A/.venv/bin/rolesignal --without B/.venv/bin/rolesignal
        [--kind scheduled|ad-hoc|scheduled-full] [--n 3000] [--runs 6] [--work DIR] [--json OUT]

Builds (or reuses, in --work) the scan_speed corpus of N documents and a warehouse of it, starts a Prefect server,
then runs the same scan with each command in turn, alternating which goes first (A B, B A, A B, ...) so that a load
on the shared machine that comes and goes weighs on both: `scheduled`, a no-change rescan through `rolesignal serve`
(one serve per command, both idle between runs; timed by the server, Pending to final state); `ad-hoc`, a
no-change `rolesignal scan` (wall time); `scheduled-full`, a scheduled full scan into a fresh warehouse. Prints the
medians of wall and CPU seconds (the scan's process tree plus the Prefect server), and the saving as a share of the
scan without the change: from the medians, and from the median of each pair's difference.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from benchmarks.scan_speed import build_corpus, run_scan
from benchmarks.scheduled_scans import ServedScans

SIDES = ("with", "without")


def corpus(work: Path, n: int) -> Path:
    """The corpus of N documents in `work`, built once."""
    folder, done = work / f"corpus-{n}", work / f"corpus-{n}.done"
    if not done.exists():
        build_corpus(n, folder)
        done.touch()
    return folder


def alternated(runs: int, measure: Callable[[str, int], dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """`runs` measurements per side, in the order A B, B A, A B, ..."""
    results: dict[str, list[dict[str, Any]]] = {side: [] for side in SIDES}
    for number in range(runs):
        for side in SIDES if number % 2 == 0 else SIDES[::-1]:
            result = measure(side, number)
            results[side].append({k: result[k] for k in ("seconds", "cpu_s", "server_cpu_s")})
            print(f"{side:8} {result['seconds']:7.2f} s  CPU {result['cpu_s']:6.2f} + {result['server_cpu_s']:.2f}")
    return results


def benchmark(args: argparse.Namespace) -> dict[str, Any]:
    from rolesignal.flows.serve import local_server

    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    folder = corpus(work, args.n)
    commands = {"with": Path(args.with_), "without": Path(args.without)}
    home = work / "prefect-home"
    env = os.environ | {"PREFECT_HOME": str(home)}
    os.environ["PREFECT_HOME"] = str(home)
    db = work / f"bench-{args.n}.duckdb"
    with local_server(log_dir=work) as server, ExitStack() as stack:
        env["PREFECT_API_URL"] = os.environ["PREFECT_API_URL"] = server.api_url
        pid = server.process.pid
        if not db.exists():  # the warehouse every no-change rescan finds up to date
            run_scan(folder, db, env, None, pid, commands["with"])
        if args.kind == "ad-hoc":
            results = alternated(args.runs, lambda side, _: run_scan(folder, db, env, None, pid, commands[side]))
        else:
            served = {
                side: stack.enter_context(
                    ServedScans(folder, db, env, pid, work / f"serve-{side}.log", commands[side], f"bench-{side}")
                )
                for side in SIDES
            }

            def scheduled(side: str, number: int) -> dict[str, Any]:
                target = db if args.kind == "scheduled" else work / f"bench-full-{side}-{number}.duckdb"
                return served[side].run(target)

            results = alternated(args.runs, scheduled)
    summary: dict[str, Any] = {"kind": args.kind, "n": args.n, "runs": args.runs, "results": results}
    summary["commands"] = {side: str(command) for side, command in commands.items()}
    for side in SIDES:
        summary[side] = {
            "seconds": statistics.median(r["seconds"] for r in results[side]),
            "cpu_s": statistics.median(r["cpu_s"] + r["server_cpu_s"] for r in results[side]),
        }
    summary["saved_share"] = {key: 1 - summary["with"][key] / summary["without"][key] for key in ("seconds", "cpu_s")}
    # The two runs of a pair were made one after the other: their difference is the least disturbed by a load that
    # drifts over the session.
    pairs = list(zip(results["with"], results["without"], strict=True))
    differences = {
        "seconds": [b["seconds"] - a["seconds"] for a, b in pairs],
        "cpu_s": [b["cpu_s"] + b["server_cpu_s"] - a["cpu_s"] - a["server_cpu_s"] for a, b in pairs],
    }
    summary["saved_paired"] = {
        key: statistics.median(values) / summary["without"][key] for key, values in differences.items()
    }
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--with", dest="with_", required=True, help="the rolesignal command with the change")
    parser.add_argument("--without", required=True, help="the rolesignal command without it")
    parser.add_argument("--kind", choices=("scheduled", "ad-hoc", "scheduled-full"), default="scheduled")
    parser.add_argument("--n", type=int, default=3000, help="documents in the corpus")
    parser.add_argument("--runs", type=int, default=6, help="runs per side")
    parser.add_argument("--work", default="benchmarks/out/adaptation-gain", help="corpus, warehouse and logs")
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args(argv)
    figures = benchmark(args)
    for side in SIDES:
        print(f"median {side:8} {figures[side]['seconds']:.3f} s, CPU {figures[side]['cpu_s']:.2f} s")
    saved = figures["saved_share"]
    print(f"saved: {100 * saved['seconds']:.1f}% of the wall time, {100 * saved['cpu_s']:.1f}% of the CPU seconds")
    paired = figures["saved_paired"]
    print(
        f"median of the pairs' differences: {100 * paired['seconds']:.1f}% of the wall time, "
        f"{100 * paired['cpu_s']:.1f}% of the CPU seconds"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
