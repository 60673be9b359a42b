"""Score role decisions against the corpus labels, through the real pipeline, per file format.

    python -m benchmarks.roles [--corpus DIR] [--formats txt,pdf,docx,pdf-plain,docx-plain,pdf-browser,pdf-office,
                             docx-office] [--db PATH]
                             [--json OUT] [--verbose] [--rules DIR] [--direct] [--folds K] [--look-at FOLDS]
                             [--repeats N]

Only the labelled documents (labels.csv) are copied into a temporary folder (`benchmarks.role_corpus`), one
subfolder per format, each file named `<id>.<ext>`: `txt` holds the .txt/.md originals as they are; `pdf` holds
those texts rendered to PDF plus the corpus's original PDFs; `docx` holds the texts rendered to DOCX (original PDFs
are skipped for txt and docx). The formats `pdf-plain` and `docx-plain`, asked for by name, hold the texts printed
and pasted plainly, markup and line breaks kept; `pdf-browser` the texts printed by a real headless Chromium,
`pdf-office` and `docx-office` the texts saved as PDF and Word by LibreOffice (each when it is on PATH). The
unlabelled documents are never read.

By default each format folder goes through the Prefect scan flow (`benchmarks.role_pipelines`) into a DuckDB
warehouse, its labels are imported as reviews, and the figures are those of `rolesignal evaluate`'s code
(`rolesignal.flows.evaluate`) on them: the product's evaluation is the benchmark's. The texts and the corpus's own
PDFs sit in that warehouse byte for byte under their labels.csv names, so the run also scores labels.csv by file name,
which is what `rolesignal evaluate --labels labels.csv` prints for a scan of the corpus ("the corpus as it stands").
`--direct` runs the Analyzer in-process instead (faster while developing rules) and must give identical figures.

The labelled documents are also split into K folds grouped by employer (`benchmarks.folds`, from the corpus's
groups.csv) and scored per fold. `--look-at 0,1` names the folds whose errors you read: the per-document lists (kind
misses, title mismatches, misclassified documents) show only those folds, and the figures pooled over the other
folds, whose documents you did not look at, are what a change is judged by.

The decision model of scoring.yaml is fitted (`benchmarks.scoring_fit`): each fold's documents are decided by a
model fitted on the other folds, and those held-out figures, pooled, are printed first: they are the expected
accuracy. The rules as written (the model fitted on all labelled documents) give the fit, printed after.

Scoring is the product's: the pure functions of `rolesignal.rules.metrics` (`accuracy`, `confusion`, `per_role`,
`macro_f1`, `calibration`, `baseline_role`), which `rolesignal evaluate` scores with, plus what only labels know
(`benchmarks.role_scoring.score`: the document kind, the per-document lists); the text output is pure functions in
`benchmarks.role_report`; printing happens only in `main()`.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from benchmarks.folds import DEFAULT_FOLDS, FoldError, assign_folds, collection, load_groups
from benchmarks.role_corpus import (
    CORPUS_ENV,
    FORMATS,
    PLAIN_FORMATS,
    EvaluationError,
    build_folders,
    corpus_files,
    default_corpus,
    load_labels,
)
from benchmarks.role_pipelines import predict_direct, predict_warehouse
from benchmarks.role_report import format_corpus, format_figures, format_folds, format_held_out, only_documents
from benchmarks.role_scoring import Label, Prediction, score
from benchmarks.scoring_fit import (
    Evidence,
    FitError,
    check_consistency,
    cross_validate,
    fit_model,
    repeated_held_out,
)
from rolesignal.rules.metrics import baseline_role

# Balanced fold assignments the held-out figure is repeated over (each costs K model fits, about a second).
DEFAULT_REPEATS = 20


def evaluate(
    corpus: Path,
    formats: Sequence[str],
    *,
    direct: bool = False,
    db: str | None = None,
    rules_dir: str | None = None,
    folds: int = DEFAULT_FOLDS,
    look_at: Sequence[int] = (),
    repeats: int = DEFAULT_REPEATS,
) -> dict[str, Any]:
    """Build the labelled folders, run the pipeline per format and return every figure (nothing is printed)."""
    from rolesignal.rules.classify import title_role
    from rolesignal.rules.load import load_rules

    rules = load_rules(rules_dir)
    labels = load_labels(corpus)
    by_id = {label.id: label for label in labels}
    try:
        groups = load_groups(corpus)
        fold_of = assign_folds(labels, groups, folds)
    except FoldError as exc:
        raise EvaluationError(str(exc)) from exc
    if any(not 0 <= fold < folds for fold in look_at):
        raise EvaluationError(f"--look-at names folds 0..{folds - 1}")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="rolesignal-eval-") as tmp:
        tmp_path = Path(tmp)
        t0 = time.perf_counter()
        folders = build_folders(corpus, labels, formats, tmp_path / "docs")
        prepare_seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        if direct:
            from rolesignal.flows.analyse import Analyzer

            analyzer = Analyzer(rules)
        else:
            from rolesignal.flows.settings import quiet_prefect

            quiet_prefect()
            import rolesignal.flows.scan  # noqa: F401 - import Prefect once, outside the per-format timings

            db = str(Path(db).resolve()) if db else str(tmp_path / "evaluate.duckdb")
        setup_seconds = time.perf_counter() - t0
        per_format: dict[str, Any] = {}
        all_pairs: list[tuple[Label, Prediction]] = []
        all_failures: list[dict[str, str]] = []
        all_evidence: list[Evidence] = []
        for fmt in formats:
            t0 = time.perf_counter()
            product = None  # the figures of `rolesignal evaluate`'s code, in flow mode
            if direct:
                predictions, failures, evidence = predict_direct(fmt, folders[fmt], analyzer)
            else:
                predictions, failures, evidence, product = predict_warehouse(
                    fmt, folders[fmt], db, rules_dir, rules, by_id
                )
            all_evidence.extend(replace(e, label=by_id[e.id].role) for e in evidence if e.id in by_id)
            seconds = time.perf_counter() - t0
            unknown = sorted(p.id for p in predictions if p.id not in by_id)
            if unknown:
                raise EvaluationError(f"results for files that are not labelled: {unknown}")
            expected = len(corpus_files(folders[fmt]))
            if len(predictions) + len(failures) != expected:
                raise EvaluationError(f"{fmt}: {expected} files but {len(predictions) + len(failures)} results")
            pairs = [(by_id[p.id], p) for p in sorted(predictions, key=lambda p: p.id)]
            figures = score(pairs, [baseline_role(title_role(p.title, rules)) for _, p in pairs], product)
            per_format[fmt] = figures | {"seconds": seconds, "failures": failures}
            all_pairs.extend(pairs)
            all_failures.extend(failures)

        def scored(pairs: list[tuple[Label, Prediction]]) -> dict[str, Any]:
            return score(pairs, [baseline_role(title_role(p.title, rules)) for _, p in pairs])

        overall = scored(all_pairs)
        corpus_as_it_stands = None
        if not direct:
            from rolesignal.flows.evaluate import evaluate as product_evaluation

            # The pool as the product scores it: every format's reviews in the warehouse, one evaluation.
            pool = product_evaluation(db, under=str((tmp_path / "docs").resolve())).scored[0].figures
            overall = score(all_pairs, [baseline_role(p.title_role) for _, p in all_pairs], pool)
            if {"txt", "pdf"} <= set(formats):
                # The texts and the corpus's own PDFs are here byte for byte, under their labels.csv names: scored by
                # labels.csv as `rolesignal evaluate --labels labels.csv` scores a scan of the corpus.
                corpus_as_it_stands = product_evaluation(db, labels=corpus / "labels.csv").scored[0].figures
        per_fold = [scored([(label, p) for label, p in all_pairs if fold_of[label.id] == k]) for k in range(folds)]
        unseen = [(label, p) for label, p in all_pairs if fold_of[label.id] not in look_at]
        # Cross-validation: a decision model fitted on the other folds decides each fold's documents.
        by_item = {(p.id, p.format): p for _, p in all_pairs}
        try:
            check_consistency(all_evidence, [by_item[(e.id, e.format)].role for e in all_evidence], rules)
        except FitError as exc:
            raise EvaluationError(str(exc)) from exc
        held, fitted = cross_validate(all_evidence, fold_of, folds)
        held_pairs = [
            (by_id[e.id], held_out(by_item[(e.id, e.format)], *prediction))
            for e, prediction in zip(all_evidence, held, strict=True)
        ]
        held_pairs.sort(key=lambda pair: (pair[1].format, pair[1].id))
        unread = [fold_of[e.id] not in look_at for e in all_evidence] if look_at else []
        repeated = repeated_held_out(all_evidence, labels, groups, folds, repeats, [role for role, _ in held], unread)
    return {
        "held_out": {
            "overall": scored(held_pairs),
            "per_fold": [
                scored([(label, p) for label, p in held_pairs if fold_of[label.id] == k]) for k in range(folds)
            ],
            # Documents from sources added later ('d') against the first collections: how far the figure carries.
            "per_collection": {
                name: scored([(label, p) for label, p in held_pairs if collection(label.id) == name])
                for name in sorted({collection(label.id) for label, _ in held_pairs})
            },
            # labels.csv's confidence is the lower of the two reviewers': where the errors sit against how sure the
            # people were (a document they found ambiguous is one the rules cannot be sure of either).
            "per_label_confidence": {
                name: scored([(label, p) for label, p in held_pairs if label.confidence == name])
                for name in ("high", "medium", "low")
                if any(label.confidence == name for label, _ in held_pairs)
            },
            "models_per_fold": fitted,
            "model_in_force": rules.scoring["decision"].get("model"),
            "model_fitted_on_all": fit_model(all_evidence),
            "repeated": repeated,
        },
        "mode": "direct" if direct else "prefect",
        "rules_version": rules.version,
        "corpus": str(corpus),
        "formats": list(formats),
        "labelled_documents": len(labels),
        "per_format": per_format,
        "overall": overall | {"failures": all_failures},
        "corpus_as_it_stands": corpus_as_it_stands,
        "folds": {"k": folds, "look_at": list(look_at), "fold_of": fold_of},
        "per_fold": per_fold,
        "unseen_folds": scored(unseen) if look_at and unseen else None,
        "predictions": [asdict(p) | {"label": label.role, "label_kind": label.doc_kind} for label, p in all_pairs],
        "timings": {
            "prepare_seconds": prepare_seconds,
            "setup_seconds": setup_seconds,
            "total_seconds": time.perf_counter() - started,
        },
    }


def held_out(prediction: Prediction, role: str, confidence: float) -> Prediction:
    """The prediction as the model fitted on the other folds decides it."""
    mismatch = prediction.title_role in ("ml_engineer", "ai_developer") and role not in (
        prediction.title_role,
        "hybrid",
    )
    return replace(prediction, role=role, confidence=confidence, title_mismatch=mismatch)


# ----------------------------------------------------------------------------------------------- command line


def parse_folds(value: str) -> list[int]:
    try:
        return sorted({int(v) for v in value.split(",") if v.strip()})
    except ValueError as exc:
        raise argparse.ArgumentTypeError("a comma list of fold numbers, e.g. 0,1") from exc


def parse_formats(value: str) -> list[str]:
    formats = [f.strip().lower() for f in value.split(",") if f.strip()]
    bad = [f for f in formats if f not in (*FORMATS, *PLAIN_FORMATS)]
    if bad or not formats:
        raise argparse.ArgumentTypeError(f"formats must be a comma list of {', '.join((*FORMATS, *PLAIN_FORMATS))}")
    return list(dict.fromkeys(formats))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.roles", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=None, help=f"corpus dir (default ${CORPUS_ENV} or shared)")
    parser.add_argument(
        "--formats",
        type=parse_formats,
        default=list(FORMATS),
        help="comma list of txt,pdf,docx,pdf-plain,docx-plain,pdf-browser,pdf-office,docx-office",
    )
    parser.add_argument("--db", help="DuckDB file for the flow's warehouse (default: a temporary file)")
    parser.add_argument("--json", dest="json_out", type=Path, help="write every figure as JSON here")
    parser.add_argument("--verbose", action="store_true", help="list each misclassified document")
    parser.add_argument("--rules", dest="rules_dir", help="a rules directory (default: the built-in rules)")
    parser.add_argument("--direct", action="store_true", help="run the Analyzer in-process instead of the flow")
    parser.add_argument("--folds", type=int, default=DEFAULT_FOLDS, help="folds grouped by employer (default 5)")
    parser.add_argument(
        "--look-at", type=parse_folds, default=[], help="folds whose errors are listed, e.g. 0,1 (default: all)"
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=DEFAULT_REPEATS,
        help=f"balanced fold assignments to repeat the held-out figure over (default {DEFAULT_REPEATS}; 1: only one)",
    )
    args = parser.parse_args(argv)
    if args.folds < 2:
        parser.error("--folds must be at least 2")
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")

    corpus = args.corpus or default_corpus()
    if not (corpus / "labels.csv").is_file():
        print(f"benchmarks.roles: no labels.csv in {corpus} (set --corpus or ${CORPUS_ENV})", file=sys.stderr)
        return 2
    from rolesignal.rules.errors import RulesError

    try:
        result = evaluate(
            corpus,
            args.formats,
            direct=args.direct,
            db=args.db,
            rules_dir=args.rules_dir,
            folds=args.folds,
            look_at=args.look_at,
            repeats=args.repeats,
        )
    except RulesError as exc:
        print("benchmarks.roles: invalid rules:\n" + exc.listing(), file=sys.stderr)
        return 2
    except EvaluationError as exc:
        print(f"benchmarks.roles: {exc}", file=sys.stderr)
        return 2
    timings = result["timings"]
    print(
        f"rules {result['rules_version']}, mode {result['mode']}, formats {','.join(result['formats'])}, "
        f"{result['labelled_documents']} labelled documents; prepare {timings['prepare_seconds']:.1f} s, "
        f"setup {timings['setup_seconds']:.1f} s, total {timings['total_seconds']:.1f} s"
    )
    fold_of = result["folds"]["fold_of"]
    shown = {i for i, k in fold_of.items() if not args.look_at or k in args.look_at}

    def listed(figures: dict[str, Any]) -> dict[str, Any]:
        return only_documents(figures, shown)

    # The held-out figures first: they are the expected accuracy on documents nobody tuned to.
    held = result["held_out"]["overall"]
    print("\n".join(format_figures("cross-validated, held-out folds pooled", listed(held), args.verbose)))
    print()
    print("\n".join(format_held_out(result)))
    print()
    print("The fit: the rules as written, on every labelled document")
    for fmt, figures in result["per_format"].items():
        print("\n".join(format_figures(fmt, listed(figures), args.verbose)))
        print()
    if len(result["per_format"]) > 1:
        print("\n".join(format_figures("overall (all formats pooled)", listed(result["overall"]), args.verbose)))
        print()
    if result["corpus_as_it_stands"]:
        print("\n".join(format_corpus(result["corpus_as_it_stands"], str(corpus / "labels.csv"))))
        print()
    print("\n".join(format_folds(result)))
    if args.json_out:
        args.json_out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"figures written to {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
