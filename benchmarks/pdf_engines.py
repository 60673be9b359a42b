"""Compare the two PDF readers on our documents: speed (ms per page) and requirement scores.

    python -m benchmarks.pdf_engines [--corpus DIR] [--json OUT]

Renders the corpus texts to PDF (benchmarks/render.py), adds the corpus's original PDFs, times
`extract_pdf` with each engine in the same run (best of three passes, so the ratio survives a
noisy machine), then scores requirement extraction on the hand-marked documents as PDFs with
each engine via `benchmarks.requirements`.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.requirements import corpus_dir  # noqa: E402
from benchmarks.requirements import main as evaluate_main  # noqa: E402
from rolesignal.extractors.errors import ExtractionError  # noqa: E402
from rolesignal.extractors.pdf import ENGINE_ENV, PDF_ENGINES, extract_pdf  # noqa: E402


def build_pdfs(corpus: Path, out: Path) -> list[Path]:
    """Every corpus text rendered to PDF, plus the original PDFs."""
    from benchmarks.render import blocks_from_text, render_pdf

    paths = []
    for source in sorted((corpus / "docs").iterdir()):
        target = out / f"{source.stem}.pdf"
        if source.suffix == ".pdf":
            target.write_bytes(source.read_bytes())
        else:
            render_pdf(blocks_from_text(source.read_text(encoding="utf-8")), target)
        paths.append(target)
    return paths


def time_engine(engine: str, files: list[tuple[Path, bytes]]) -> tuple[float, int, int]:
    """Seconds for one pass over all files, pages read, and files that failed."""
    pages = failed = 0
    start = time.perf_counter()
    for path, data in files:
        try:
            pages += len(extract_pdf(data, str(path), "x", engine=engine).pages)
        except ExtractionError:
            failed += 1
    return time.perf_counter() - start, pages, failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", help="corpus directory (default: ../shared/corpus)")
    parser.add_argument("--json", metavar="OUT", help="write the figures as JSON")
    args = parser.parse_args(argv)
    corpus = corpus_dir(args.corpus)
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        paths = build_pdfs(corpus, Path(tmp))
        files = [(p, p.read_bytes()) for p in paths]
        for engine in PDF_ENGINES:
            passes = [time_engine(engine, files) for _ in range(3)]
            seconds, pages, failed = min(passes)
            results[engine] = {
                "seconds": seconds,
                "pages": pages,
                "failed": failed,
                "ms_per_page": 1000 * seconds / pages,
            }
    for engine in PDF_ENGINES:
        os.environ[ENGINE_ENV] = engine
        with tempfile.NamedTemporaryFile(suffix=".json") as out, contextlib.redirect_stdout(io.StringIO()):
            evaluate_main(["--formats", "pdf", "--corpus", str(corpus), "--json", out.name])
            overall = json.loads(Path(out.name).read_text())["formats"]["pdf"]["overall"]
        results[engine] |= {k: overall[k] for k in ("precision", "recall", "f1", "strength_accuracy")}
    os.environ.pop(ENGINE_ENV, None)
    print(f"{len(files)} PDFs, {results['pdfium']['pages']} pages (best of 3 passes)")
    print(f"{'engine':8} {'ms/page':>8} {'failed':>6} {'P':>6} {'R':>6} {'F1':>6} {'strength':>8}")
    for engine, r in results.items():
        print(
            f"{engine:8} {r['ms_per_page']:8.2f} {r['failed']:6d} {r['precision']:6.3f} {r['recall']:6.3f} "
            f"{r['f1']:6.3f} {r['strength_accuracy']:8.3f}"
        )
    ratio = results["pypdf"]["ms_per_page"] / results["pdfium"]["ms_per_page"]
    print(f"pypdf takes {ratio:.2f}x the time of pdfium per page")
    if args.json:
        Path(args.json).write_text(json.dumps(results | {"pypdf_over_pdfium": ratio}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
