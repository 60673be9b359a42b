"""The two ways the role benchmark runs the pipeline over one format's folder: in-process, or through the flow.

`predict_direct` reads and analyses each file as the flow's analyse-batch task does (fast while developing rules);
`predict_warehouse` runs the Prefect scan flow into a DuckDB warehouse, imports the labels as reviews and reads the
product's own evaluation back. Both return the predictions, the files that failed and each file's model evidence.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.role_corpus import corpus_files
from benchmarks.role_scoring import Label, Prediction
from benchmarks.scoring_fit import Evidence, evidence_of

Predicted = tuple[list[Prediction], list[dict[str, str]], list[Evidence]]


def predict_direct(fmt: str, folder: Path, analyzer: Any) -> Predicted:
    """Read and analyse each file in-process, as the flow's analyse-batch task does."""
    from rolesignal.extractors.errors import ExtractionError
    from rolesignal.extractors.read import read_document

    predictions, failures, evidence = [], [], []
    for path in corpus_files(folder):
        try:
            document = read_document(path)
        except ExtractionError as exc:
            failures.append({"id": path.stem, "format": fmt, "error_type": exc.error_type, "message": exc.message})
            continue
        analysis = analyzer(document)
        c = analysis.classification
        hits = [(h.signal_id, h.source, h.weight, h.pattern_id) for h in analysis.hits]
        n = len(analysis.requirements)
        evidence.append(
            evidence_of(path.stem, fmt, hits, n, c.title_role, c.doc_kind, analyzer.rules, len(c.other_work))
        )
        predictions.append(_prediction(fmt, path.name, document.title, c))
    return predictions, failures, evidence


def _prediction(fmt: str, file_name: str, title: str, verdict: Any) -> Prediction:
    """A file's prediction from a verdict with the classification's fields (a Classification, or a stored Decided)."""
    return Prediction(
        id=Path(file_name).stem,
        format=fmt,
        file_name=file_name,
        doc_kind=verdict.doc_kind,
        title=title,
        role=verdict.role,
        confidence=float(verdict.confidence),
        ml_score=float(verdict.ml_score),
        ai_score=float(verdict.ai_score),
        title_role=verdict.title_role,
        title_mismatch=bool(verdict.title_mismatch),
    )


def predict_warehouse(
    fmt: str, folder: Path, db: str, rules_dir: str | None, rules: Any, by_id: dict[str, Label]
) -> tuple[list[Prediction], list[dict[str, str]], list[Evidence], dict[str, Any]]:
    """Run the Prefect scan flow over the folder, import its labels as reviews and score them as `rolesignal
    evaluate` does; returns the predictions, failures and evidence read back, and the product's figures."""
    from contextlib import closing

    import duckdb

    from rolesignal.flows.evaluate import evaluate as product_evaluation
    from rolesignal.flows.prefect_adaptations import no_heartbeat
    from rolesignal.flows.scan import scan_folder
    from rolesignal.warehouse.connect import open_warehouse

    with no_heartbeat():
        scan_folder(str(folder), db, rules_dir)
    root = str(folder.resolve())
    prefix = root.rstrip("/") + "/"
    with closing(open_warehouse(db)) as con:
        import_labels(con, prefix, by_id)
    evaluation = product_evaluation(db, under=root)
    with closing(duckdb.connect(db, read_only=True)) as con:
        failed = con.execute(
            "SELECT path, error_type, message FROM ingest_failures WHERE starts_with(path, ?) ORDER BY path", [prefix]
        ).fetchall()
        hits = con.execute(
            "SELECT f.file_name, e.signal_id, e.source, e.weight, e.pattern_id FROM signal_evidence AS e "
            "JOIN files AS f ON f.path = e.path WHERE starts_with(e.path, ?)",
            [prefix],
        ).fetchall()
        # Per file: its stated requirements and its words for work of neither role, as the model counts them.
        counts = {
            name: (requirements, other_work)
            for name, requirements, other_work in con.execute(
                "SELECT f.file_name, count(r.ordinal), any_value(len(f.other_work)) FROM document_roles AS f "
                "LEFT JOIN document_requirements AS r ON r.path = f.path WHERE starts_with(f.path, ?) GROUP BY 1",
                [prefix],
            ).fetchall()
        }
    predictions = sorted(
        (_prediction(fmt, d.file_name, d.title, d) for d in evaluation.documents.values()), key=lambda p: p.file_name
    )
    failures = [
        {"id": Path(path).stem, "format": fmt, "error_type": error_type, "message": message}
        for path, error_type, message in failed
    ]
    by_file: dict[str, list[tuple[str, str, float, str]]] = {}
    for name, signal_id, source, weight, pattern_id in hits:
        by_file.setdefault(name, []).append((signal_id, source, float(weight), pattern_id))
    evidence = []
    for p in predictions:
        requirements, other_work = counts.get(p.file_name, (0, 0))
        evidence.append(
            evidence_of(
                p.id,
                fmt,
                by_file.get(p.file_name, []),
                int(requirements),
                p.title_role,
                p.doc_kind,
                rules,
                int(other_work),
            )
        )
    return predictions, failures, evidence, evaluation.scored[0].figures


def import_labels(con: Any, prefix: str, by_id: dict[str, Label]) -> int:
    """The labels of the documents under `prefix` (named `<id>.<ext>`) as reviews, as `rolesignal review --import`
    stores them; returns how many."""
    from rolesignal.warehouse import reviews

    rows = con.execute(
        "SELECT DISTINCT content_hash, path, file_name FROM document_roles WHERE starts_with(path, ?) ORDER BY path",
        [prefix],
    ).fetchall()
    labels = [
        reviews.Label(reviews.LabelRow(0, "content_hash", h, by_id[Path(name).stem].role), h, path)
        for h, path, name in rows
        if Path(name).stem in by_id
    ]
    return reviews.import_reviews(con, labels, by="benchmarks.roles", note="labels.csv")
