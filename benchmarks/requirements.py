"""Score requirement extraction against the hand-marked requirements in the corpus (requirements.jsonl).

Run from the repository root:

    python -m benchmarks.requirements [--corpus DIR] [--formats txt,pdf,docx,pdf-browser,pdf-office,docx-office]
                                      [--json OUT] [--verbose]

For every annotated document and every format, the document is read (txt: the original file; pdf/docx: the text
rendered with benchmarks/render.py, so the PDF and DOCX extractors are measured on the same content), its kind detected,
and its requirements found. Predictions are paired one-to-one with the gold requirements by word overlap (Dice over
normalised word sets, greedy by descending similarity, pairs below MATCH_THRESHOLD never match); precision, recall
and F1 count the pairs, strength accuracy is the share of pairs whose strengths agree. Figures are given per document
and format, micro-averaged per format (summing counts over all requirements), and across all formats.

When a gold record has a `char_cap`, only that many leading characters of the document were annotated: the text is
cut there before extraction (original PDFs are cut after extraction, at the same character count).

The scoring (`normalise`, `similarity`, `match_requirements`, `score`) is pure and lives in
`benchmarks.requirement_matching`; this module runs the extractor and prints.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
if not __package__:
    # Run as a file (python benchmarks/requirements.py): make the repository's packages importable.
    sys.path.insert(0, str(REPO_ROOT))
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus"
CORPUS_ENV = "ROLESIGNAL_CORPUS"
GOLD_FILE = "requirements.jsonl"
FORMATS = ("txt", "pdf", "docx")
# Asked for by name, converters we did not write: the texts printed by a real headless Chromium (chromium or
# google-chrome on PATH), or saved as PDF or Word by LibreOffice (soffice on PATH).
EXTRA_FORMATS = ("pdf-browser", "pdf-office", "docx-office")

from benchmarks.requirement_matching import (  # noqa: E402 (after the sys.path set-up above)
    JACCARD_THRESHOLD,
    MATCH_THRESHOLD,
    Counts,
    Errors,
    Item,
    explain,
    match_requirements,
    score,
)

# The hand-marked prose postings and research calls (the corpus README names them): requirements in paragraphs.
PROSE_DOCUMENTS = ("d002", "d014", "d016", "d021", "d022", "d046", "d062", "d069")

# --- running the extractor ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoldDocument:
    id: str
    char_cap: int | None
    requirements: tuple[Item, ...]


@dataclass
class Result:
    doc_id: str
    fmt: str
    counts: Counts
    errors: Errors
    doc_kind: str = ""
    skipped: str = ""  # why the format was not run for this document ('' when it was)
    seconds: float = 0.0
    jaccard: Counts = field(default_factory=Counts)  # the same predictions paired by Jaccard >= JACCARD_THRESHOLD


def corpus_dir(arg: str | None = None) -> Path:
    """--corpus, else $ROLESIGNAL_CORPUS, else ../shared/corpus next to the repository."""
    return Path(arg or os.environ.get(CORPUS_ENV) or DEFAULT_CORPUS)


def load_gold(corpus: Path) -> list[GoldDocument]:
    """The hand-marked requirements, one GoldDocument per line of requirements.jsonl."""
    path = corpus / GOLD_FILE
    documents = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        try:
            items = tuple(Item(r["text"], r["strength"], r.get("section", "")) for r in row["requirements"])
            documents.append(GoldDocument(row["id"], row.get("char_cap"), items))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: malformed gold record ({exc})") from exc
    return documents


def find_source(corpus: Path, doc_id: str) -> Path:
    """The corpus file named after the document id, whatever its suffix."""
    matches = sorted(p for p in (corpus / "docs").glob(f"{doc_id}.*") if p.is_file())
    if not matches:
        raise FileNotFoundError(f"no file for {doc_id!r} in {corpus / 'docs'}")
    return matches[0]


def import_render() -> Any:
    """benchmarks/render.py, which turns text into PDF/DOCX; it needs the repo root importable and fpdf2 installed."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    try:
        from benchmarks import render
    except ImportError as exc:
        raise SystemExit(
            f"benchmarks.requirements renders PDF and DOCX with benchmarks/render.py, which could not be imported "
            f"({exc}). It needs fpdf2, one of the test extras (pip install -e '.[test]'); or pass --formats txt."
        ) from exc
    return render


def cap_document(document: Any, cap: int) -> Any:
    """The document cut after `cap` characters of text: later blocks dropped, a block crossing the cut shortened."""
    if len(document.text) <= cap:
        return document
    blocks = []
    for block in document.blocks:
        if block.char_start >= cap:
            break
        if block.char_end > cap:
            text = document.text[block.char_start : cap].rstrip()
            if text:
                blocks.append(replace(block, text=text, char_end=block.char_start + len(text)))
            break
        blocks.append(block)
    pages = tuple(
        replace(p, char_end=min(p.char_end, cap)) for p in document.pages if p.char_start < cap or p.number == 1
    )
    return replace(document, text=document.text[:cap], blocks=tuple(blocks), pages=pages)


def prepare(source: Path, fmt: str, cap: int | None, workdir: Path) -> tuple[Path | None, str]:
    """The file to read for this format, or (None, reason) when the format does not apply to this source."""
    if source.suffix.lower() == ".pdf":
        return (source, "") if fmt == "pdf" else (None, "original is a PDF")
    if fmt == "txt" and cap is None:
        return source, ""
    text = source.read_text(encoding="utf-8", errors="replace")
    if cap is not None:
        text = text[:cap]
    if fmt in EXTRA_FORMATS:
        render = import_render()
        printed = workdir / f"{source.stem}.txt"
        printed.write_text(text, encoding="utf-8")
        if fmt == "pdf-browser":
            return render.render_browser_pdf(printed, workdir / f"{source.stem}.pdf", render.find_browser()), ""
        target = fmt.removesuffix("-office")
        return render.render_office([printed], workdir, target, render.find_office())[0], ""
    target = workdir / f"{source.stem}.{fmt if fmt != 'txt' else source.suffix.lstrip('.') or 'txt'}"
    if fmt == "txt":
        target.write_text(text, encoding="utf-8")
    else:
        render = import_render()
        blocks = render.blocks_from_text(text)
        (render.render_pdf if fmt == "pdf" else render.render_docx)(blocks, target)
    return target, ""


def evaluate_document(
    gold: GoldDocument, source: Path, fmt: str, analyzer: Any, workdir: Path, threshold: float = MATCH_THRESHOLD
) -> Result:
    """Extract one document in one format and score it against its gold requirements."""
    from rolesignal.extractors.read import read_document
    from rolesignal.rules.doc_kind import detect_doc_kind

    started = time.perf_counter()
    path, skipped = prepare(source, fmt, gold.char_cap, workdir)
    if path is None:
        return Result(gold.id, fmt, Counts(), Errors(), skipped=skipped)
    document = read_document(path)
    if gold.char_cap is not None and source.suffix.lower() == ".pdf":
        document = cap_document(document, gold.char_cap)
    doc_kind = detect_doc_kind(document, analyzer.rules)
    found = analyzer.find_requirements(document, doc_kind)
    predicted = [Item(r.text, r.strength, r.heading or r.section) for r in found]
    pairs = match_requirements(gold.requirements, predicted, threshold)
    strict = match_requirements(gold.requirements, predicted, JACCARD_THRESHOLD, measure="jaccard")
    return Result(
        gold.id,
        fmt,
        score(gold.requirements, predicted, pairs),
        explain(gold.requirements, predicted, pairs),
        doc_kind=doc_kind,
        seconds=time.perf_counter() - started,
        jaccard=score(gold.requirements, predicted, strict),
    )


def total(results: Iterable[Result], jaccard: bool = False) -> Counts:
    return sum(((r.jaccard if jaccard else r.counts) for r in results if not r.skipped), Counts())


def prose(results: Iterable[Result]) -> list[Result]:
    return [r for r in results if r.doc_id in PROSE_DOCUMENTS]


# --- command line ------------------------------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "  n/a" if value is None else f"{value:5.3f}"


def _row(label: str, c: Counts, extra: str = "") -> str:
    return (
        f"  {label:<14} {c.gold:>5} {c.predicted:>5} {c.matched:>5}  "
        f"{_pct(c.precision)}  {_pct(c.recall)}  {_pct(c.f1)}  {_pct(c.strength_accuracy)}  {extra}"
    ).rstrip()


def _header() -> str:
    return f"  {'document':<14} {'gold':>5} {'pred':>5} {'match':>5}  {'P':>5}  {'R':>5}  {'F1':>5}  {'str.acc':>7}"


def _short(text: str, width: int = 150) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _print_errors(result: Result) -> None:
    e = result.errors
    print(f"    {result.doc_id} [{result.fmt}] kind={result.doc_kind}")
    for m in e.misses:
        print(f"      MISS  [{m['strength']}] ({m['section'] or '-'}) {_short(m['text'])}")
        if m["closest"]:
            c = m["closest"]
            rel = f" ({c['relation']})" if c["relation"] else ""
            print(f"            closest prediction {c['similarity']:.2f}{rel}: {_short(c['text'], 120)}")
    for p in e.false_positives:
        print(f"      FP    [{p['strength']}] ({p['section'] or '-'}) {_short(p['text'])}")
        if p["closest"]:
            c = p["closest"]
            rel = f" ({c['relation']})" if c["relation"] else ""
            print(f"            closest gold {c['similarity']:.2f}{rel}: {_short(c['text'], 120)}")
    for s in e.strength_confusions:
        print(
            f"      STR   gold {s['gold']} -> predicted {s['predicted']} "
            f"(gold under {s['gold_section'] or '-'}; found under {s['predicted_section'] or '-'}) {_short(s['text'])}"
        )


def _cap_note(source: Path, gold: GoldDocument) -> str:
    if source.suffix.lower() == ".pdf":
        return "the extracted text is cut there"
    length = len(source.read_text(encoding="utf-8", errors="replace"))
    if gold.char_cap is not None and length > gold.char_cap:
        return f"the text is cut there (of {length})"
    return f"the whole text ({length}) is within it, nothing cut"


def _confusion(results: Iterable[Result]) -> Counter[tuple[str, str]]:
    return Counter((s["gold"], s["predicted"]) for r in results for s in r.errors.strength_confusions)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.requirements", description="Score requirement extraction against requirements.jsonl."
    )
    parser.add_argument("--corpus", help=f"corpus directory (default: ${CORPUS_ENV} or {DEFAULT_CORPUS})")
    parser.add_argument(
        "--formats", default=",".join(FORMATS), help="comma list of txt,pdf,docx,pdf-browser,pdf-office,docx-office"
    )
    parser.add_argument("--json", metavar="OUT", help="write all figures (and the errors) as JSON to OUT")
    parser.add_argument("--verbose", action="store_true", help="print misses, false positives, strength confusions")
    parser.add_argument("--threshold", type=float, default=MATCH_THRESHOLD, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    formats = [f.strip().lower() for f in args.formats.split(",") if f.strip()]
    unknown = [f for f in formats if f not in (*FORMATS, *EXTRA_FORMATS)]
    if unknown or not formats:
        known = ", ".join((*FORMATS, *EXTRA_FORMATS))
        parser.error(f"unknown format(s) {', '.join(unknown) or '(none)'}: choose from {known}")
    corpus = corpus_dir(args.corpus)
    if not (corpus / GOLD_FILE).is_file():
        parser.error(f"no {GOLD_FILE} in {corpus}: pass --corpus DIR or set ${CORPUS_ENV}")
    if any(f != "txt" for f in formats):
        render = import_render()  # fail early, with the explanation, rather than after the first format
        if missing := render.missing_converter(formats):
            parser.error(missing)

    from rolesignal.flows.analyse import Analyzer
    from rolesignal.rules.load import load_rules

    gold_documents = load_gold(corpus)
    sources = {g.id: find_source(corpus, g.id) for g in gold_documents}
    rules = load_rules()
    analyzer = Analyzer(rules)

    print(f"corpus {corpus}  rules {rules.version}  match threshold {args.threshold} (Dice over word sets)")
    for g in gold_documents:
        if g.char_cap is not None:
            print(f"  note: {g.id} annotated only in its first {g.char_cap} characters: {_cap_note(sources[g.id], g)}")

    results: dict[str, list[Result]] = {}
    with tempfile.TemporaryDirectory(prefix="rolesignal-eval-") as tmp:
        for fmt in formats:
            workdir = Path(tmp) / fmt
            workdir.mkdir()
            started = time.perf_counter()
            results[fmt] = [
                evaluate_document(g, sources[g.id], fmt, analyzer, workdir, args.threshold) for g in gold_documents
            ]
            elapsed = time.perf_counter() - started
            print(f"\n{fmt}  ({elapsed:.1f} s)")
            print(_header())
            for r in results[fmt]:
                if r.skipped:
                    print(f"  {r.doc_id:<14} skipped: {r.skipped}")
                else:
                    print(_row(r.doc_id, r.counts, f"kind={r.doc_kind}"))
            print(_row(f"ALL {fmt}", total(results[fmt])))
            confusion = _confusion(results[fmt])
            if confusion:
                shown = ", ".join(f"{g}->{p} {n}" for (g, p), n in confusion.most_common())
                print(f"  strength confusions (gold->predicted): {shown}")
            if args.verbose:
                print("  errors:")
                for r in results[fmt]:
                    if not r.skipped:
                        _print_errors(r)

    everything = [r for rs in results.values() for r in rs]
    print("\noverall")
    print(_header().replace("document", "format  "))
    for fmt in formats:
        print(_row(fmt, total(results[fmt])))
    overall = total(everything)
    print(_row("all formats", overall))
    print(f"\none-to-one Jaccard >= {JACCARD_THRESHOLD} over word sets (all documents, then the prose ones)")
    print(_header().replace("document", "format  "))
    for fmt in formats:
        print(_row(fmt, total(results[fmt], jaccard=True)))
        print(_row(f"{fmt} prose", total(prose(results[fmt]), jaccard=True)))
    print(_row("all formats", total(everything, jaccard=True)))

    if args.json:
        report = {
            "corpus": str(corpus),
            "rules_version": rules.version,
            "threshold": args.threshold,
            "similarity": "dice over normalised word sets",
            "char_caps": {g.id: g.char_cap for g in gold_documents if g.char_cap is not None},
            "formats": {
                fmt: {
                    "overall": total(rs).as_dict(),
                    "strength_confusions": [
                        {"gold": g, "predicted": p, "count": n} for (g, p), n in _confusion(rs).most_common()
                    ],
                    "documents": {
                        r.doc_id: (
                            {"skipped": r.skipped}
                            if r.skipped
                            else {**r.counts.as_dict(), "doc_kind": r.doc_kind, "errors": r.errors.as_dict()}
                        )
                        for r in rs
                    },
                }
                for fmt, rs in results.items()
            },
            "overall": overall.as_dict(),
            "jaccard": {
                "threshold": JACCARD_THRESHOLD,
                "formats": {
                    fmt: {"all": total(rs, jaccard=True).as_dict(), "prose": total(prose(rs), jaccard=True).as_dict()}
                    for fmt, rs in results.items()
                },
                "overall": total(everything, jaccard=True).as_dict(),
            },
        }
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
