"""Text output of the roles benchmark: the figures per format, per fold, and the per-document lists cut to the folds
looked at (pure functions returning lines; `benchmarks.roles` prints them). The figures themselves are printed by
`rolesignal evaluate`'s own lines (`rolesignal.flows.evaluate_text.figure_lines`)."""

from __future__ import annotations

import statistics
from typing import Any

from rolesignal.flows.evaluate_text import figure_lines
from rolesignal.flows.evaluate_text import pct as _pct


def format_figures(name: str, figures: dict[str, Any], verbose: bool) -> list[str]:
    """The report lines for one format (or the overall pool): `rolesignal evaluate`'s lines, then what only labels
    know (the document kind) and the per-document lists."""
    seconds = f", {figures['seconds']:.1f} s" if "seconds" in figures else ""
    lines = [f"== {name}: {figures['documents']} documents{seconds}", *figure_lines(figures)]
    lines.append(f"kind accuracy {_pct(figures['kind_accuracy'])} (doc_kind against labels.csv)")
    for miss in figures["kind_misses"]:
        lines.append(f"kind miss: {miss['id']} ({miss['format']}): label {miss['label']}, detected {miss['predicted']}")
    for failure in figures.get("failures", []):
        lines.append(f"FAILED: {failure['id']} ({failure['format']}): {failure['error_type']}: {failure['message']}")
    if figures["title_mismatches"]:
        lines.append("title mismatches (id, format, title, title_role, predicted, label)")
        for m in figures["title_mismatches"]:
            lines.append(
                f"  {m['id']:<7} {m['format']:<4} {m['title'][:60]!r} {m['title_role']} -> {m['predicted']} "
                f"(label {m['label']})"
            )
    if verbose and figures["misclassified"]:
        lines.append("misclassified (id, format, label, predicted, confidence, ml_score, ai_score, title)")
        for m in figures["misclassified"]:
            lines.append(
                f"  {m['id']:<7} {m['format']:<4} {m['label']:<12} {m['predicted']:<12} {m['confidence']:5.3f} "
                f"{m['ml_score']:7.2f} {m['ai_score']:7.2f}  {m['title'][:60]!r}"
            )
    return lines


DOCUMENT_LISTS = ("kind_misses", "failures", "title_mismatches", "misclassified")


def only_documents(figures: dict[str, Any], ids: set[str]) -> dict[str, Any]:
    """The figures with their per-document lists cut to `ids` (the folds looked at); the numbers stay whole."""
    return figures | {key: [m for m in figures.get(key, []) if m["id"] in ids] for key in DOCUMENT_LISTS}


def format_folds(result: dict[str, Any]) -> list[str]:
    """Per-fold accuracy and macro-F1 beside the title-only reader, and the folds not looked at pooled."""
    look_at = set(result["folds"]["look_at"])
    lines = [
        f"== {result['folds']['k']} folds grouped by employer (all formats pooled; * = looked at)",
        "fold  documents  accuracy  macro-F1   title-only accuracy / macro-F1",
    ]
    for k, figures in enumerate(result["per_fold"]):
        mark = "*" if k in look_at else " "
        lines.append(
            f"{k:>3}{mark} {figures['documents']:9d}   {_pct(figures['accuracy'])}    {figures['macro_f1']:.3f}"
            f"     {_pct(figures['baseline']['accuracy'])} / {figures['baseline']['macro_f1']:.3f}"
        )
    accuracies = [f["accuracy"] for f in result["per_fold"] if f["documents"]]
    lines.append(f"folds' accuracy ranges {_pct(min(accuracies))} to {_pct(max(accuracies))}")
    unseen = result.get("unseen_folds")
    if unseen:
        lines.append(
            f"folds not looked at, pooled: {unseen['documents']} documents, accuracy {_pct(unseen['accuracy'])}, "
            f"macro-F1 {unseen['macro_f1']:.3f} (title-only {_pct(unseen['baseline']['accuracy'])} / "
            f"{unseen['baseline']['macro_f1']:.3f})"
        )
    return lines


def format_held_out(result: dict[str, Any]) -> list[str]:
    """Per fold, the held-out figures (a decision model fitted on the other folds) beside the fit and titles alone."""
    held = result["held_out"]
    lines = [
        f"== {result['folds']['k']} folds grouped by employer, all formats pooled: held out (a model fitted on the "
        "other folds) / fit (the rules as written) / title-only",
        "fold  documents   held-out acc  macro-F1    fit acc  macro-F1    title-only acc  macro-F1",
    ]
    for k, (out, fit) in enumerate(zip(held["per_fold"], result["per_fold"], strict=True)):
        lines.append(
            f"{k:>3}  {out['documents']:9d}   {_pct(out['accuracy'])}     {out['macro_f1']:.3f}     "
            f"{_pct(fit['accuracy'])}   {fit['macro_f1']:.3f}     {_pct(fit['baseline']['accuracy'])}        "
            f"{fit['baseline']['macro_f1']:.3f}"
        )
    out, fit = held["overall"], result["overall"]
    lines.append(
        f"pool {out['documents']:9d}   {_pct(out['accuracy'])}     {out['macro_f1']:.3f}     "
        f"{_pct(fit['accuracy'])}   {fit['macro_f1']:.3f}     {_pct(fit['baseline']['accuracy'])}        "
        f"{fit['baseline']['macro_f1']:.3f}"
    )
    repeated = held.get("repeated")
    if repeated and repeated["repeats"] > 1:
        acc, f1 = repeated["accuracy"], repeated["macro_f1"]
        lines.append(
            f"over {repeated['repeats']} balanced fold assignments (the folds above are the first): held-out accuracy "
            f"mean {_pct(statistics.mean(acc)).strip()} (sd {100 * statistics.pstdev(acc):.1f}, "
            f"{_pct(min(acc)).strip()} to {_pct(max(acc)).strip()}), macro-F1 mean {statistics.mean(f1):.3f}"
        )
        if repeated.get("unread_accuracy"):
            lines.append(
                "the documents of the folds not looked at, held out in every assignment: accuracy mean "
                f"{_pct(statistics.mean(repeated['unread_accuracy'])).strip()} (the looked-at ones "
                f"{_pct(statistics.mean(repeated['read_accuracy'])).strip()}): judge a rules change by the first"
            )
    per_collection = held.get("per_collection") or {}
    if len(per_collection) > 1:
        shares = ", ".join(
            f"{name} {figures['documents']} files {_pct(figures['accuracy']).strip()} / {figures['macro_f1']:.3f} "
            f"(titles {_pct(figures['baseline']['accuracy']).strip()})"
            for name, figures in per_collection.items()
        )
        lines.append(f"held out by collection (id prefix; accuracy / macro-F1, title-only accuracy): {shares}")
    per_confidence = held.get("per_label_confidence") or {}
    if per_confidence:
        shares = ", ".join(
            f"{name} {figures['documents']} files {_pct(figures['accuracy']).strip()}"
            for name, figures in per_confidence.items()
        )
        lines.append(f"held out by the reviewers' confidence in the label (labels.csv; accuracy): {shares}")
    if held["model_in_force"] is None:
        lines.append("scoring.yaml holds no fitted model: the hand rule decides (python -m benchmarks.scoring_fit)")
    return lines


def format_corpus(figures: dict[str, Any], labels: str) -> list[str]:
    """The labelled corpus as it stands (texts and original PDFs), scored by labels.csv through `rolesignal evaluate`:
    the lines that command prints for a scan of the corpus."""
    return [
        f"== the corpus as it stands, scored by {labels} through `rolesignal evaluate` (the texts and the original "
        f"PDFs, by file name): {figures['documents']} documents",
        *figure_lines(figures),
    ]
