"""Score requirement extraction against the hand-marked requirements in the corpus (requirements.jsonl).

Run from the repository root:

    python -m benchmarks.requirements [--corpus DIR] [--formats txt,pdf,docx] [--json OUT] [--verbose]

For every annotated document and every format, the document is read (txt: the original file; pdf/docx: the text
rendered with tests/render.py, so the PDF and DOCX extractors are measured on the same content), its kind detected,
and its requirements found. Predictions are paired one-to-one with the gold requirements by word overlap (Dice over
normalised word sets, greedy by descending similarity, pairs below MATCH_THRESHOLD never match); precision, recall
and F1 count the pairs, strength accuracy is the share of pairs whose strengths agree. Figures are given per document
and format, micro-averaged per format (summing counts over all requirements), and across all formats.

When a gold record has a `char_cap`, only that many leading characters of the document were annotated: the text is
cut there before extraction (original PDFs are cut after extraction, at the same character count).

The scoring (`normalise`, `similarity`, `match_requirements`, `score`) is pure; printing stays in `main()`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
import unicodedata
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
# Dice similarity (2|A∩B| / (|A|+|B|) over normalised word sets) a prediction needs to count as finding a gold
# requirement: at 0.5 a half-length fragment of a requirement still matches (a bullet split in two scores ~0.67 on
# its larger part), while two different bullets of the same section rarely share half their words.
MATCH_THRESHOLD = 0.5

# Typographic characters folded the way tests/render.py's to_latin1 folds them before drawing a PDF, so that
# gold text (typographic) and text read back from a rendered PDF compare fairly.
_TYPOGRAPHIC = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u2010": "-",
        "\u2011": "-",
        "\u2022": "-",
        "\u2026": "...",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u200b": "",
        "\ufeff": "",
        "\u2122": "(tm)",
        "\u20ac": "eur",
    }
)
# Leading list markers and punctuation: "- ", "• ", "1. ", "a) ", "(iv) ", "* ", "● ", ": ".
_LEADING_MARKER = re.compile(
    r"^(?:[\s\-*+\u2022\u25cf\u25aa\u25e6\u25a0\u25a1\u2023\u2043\x7f\uf0b7\uf0a7\uf0d8\uf076>.,;:!?)\]|]+"
    r"|\d{1,3}[.)]\s+|[a-z][.)]\s+|\((?:[a-z]|\d{1,3}|[ivx]{1,4})\)\s*)+"
)
_WORD = re.compile(r"[a-z0-9]+")
_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)\s]*\)")


@dataclass(frozen=True, slots=True)
class Item:
    """A requirement reduced to what is scored: its text and strength (section/heading kept for the error report)."""

    text: str
    strength: str
    section: str = ""


@dataclass(frozen=True, slots=True)
class Pair:
    """A gold requirement matched to a prediction, by index into the two lists."""

    gold: int
    predicted: int
    similarity: float


@dataclass(frozen=True, slots=True)
class Counts:
    """What precision, recall, F1 and strength accuracy are computed from; adding Counts micro-averages."""

    gold: int = 0
    predicted: int = 0
    matched: int = 0
    same_strength: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.gold + other.gold,
            self.predicted + other.predicted,
            self.matched + other.matched,
            self.same_strength + other.same_strength,
        )

    @property
    def precision(self) -> float | None:
        return self.matched / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.matched / self.gold if self.gold else None

    @property
    def f1(self) -> float | None:
        # 2PR/(P+R) written over counts, so it is defined whenever there is anything to score.
        total = self.gold + self.predicted
        return 2 * self.matched / total if total else None

    @property
    def strength_accuracy(self) -> float | None:
        return self.same_strength / self.matched if self.matched else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "gold": self.gold,
            "predicted": self.predicted,
            "matched": self.matched,
            "same_strength": self.same_strength,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "strength_accuracy": self.strength_accuracy,
        }


# --- pure scoring ------------------------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Lowercase, straight quotes, ASCII-folded, whitespace collapsed, without leading bullet markers/punctuation.

    Markdown links keep only their text, as the text extractor keeps them: gold marked in the raw Markdown
    ("a [*budget*](https://...)") then compares with what the extractor reads ("a *budget*")."""
    text = _MARKDOWN_LINK.sub(r"\1", text.translate(_TYPOGRAPHIC))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = " ".join(text.lower().split())
    return _LEADING_MARKER.sub("", text).strip()


def words(text: str) -> frozenset[str]:
    """The set of words of the normalised text (runs of letters and digits)."""
    return frozenset(_WORD.findall(normalise(text)))


def similarity(a: str, b: str) -> float:
    """Dice coefficient of the two texts' word sets: 2|A∩B| / (|A|+|B|), 0.0 when both are empty."""
    wa, wb = words(a), words(b)
    if not wa and not wb:
        return 0.0
    return 2 * len(wa & wb) / (len(wa) + len(wb))


def match_requirements(
    gold: Sequence[Item], predicted: Sequence[Item], threshold: float = MATCH_THRESHOLD
) -> list[Pair]:
    """Pair gold and predicted requirements one-to-one: greedily by descending similarity, pairs below threshold
    excluded, ties broken by document order. Returned in gold order."""
    gold_words = [words(g.text) for g in gold]
    pred_words = [words(p.text) for p in predicted]
    candidates = []
    for i, gw in enumerate(gold_words):
        for j, pw in enumerate(pred_words):
            if not gw and not pw:
                continue
            sim = 2 * len(gw & pw) / (len(gw) + len(pw))
            if sim >= threshold:
                candidates.append((-sim, i, j))
    candidates.sort()
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs = []
    for neg_sim, i, j in candidates:
        if i in used_gold or j in used_pred:
            continue
        used_gold.add(i)
        used_pred.add(j)
        pairs.append(Pair(i, j, -neg_sim))
    return sorted(pairs, key=lambda p: p.gold)


def score(gold: Sequence[Item], predicted: Sequence[Item], pairs: Iterable[Pair]) -> Counts:
    """Counts for one document: matched pairs, and of those the ones whose strengths agree."""
    pairs = list(pairs)
    same = sum(1 for p in pairs if gold[p.gold].strength == predicted[p.predicted].strength)
    return Counts(len(gold), len(predicted), len(pairs), same)


@dataclass
class Errors:
    """The unmatched and mismatched requirements of one document, for a rule author."""

    misses: list[dict[str, Any]] = field(default_factory=list)
    false_positives: list[dict[str, Any]] = field(default_factory=list)
    strength_confusions: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "misses": self.misses,
            "false_positives": self.false_positives,
            "strength_confusions": self.strength_confusions,
        }


def overlap_kind(other: str, text: str) -> str:
    """How `other` relates to `text` by words: 'same words', 'part of it', 'contains it', or '' (partial overlap).

    A missed gold requirement whose closest prediction 'contains it' was merged with more text; a false positive
    whose closest gold 'contains it' is a fragment of a split requirement; a false positive with the 'same words'
    as an already matched gold requirement is a repeat of it."""
    wo, wt = words(other), words(text)
    if wo and wo == wt:
        return "same words"
    if wo and wo < wt:
        return "part of it"
    if wt and wt < wo:
        return "contains it"
    return ""


def explain(gold: Sequence[Item], predicted: Sequence[Item], pairs: Sequence[Pair]) -> Errors:
    """Misses (each with its closest prediction), false positives (each with its closest gold) and strength
    confusions."""
    errors = Errors()
    matched_gold = {p.gold for p in pairs}
    matched_pred = {p.predicted for p in pairs}

    def closest(text: str, others: Sequence[Item]) -> dict[str, Any] | None:
        if not others:
            return None
        sims = [(similarity(text, o.text), k) for k, o in enumerate(others)]
        sim, k = max(sims, key=lambda s: (s[0], -s[1]))
        if sim == 0:
            return None
        return {"text": others[k].text, "similarity": round(sim, 3), "relation": overlap_kind(others[k].text, text)}

    for i, g in enumerate(gold):
        if i not in matched_gold:
            errors.misses.append(
                {"text": g.text, "strength": g.strength, "section": g.section, "closest": closest(g.text, predicted)}
            )
    for j, p in enumerate(predicted):
        if j not in matched_pred:
            errors.false_positives.append(
                {"text": p.text, "strength": p.strength, "section": p.section, "closest": closest(p.text, gold)}
            )
    for pair in pairs:
        g, p = gold[pair.gold], predicted[pair.predicted]
        if g.strength != p.strength:
            errors.strength_confusions.append(
                {
                    "text": g.text,
                    "gold": g.strength,
                    "predicted": p.strength,
                    "gold_section": g.section,
                    "predicted_section": p.section,
                }
            )
    return errors


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
    """tests/render.py, which turns text into PDF/DOCX; it needs the repo root importable and fpdf2 installed."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    try:
        from tests import render
    except ImportError as exc:
        raise SystemExit(
            f"benchmarks.requirements renders PDF and DOCX with tests/render.py, which could not be imported ({exc}). "
            "Run from a full checkout with the test extras installed (pip install -e '.[test]'), "
            "or pass --formats txt."
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
    from extractors.read import read_document
    from rules.doc_kind import detect_doc_kind

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
    return Result(
        gold.id,
        fmt,
        score(gold.requirements, predicted, pairs),
        explain(gold.requirements, predicted, pairs),
        doc_kind=doc_kind,
        seconds=time.perf_counter() - started,
    )


def total(results: Iterable[Result]) -> Counts:
    return sum((r.counts for r in results if not r.skipped), Counts())


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
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated formats: txt,pdf,docx")
    parser.add_argument("--json", metavar="OUT", help="write all figures (and the errors) as JSON to OUT")
    parser.add_argument("--verbose", action="store_true", help="print misses, false positives, strength confusions")
    parser.add_argument("--threshold", type=float, default=MATCH_THRESHOLD, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    formats = [f.strip().lower() for f in args.formats.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        parser.error(f"unknown format(s) {', '.join(unknown) or '(none)'}: choose from {', '.join(FORMATS)}")
    corpus = corpus_dir(args.corpus)
    if not (corpus / GOLD_FILE).is_file():
        parser.error(f"no {GOLD_FILE} in {corpus}: pass --corpus DIR or set ${CORPUS_ENV}")
    if any(f != "txt" for f in formats):
        import_render()  # fail early, with the explanation, rather than after the first format

    from rules.analyse import Analyzer
    from rules.load import load_rules

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
        }
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
