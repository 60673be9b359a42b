"""How fast a scan is against the cost of reading the files, and how much memory it needs.

    python -m benchmarks.scan_speed [--n 3000] [--json OUT] [--keep DIR] [--batch-size N]

Builds a corpus of N documents — a third each PDF, DOCX and text — from examples/source/*.md, each copy with a
numbered reference paragraph of its own so that every file has a distinct content hash and is really read. Then, in
one run, on the same files:

1. the floor: plain single-process text extraction with the fastest readers the project has (pypdfium2
   `get_text_bounded` per page, python-docx paragraphs and table cells, read + decode for text);
2. a `prefect server start` on a free loopback port (its start-up is timed as a fixed cost, apart from the scans);
3. scheduled scans, as `rolesignal serve` runs them (benchmarks/scheduled_scans.py): one serve process (its start-up
   timed as a fixed cost), each run asked for through the Prefect API as its schedule would, timed by the server from
   the runner taking the run (Pending) to its final state: a full scan into a fresh warehouse, rescans with nothing
   changed (the median of five counts), and a rescan after 1% of the files changed;
4. the same three as `rolesignal scan` subprocesses (ad-hoc runs, wall time): these pay for starting Python and
   importing Prefect every time, which a scheduled run forked from serve's forkserver does not.

Memory and CPU are sampled from outside with psutil over each run's process tree (benchmarks/process_tree.py): the
scan with its worker processes, and for scheduled scans serve and its forkserver too: PSS every 0.5 s (the memory the
tree occupies) and the sum of RSS every 50 ms (which counts shared libraries once per process).

The floor and the scheduled full scan are each measured three times, alternately (floor, full scan, floor, ...), and
the fastest of each is compared: a load on the shared machine that comes and goes decides neither side. Each
run's CPU seconds are printed too (the process tree, plus the Prefect server's): on a shared machine they vary much
less than wall time, and on two cores a scan cannot take less wall time than half its CPU seconds.

Prints a table with the ratios to the floor and writes the figures as JSON with `--json`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.process_tree import TreeSampler, tree_cpu
from benchmarks.scheduled_scans import ServedScans

REPO = Path(__file__).resolve().parents[1]
SOURCES = REPO / "examples" / "source"
FORMATS = ("pdf", "docx", "txt")
PER_FOLDER = 500  # files per subfolder, like an inbox sorted by month


def _examples() -> Any:
    sys.path.insert(0, str(REPO))
    from examples import build_examples

    return build_examples


def render(blocks: list[Any], fmt: str, path: Path) -> None:
    build = _examples()
    if fmt == "pdf":
        build.to_pdf(blocks, path)
    elif fmt == "docx":
        build.to_docx(blocks, path)
    else:
        path.write_text(build.to_text(blocks), encoding="utf-8")


def variant(source: str, number: int, revision: int = 0) -> list[Any]:
    """The source's blocks with a numbered paragraph of this copy's own (and its revision) at the end."""
    build = _examples()
    blocks = build.parse(source)
    note = f"Reference {number:06d}: copy {number} of this posting, revision {revision}, kept for our records."
    blocks.append(build.Block("p", note))
    return blocks


def build_corpus(n: int, dest: Path) -> list[Path]:
    """N files, format by format in turn (pdf, docx, txt), sources in turn, 500 per subfolder."""
    sources = [p.read_text(encoding="utf-8") for p in sorted(SOURCES.glob("*.md"))]
    files = []
    for i in range(n):
        fmt = FORMATS[i % 3]
        path = dest / f"part{i // PER_FOLDER:02d}" / f"doc{i:06d}.{fmt}"
        path.parent.mkdir(parents=True, exist_ok=True)
        render(variant(sources[(i // 3) % len(sources)], i), fmt, path)
        files.append(path)
    return files


def change_files(files: Sequence[Path], share: float = 0.01) -> list[Path]:
    """Re-render an evenly spread `share` of the files with a new revision (a third of each format)."""
    sources = [p.read_text(encoding="utf-8") for p in sorted(SOURCES.glob("*.md"))]
    step = max(1, round(1 / share))
    changed = []
    for i in range(0, len(files), step):
        fmt = FORMATS[i % 3]
        render(variant(sources[(i // 3) % len(sources)], i, revision=1), fmt, files[i])
        changed.append(files[i])
    return changed


# ------------------------------------------------------------------------------------------------ the floor


def floor_text(path: Path) -> str:
    """The cheapest text extraction of one file with the readers the project depends on."""
    suffix = path.suffix
    if suffix == ".pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(path.read_bytes())
        try:
            parts = []
            for page in pdf:
                textpage = page.get_textpage()
                parts.append(textpage.get_text_bounded())
                textpage.close()
                page.close()
            return "\n".join(parts)
        finally:
            pdf.close()
    if suffix == ".docx":
        import docx

        document = docx.Document(str(path))
        parts = [p.text for p in document.paragraphs]
        parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        return "\n".join(parts)
    return path.read_bytes().decode("utf-8")


def measure_floor(files: Sequence[Path]) -> tuple[float, float, int]:
    """Seconds and CPU seconds to extract every file once in this process (imports done before timing), and the
    characters."""
    floor_text(files[0])
    floor_text(next(f for f in files if f.suffix == ".docx"))
    started, cpu = time.perf_counter(), time.process_time()
    chars = sum(len(floor_text(f)) for f in files)
    return time.perf_counter() - started, time.process_time() - cpu, chars


# ------------------------------------------------------------------------------------------------ the scans


def run_scan(
    folder: Path,
    db: Path,
    env: dict[str, str],
    batch_size: int | None,
    server_pid: int,
    rolesignal: Path | None = None,
) -> dict[str, Any]:
    """`rolesignal scan` in a subprocess: wall seconds, peak memory and CPU seconds of its process tree (RSS and CPU
    sampled every 50 ms, PSS every 0.5 s), the Prefect server's CPU seconds, and its output. `rolesignal`: the
    command (default: this interpreter's)."""
    rolesignal = rolesignal or Path(sys.executable).with_name("rolesignal")
    command = [str(rolesignal), "scan", str(folder), "--db", str(db)]
    if batch_size is not None:  # otherwise the default a user gets
        command += ["--batch-size", str(batch_size)]
    server_cpu = sum(tree_cpu(server_pid).values())
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sampler = TreeSampler(process.pid).start()
    out, err = process.communicate()
    seconds = time.perf_counter() - started
    sampler.stop()
    if process.returncode != 0:
        raise RuntimeError(f"scan failed ({process.returncode}):\n{err.decode()[-3000:]}")
    return {
        "seconds": seconds,
        "peak_rss_mb": sampler.peak_rss_mb,
        "peak_pss_mb": sampler.peak_pss_mb,
        "cpu_s": sampler.cpu_seconds,
        "server_cpu_s": sum(tree_cpu(server_pid).values()) - server_cpu,
        "output": out.decode(),
    }


def machine() -> dict[str, Any]:
    model = next(
        (ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines() if "model name" in ln),
        platform.processor(),
    )
    import psutil

    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
    }


# The floor and the scheduled full scan are measured this many times each, alternately, and the fastest of each
# counts; no-change rescans this many times, and their median counts (one run is a fraction of a second's noise).
FULL_SCANS = 3
RESCANS = 5


def benchmark(n: int, work: Path, batch_size: int | None) -> dict[str, Any]:
    from rolesignal.flows.serve import local_server

    corpus = work / "corpus"
    for old in (corpus, work / "prefect-home"):
        shutil.rmtree(old, ignore_errors=True)
    for old in work.glob("bench*.duckdb*"):
        old.unlink()
    started = time.perf_counter()
    files = build_corpus(n, corpus)
    built = time.perf_counter() - started
    # The floor and the full scan are measured alternately, and the fastest of each counts: the machine is shared
    # (the floor alone took 15 to 21 s within one run), and a load that comes and goes should decide neither side.
    floors = [measure_floor(files)]
    home = work / "prefect-home"
    env = os.environ | {"PREFECT_HOME": str(home)}
    os.environ["PREFECT_HOME"] = str(home)
    started = time.perf_counter()
    with local_server(log_dir=work) as server:
        server_start = time.perf_counter() - started
        env["PREFECT_API_URL"] = os.environ["PREFECT_API_URL"] = server.api_url
        pid = server.process.pid
        db = work / "bench.duckdb"
        with ServedScans(corpus, db, env, pid, work / "serve.log") as served:
            fulls = []
            for number in range(1, FULL_SCANS):
                fulls.append(served.run(work / f"bench-full-{number}.duckdb", batch_size))
                floors.append(measure_floor(files))
            fulls.append(served.run(db, batch_size))
            rescans = [served.run(db, batch_size) for _ in range(RESCANS)]
            ad_hoc = work / "bench-ad-hoc.duckdb"
            ad_hoc_full = run_scan(corpus, ad_hoc, env, batch_size, pid)
            ad_hoc_rescan = run_scan(corpus, ad_hoc, env, batch_size, pid)
            changed = change_files(files)
            rescan_changed = served.run(db, batch_size)
            ad_hoc_changed = run_scan(corpus, ad_hoc, env, batch_size, pid)
        serve_start = served.start_seconds
    full = min(fulls, key=lambda run: run["seconds"]) | {
        "peak_rss_mb": max(run["peak_rss_mb"] for run in fulls),
        "peak_pss_mb": max(run["peak_pss_mb"] for run in fulls),
    }
    rescan = sorted(rescans, key=lambda run: run["seconds"])[len(rescans) // 2]
    floor, floor_cpu, chars = min(floors)
    keys = ("seconds", "running_seconds", "peak_rss_mb", "peak_pss_mb", "cpu_s", "server_cpu_s")
    ad_hoc_keys = ("seconds", "peak_rss_mb", "peak_pss_mb", "cpu_s", "server_cpu_s")
    return {
        "n": n,
        "machine": machine(),
        "corpus_build_s": built,
        "corpus_chars": chars,
        "changed_files": len(changed),
        "floor_s": floor,
        "floor_cpu_s": floor_cpu,
        "floor_runs_s": [run[0] for run in floors],
        "full_scan_runs_s": [run["seconds"] for run in fulls],
        "rescan_runs_s": [run["seconds"] for run in rescans],
        "server_start_s": server_start,
        "serve_start_s": serve_start,
        "batch_size": batch_size,
        "scans": {
            k: {key: v[key] for key in keys}
            for k, v in {"full": full, "rescan": rescan, "rescan_1pct": rescan_changed}.items()
        },
        "ad_hoc_scans": {
            k: {key: v[key] for key in ad_hoc_keys}
            for k, v in {"full": ad_hoc_full, "rescan": ad_hoc_rescan, "rescan_1pct": ad_hoc_changed}.items()
        },
    }


def format_table(figures: dict[str, Any]) -> list[str]:
    floor = figures["floor_s"]
    m = figures["machine"]
    lines = [
        f"N = {figures['n']} documents ({figures['corpus_chars'] / 1e6:.1f} M characters), "
        f"{m['nproc']} CPUs ({m['cpu']}), {m['ram_gb']} GB RAM, Python {m['python']}",
        "",
        "| run | seconds | × floor | % of full scan | running (s) | peak PSS (MB) | peak RSS sum (MB) "
        "| CPU s: scan + server |",
        "|---|---|---|---|---|---|---|---|",
        f"| floor: plain text extraction, one process (fastest of {len(figures['floor_runs_s'])}) | {floor:.1f} "
        "| 1.00 | | | | | "
        f"{figures['floor_cpu_s']:.1f} |",
    ]
    changed = figures["changed_files"]
    scheduled = {
        "full": f"scheduled full scan, fresh warehouse (fastest of {len(figures['full_scan_runs_s'])})",
        "rescan": f"scheduled rescan, nothing changed (median of {len(figures['rescan_runs_s'])})",
        "rescan_1pct": f"scheduled rescan, 1% changed ({changed} files)",
    }
    ad_hoc = {
        "full": "`rolesignal scan`, fresh warehouse",
        "rescan": "`rolesignal scan`, nothing changed",
        "rescan_1pct": f"`rolesignal scan`, 1% changed ({changed} files)",
    }
    for runs, labels in ((figures["scans"], scheduled), (figures["ad_hoc_scans"], ad_hoc)):
        full = runs["full"]["seconds"]
        for key, label in labels.items():
            run = runs[key]
            running = f"{run['running_seconds']:.1f}" if "running_seconds" in run else ""
            lines.append(
                f"| {label} | {run['seconds']:.1f} | {run['seconds'] / floor:.2f} | "
                f"{100 * run['seconds'] / full:.1f}% | {running} | {run['peak_pss_mb']:.0f} | "
                f"{run['peak_rss_mb']:.0f} | {run['cpu_s']:.1f} + {run['server_cpu_s']:.1f} |"
            )
    lines.append(f"| Prefect server start-up (fixed cost, once) | {figures['server_start_s']:.1f} | | | | | | |")
    lines.append(f"| `rolesignal serve` start-up (fixed cost, once) | {figures['serve_start_s']:.1f} | | | | | | |")
    floors = ", ".join(f"{s:.1f}" for s in figures["floor_runs_s"])
    scans = ", ".join(f"{s:.1f}" for s in figures["full_scan_runs_s"])
    rescans = ", ".join(f"{s:.2f}" for s in figures["rescan_runs_s"])
    ratios = [s / f for s, f in zip(figures["full_scan_runs_s"], figures["floor_runs_s"], strict=True)]
    pairs = ", ".join(f"{r:.2f}" for r in ratios)
    lines += [
        "",
        f"Floor runs: {floors} s; scheduled full scans: {scans} s (alternated: floor, scan, floor, scan, ...); "
        f"scheduled no-change rescans: {rescans} s.",
        f"Each scheduled full scan over the floor measured just before it: {pairs} "
        f"(median {statistics.median(ratios):.2f}).",
    ]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=3000, help="documents in the corpus")
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--keep", help="build the corpus and warehouse in this folder and keep them")
    parser.add_argument("--batch-size", type=int, help="files per Prefect task (default: the scan's own)")
    args = parser.parse_args(argv)
    try:
        import psutil  # noqa: F401
    except ImportError:
        print("psutil is needed to measure memory: pip install psutil", file=sys.stderr)
        return 2
    if args.keep:
        work = Path(args.keep)
        work.mkdir(parents=True, exist_ok=True)
        figures = benchmark(args.n, work, args.batch_size)
    else:
        with tempfile.TemporaryDirectory(prefix="rolesignal-bench-") as tmp:
            figures = benchmark(args.n, Path(tmp), args.batch_size)
    print("\n".join(format_table(figures)))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
