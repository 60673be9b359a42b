"""Hostile sizes (issue 16): a 2,000-page PDF of numbered requirement lines, a 1 MB one-line Markdown file, and a
rules folder of 100,000 lexicon phrases, each put through what a scan does with it.

    python -m benchmarks.hostile_sizes [--only pdf,markdown,phrases] [--pages 2000] [--markdown-kb 1024]
                                       [--phrases 100000] [--json OUT]

pdf: builds a PDF with fpdf2: a running header and a "Page n of N" footer on every page, and numbered lines
("Requirement 1234: The supplier shall ...") that differ only in their numbers and text, so the first and last
line of every page repeat at the page edges as a header would. Then reads it with `read_document` and analyses it
with an `Analyzer` of the bundled rules, in this process and timed apart: the two steps a worker runs under the
per-file time limit (`--file-timeout`, DEFAULT_TIMEOUT). Prints the numbered lines kept, the header and footer lines
left, and the numbered lines found as requirements.

markdown: one heading, then one line of about `--markdown-kb` KB of requirement sentences; read and analysed as
above.

phrases: copies rules/ to a temporary folder and adds lexicon concepts with `--phrases` phrase patterns; runs
`rolesignal rules check` on it, builds its Analyzer in this process (the time and the memory each worker pays), and
runs `rolesignal scan examples/inbox --rules DIR` into a fresh warehouse, with the bundled rules and then with the
copy, sampling each scan's process tree (the scan, its workers and Prefect's temporary server) with psutil.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.process_tree import TreeSampler

REPO = Path(__file__).resolve().parents[1]
HEADER = "Northwind Logistics - RFP 2024-117 - Statement of Requirements"
LINES_PER_PAGE = 24
# The finder may read "Requirement 12:" as a label and keep "12: The supplier shall ..." as the requirement.
_NUMBERED = re.compile(r"(\d+): The supplier shall ")
_FOOTER = re.compile(r"Page \d+ of \d+")
_DUTIES = (
    "provide a monthly service report to the contract manager",
    "keep every shipment record for seven years",
    "answer a support call within four business hours",
    "encrypt customer data at rest and in transit",
    "deliver the route planning module by the agreed date",
    "train the dispatch staff before go-live",
)


def numbered_line(number: int) -> str:
    return f"Requirement {number}: The supplier shall {_DUTIES[number % len(_DUTIES)]}."


def numbered_pdf(path: Path, pages: int) -> Path:
    """A PDF of `pages` pages, each with the running header, LINES_PER_PAGE numbered lines and a page-count footer."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    class Tender(FPDF):
        def header(self) -> None:
            self.set_font("Helvetica", size=9)
            self.cell(0, 8, HEADER, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", size=9)
            self.cell(0, 8, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = Tender()
    pdf.set_auto_page_break(auto=False)
    number = 1
    for page in range(pages):
        pdf.add_page()
        if page == 0:
            pdf.set_font("Helvetica", style="B", size=14)
            pdf.cell(0, 10, "Requirements", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("Helvetica", size=10)
        for _ in range(LINES_PER_PAGE - (1 if page == 0 else 0)):
            pdf.cell(0, 10, numbered_line(number), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            number += 1
    pdf.output(str(path))
    return path


def numbered_lines_written(pages: int) -> int:
    return pages * LINES_PER_PAGE - 1


def one_line_markdown(path: Path, kilobytes: int) -> tuple[Path, int]:
    """A heading, then one line of about `kilobytes` KB of requirement sentences; the path and the sentences."""
    sentences, size, number = [], 0, 0
    while size < kilobytes * 1024:
        sentence = f"You will build retrieval pipelines on LLM APIs for case {number} and {_DUTIES[number % 6]}. "
        sentences.append(sentence)
        size += len(sentence)
        number += 1
    path.write_text("# Senior AI Developer\n\n## Responsibilities\n\n" + "".join(sentences).strip() + "\n")
    return path, len(sentences)


def read_and_analyse(path: Path) -> dict[str, Any]:
    """What a worker does with one file, timed apart, with what the document kept."""
    from rolesignal.extractors.read import DEFAULT_TIMEOUT, read_document
    from rolesignal.flows.analyse import Analyzer
    from rolesignal.rules.load import load_rules

    analyzer = Analyzer(load_rules())  # built once per worker, before any file: not part of a file's time
    started = time.perf_counter()
    document = read_document(path)
    read = time.perf_counter() - started
    started = time.perf_counter()
    analysis = analyzer(document)
    analysed = time.perf_counter() - started
    return {
        "file": path.name,
        "bytes": path.stat().st_size,
        "pages": len(document.pages) if hasattr(document, "pages") else None,
        "read_s": round(read, 2),
        "analyse_s": round(analysed, 2),
        "limit_s": DEFAULT_TIMEOUT,
        "numbered_kept": len(set(_NUMBERED.findall(document.text))),
        "header_lines": document.text.count(HEADER),
        "footer_lines": len(_FOOTER.findall(document.text)),
        "requirements": len(analysis.requirements),
        "numbered_requirements": len({m for r in analysis.requirements for m in _NUMBERED.findall(r.text)}),
        "role": analysis.classification.role,
    }


def through_the_pool(path: Path) -> dict[str, Any]:
    """The file through a real worker process under the default per-file time limit, as a scan reads it."""
    from rolesignal.extractors.read import DEFAULT_TIMEOUT
    from rolesignal.flows.pool import AnalysisPool
    from rolesignal.rules.load import load_rules
    from rolesignal.warehouse.types import Failed, SeenFile

    info = path.stat()
    started = time.perf_counter()
    with AnalysisPool(load_rules(), workers=1) as pool:
        (result,) = pool.process([SeenFile(str(path), info.st_size, info.st_mtime_ns, "")], DEFAULT_TIMEOUT)
    outcome = f"failed: {result.error_type}" if isinstance(result, Failed) else "read"
    return {"pool": outcome, "pool_s_with_worker_start": round(time.perf_counter() - started, 1)}


def generated_rules(directory: Path, phrases: int, per_concept: int = 1000) -> Path:
    """A copy of rules/ whose lexicon has `phrases` more phrase patterns: made-up terms of two words and a number, in
    concepts of `per_concept` terms; each term is two patterns, as written and hyphenated (rules/load.py)."""
    shutil.copytree(REPO / "rules", directory)
    words = [f"{stem}{suffix}" for stem in ("vexo", "quarn", "tildo", "mursk", "pellan") for suffix in "abcdefgh"]
    with (directory / "lexicon.jsonl").open("a", encoding="utf-8") as out:
        terms_wanted = phrases // 2
        for concept in range(-(-terms_wanted // per_concept)):
            first = concept * per_concept
            last = min(first + per_concept, terms_wanted)
            terms = [f"{words[n % 40]} {words[n // 40 % 40]} {n}" for n in range(first, last)]
            row = {
                "id": f"generated_{concept:04d}",
                "signal": "ml.training" if concept % 2 else "ai.rag",
                "specificity": 0.1,
                "terms": terms,
                "note": "Made-up phrases for benchmarks/hostile_sizes.py: how a very large lexicon costs memory.",
            }
            out.write(json.dumps(row) + "\n")
    return directory


def analyzer_cost(rules_dir: Path | None) -> dict[str, Any]:
    """Patterns, seconds and resident memory to load a rules folder and build its Analyzer, in a fresh interpreter."""
    code = (
        "import json, resource, sys, time\n"
        "from rolesignal.flows.analyse import Analyzer\n"
        "from rolesignal.rules.load import load_rules\n"
        "started = time.perf_counter(); rules = load_rules(sys.argv[1] or None)\n"
        "loaded = time.perf_counter() - started; Analyzer(rules)\n"
        "print(json.dumps({'patterns': len(rules.signal_patterns), 'load_s': round(loaded, 1),\n"
        "  'build_s': round(time.perf_counter() - started - loaded, 1),\n"
        "  'peak_rss_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(rules_dir or "")], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def scan_memory(rules_dir: Path | None, work: Path) -> dict[str, Any]:
    """Peak PSS and RSS sum of `rolesignal scan examples/inbox` into a fresh warehouse, and its wall seconds."""
    command = shutil.which("rolesignal") or str(Path(sys.executable).with_name("rolesignal"))
    db = work / f"scan-{time.monotonic_ns()}.duckdb"
    args = [command, "scan", str(REPO / "examples" / "inbox"), "--db", str(db)]
    if rules_dir is not None:
        args += ["--rules", str(rules_dir)]
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sampler = TreeSampler(process.pid).start()
    _, stderr = process.communicate()
    sampler.stop()
    if process.returncode != 0:
        raise RuntimeError(f"the scan failed ({process.returncode}): {stderr}")
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "peak_pss_mb": round(sampler.peak_pss_mb),
        "peak_rss_sum_mb": round(sampler.peak_rss_mb),
    }


def phrases_case(phrases: int, work: Path) -> dict[str, Any]:
    rules_dir = generated_rules(work / "rules", phrases)
    command = shutil.which("rolesignal") or str(Path(sys.executable).with_name("rolesignal"))
    check = subprocess.run([command, "rules", "check", str(rules_dir)], capture_output=True, text=True)
    return {
        "phrases_added": phrases,
        "rules_check": (check.stdout + check.stderr).strip().splitlines(),
        "analyzer_bundled": analyzer_cost(None),
        "analyzer_generated": analyzer_cost(rules_dir),
        "scan_bundled": scan_memory(None, work),
        "scan_generated": scan_memory(rules_dir, work),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="pdf,markdown,phrases", help="comma-separated cases to run")
    parser.add_argument("--pages", type=int, default=2000, help="pages of the numbered PDF")
    parser.add_argument("--markdown-kb", type=int, default=1024, help="size of the one-line Markdown file")
    parser.add_argument("--phrases", type=int, default=100_000, help="lexicon phrase patterns to add to the rules")
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args(argv)
    cases = set(args.only.split(","))
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="rolesignal-hostile-") as scratch:
        work = Path(scratch)
        if "pdf" in cases:
            started = time.perf_counter()
            pdf = numbered_pdf(work / "numbered.pdf", args.pages)
            figures["pdf"] = {"pages": args.pages, "numbered_written": numbered_lines_written(args.pages)}
            figures["pdf"]["build_s"] = round(time.perf_counter() - started, 1)
            figures["pdf"] |= read_and_analyse(pdf) | through_the_pool(pdf)
            print(json.dumps(figures["pdf"]), flush=True)
        if "markdown" in cases:
            markdown, sentences = one_line_markdown(work / "one-line.md", args.markdown_kb)
            figures["markdown"] = {"sentences_written": sentences}
            figures["markdown"] |= read_and_analyse(markdown) | through_the_pool(markdown)
            print(json.dumps(figures["markdown"]), flush=True)
        if "phrases" in cases:
            figures["phrases"] = phrases_case(args.phrases, work)
            print(json.dumps(figures["phrases"]), flush=True)
    figures["machine"] = {"cpus": os.cpu_count(), "python": sys.version.split()[0]}
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
